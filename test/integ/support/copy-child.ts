/**
 * Copies one queued change in a process of its own, so its memory can be measured and it can be
 * killed mid-copy. Input (argv[2]): JSON {target, body, tuning?}. Output: one JSON line on stdout
 * with the batch result and the process's peak resident memory.
 */
import type { CopyTuning } from '../../../lambda/core/copy-version';
import { type LocalCopierTarget, localCopier } from '../../../local/local-copier';
import { residentBytes } from './memory';

interface ChildInput {
  readonly target: LocalCopierTarget;
  readonly body: string;
  readonly tuning?: CopyTuning;
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
