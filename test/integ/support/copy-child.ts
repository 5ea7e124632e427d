/**
 * Copies one queued change in a process of its own, so its memory can be measured and it can be
 * killed mid-copy. Input (argv[2]): JSON {target, body, tuning?}. Output: one JSON line on stdout
 * with the batch result and the process's peak resident memory.
 */
import { readFileSync } from 'node:fs';
import type { CopyTuning } from '../../../lambda/core/copy-version';
import { type LocalCopierTarget, localCopier } from '../../../local/local-copier';

interface ChildInput {
  readonly target: LocalCopierTarget;
  readonly body: string;
  readonly tuning?: CopyTuning;
}

/**
 * The kernel's high-water mark of this process's resident memory (VmHWM), in bytes. Not
 * process.resourceUsage().maxRSS: Linux carries ru_maxrss across exec, so a spawned child reports
 * the RSS its parent (the jest worker) had when it forked, whatever the child itself used.
 */
function residentBytes(field: 'VmHWM' | 'VmRSS'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/self/status`);
  return Number(match[1]) * 1024;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const startRssBytes = residentBytes('VmRSS');
  const copier = localCopier(input.target, {
    ...(input.tuning ? { tuning: input.tuning } : {}),
    concurrency: 1,
    log: {
      info: () => undefined,
      warn: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
      error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    },
  });
  const result = await copier.copy([{ messageId: 'child-1', body: input.body }], `child-${process.pid}`);
  copier.close();
  process.stdout.write(
    `${JSON.stringify({
      failed: result.failedMessageIds,
      statuses: result.outcomes.map((o) => o.outcome.status),
      peakRssBytes: residentBytes('VmHWM'),
      startRssBytes,
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`copy-child failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
