/**
 * Copies one queued change (or a batch of them) in a process of its own, so its memory can be measured
 * and it can be killed mid-copy. Input (argv[2]): JSON {target, body | bodies, tuning?, concurrency?}.
 * Output: one JSON line on stdout with the batch result and the process's peak resident memory.
 */
import type { CopyTuning } from '../../../lambda/core/copy-version';
import { type LocalCopierTarget, localCopier } from '../../../local/local-copier';
import { residentBytes } from './memory';

interface ChildInput {
  readonly target: LocalCopierTarget;
  readonly body?: string;
  /** A whole batch, copied as one copier invocation (one journal segment). */
  readonly bodies?: readonly string[];
  readonly tuning?: CopyTuning;
  /** @default 1 */
  readonly concurrency?: number;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const startRssBytes = residentBytes('VmRSS');
  const copier = localCopier(input.target, {
    ...(input.tuning ? { tuning: input.tuning } : {}),
    concurrency: input.concurrency ?? 1,
    log: {
      info: () => undefined,
      warn: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
      error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    },
  });
  const bodies = input.bodies ?? (input.body !== undefined ? [input.body] : []);
  const records = bodies.map((body, i) => ({ messageId: `child-${i + 1}`, body }));
  const result = await copier.copy(records, `child-${process.pid}`);
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
