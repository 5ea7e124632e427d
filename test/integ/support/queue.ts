/**
 * The copier's queue as SQS and the event source mapping drive it, for the fault and load runs: batches of
 * `batchSize` records, `invocations` batches copied at once (one copier each, as one Lambda container each),
 * and every record a batch reports as failed (or every record of a batch that threw) delivered again, until
 * it is done or has been received `maxReceiveCount` times (then it would move to the dead-letter queue).
 */
import type { BatchResult, QueuedRecord } from '../../../lambda/core/copier';

export interface QueueOptions {
  readonly batchSize: number;
  readonly maxReceiveCount: number;
}

export interface QueueReport {
  /** Records handed to a copier, redeliveries included. */
  readonly deliveries: number;
  readonly batches: number;
  /** Deliveries after the first of a record. */
  readonly redeliveries: number;
  /** Batches whose copy threw as a whole (the Lambda invocation failed). */
  readonly failedInvocations: number;
  /** The most times one record was received. */
  readonly maxReceives: number;
  /** Records received maxReceiveCount times and failed every time. */
  readonly deadLettered: readonly QueuedRecord[];
  readonly seconds: number;
}

type Copy = (records: readonly QueuedRecord[]) => Promise<BatchResult>;

export async function drainQueue(
  invocations: readonly Copy[],
  records: readonly QueuedRecord[],
  options: QueueOptions,
): Promise<QueueReport> {
  const started = performance.now();
  const waiting = [...records];
  const receives = new Map<string, number>();
  const deadLettered: QueuedRecord[] = [];
  let deliveries = 0;
  let batches = 0;
  let failedInvocations = 0;
  let inFlight = 0;

  const worker = async (copy: Copy) => {
    for (;;) {
      const batch = waiting.splice(0, options.batchSize);
      if (batch.length === 0) {
        if (inFlight === 0) return;
        // Another invocation may still hand records back.
        await new Promise((resolve) => setTimeout(resolve, 5));
        continue;
      }
      inFlight++;
      batches++;
      deliveries += batch.length;
      for (const r of batch) receives.set(r.messageId, (receives.get(r.messageId) ?? 0) + 1);
      let failed: Set<string>;
      try {
        failed = new Set((await copy(batch)).failedMessageIds);
      } catch {
        // The invocation failed as a whole: SQS makes every record of the batch visible again.
        failedInvocations++;
        failed = new Set(batch.map((r) => r.messageId));
      }
      for (const r of batch) {
        if (!failed.has(r.messageId)) continue;
        if ((receives.get(r.messageId) ?? 0) >= options.maxReceiveCount) deadLettered.push(r);
        else waiting.push(r);
      }
      inFlight--;
    }
  };
  await Promise.all(invocations.map(worker));
  const counts = [...receives.values()];
  return {
    deliveries,
    batches,
    redeliveries: deliveries - receives.size,
    failedInvocations,
    maxReceives: counts.length > 0 ? Math.max(...counts) : 0,
    deadLettered,
    seconds: (performance.now() - started) / 1000,
  };
}
