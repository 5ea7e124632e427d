/**
 * The copier as a Lambda container runs it, in a process of its own: queued records in batches of the
 * queue's batch size, each batch one copyBatch (its own journal segment) with the handler's CHANGES_IN_FLIGHT,
 * `invocations` batches at once. Answers with the outcome counts, the time from the first batch started to
 * the last one done (the container warm: its init is row 6's), and the process's peak memory.
 */
import type { CopyTuning } from '../../lambda/core/copy-version';
import { forEachLimited } from '../../lambda/core/streams';
import { CHANGES_IN_FLIGHT } from '../../lambda/handlers/copier';
import { type LocalCopierTarget, localCopier } from '../../local/local-copier';
import { answer, childInput, residentBytes } from './io';

export interface CopierChildInput {
  readonly target: LocalCopierTarget;
  readonly bodies: readonly string[];
  readonly batchSize: number;
  readonly invocations: number;
  readonly writeOnce: 'server' | 'client';
  readonly tuning?: CopyTuning;
}

export interface CopierChildOutput {
  readonly statuses: Record<string, number>;
  readonly failed: number;
  readonly seconds: number;
  /** Wall clock (ms since the epoch) when the first batch started and the last one ended. */
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly startRssBytes: number;
  readonly peakRssBytes: number;
}

answer(async (): Promise<CopierChildOutput> => {
  const input = childInput<CopierChildInput>();
  const startRssBytes = residentBytes('VmRSS');
  const copier = localCopier(input.target, {
    concurrency: CHANGES_IN_FLIGHT,
    writeOnce: input.writeOnce,
    ...(input.tuning ? { tuning: input.tuning } : {}),
    log: {
      info: () => undefined,
      warn: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
      error: (m, f) => process.stderr.write(`${m} ${JSON.stringify(f)}\n`),
    },
  });
  const batches: Array<Array<{ messageId: string; body: string }>> = [];
  input.bodies.forEach((body, i) => {
    if (i % input.batchSize === 0) batches.push([]);
    batches.at(-1)?.push({ messageId: `m-${i}`, body });
  });
  const statuses: Record<string, number> = {};
  let failed = 0;
  const startedAtMs = Date.now();
  const started = performance.now();
  await forEachLimited(batches, input.invocations, async (records, i) => {
    const result = await copier.copy(records, `bench-${process.pid}-${i}`);
    failed += result.failedMessageIds.length;
    for (const { outcome } of result.outcomes) statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
  });
  const seconds = (performance.now() - started) / 1000;
  const endedAtMs = Date.now();
  copier.close();
  return { statuses, failed, seconds, startedAtMs, endedAtMs, startRssBytes, peakRssBytes: residentBytes('VmHWM') };
});
