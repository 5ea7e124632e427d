import { describeError } from '../../contract/errors';
import { countSourceChanges, type SourceChangeCount } from './change-rate';
import { backUpChange, type CopyContext, type CopyOutcome } from './copy-version';
import { InputValidationError } from './errors';
import type { JournalEntry } from './journal';
import { appendJournalSegment } from './journal-store';
import { ConfigurationFaultError } from './s3-errors';
import { changeIdentity, parseSourceChange, type SourceChange, type SourceScope } from './source-change';
import { forEachLimited } from './streams';

/*
 * One batch of queued changes: parse each record, copy each distinct change once, journal what the
 * batch put in the vault as one segment, and report exactly the records that must be retried.
 */

export interface QueuedRecord {
  readonly messageId: string;
  readonly body: string;
}

/** Structured log lines; the fields are correlation keys, never credentials or object contents. */
export interface CopierLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface CopierDependencies {
  readonly copy: CopyContext;
  readonly scope: SourceScope;
  readonly log: CopierLog;
  /** Count a metric (Copied, AlreadyInVault, GoneBeforeCopy, Malformed, CopyFailures, ...). */
  readonly count: (metric: CopierMetric, value?: number) => void;
  /**
   * Send a record that can never be processed straight to the dead-letter queue, so it is kept for
   * a human without being retried. Without it such records fail and reach the DLQ after maxReceiveCount.
   */
  readonly deadLetter?: (record: QueuedRecord, reason: string) => Promise<void>;
  /** Distinct changes copied at once. */
  readonly concurrency: number;
  /** Unique id of this batch's journal segment (the Lambda request id in production). */
  readonly segmentId: string;
}

export type CopierMetric =
  | 'Copied'
  | 'AlreadyInVault'
  | 'GoneBeforeCopy'
  | 'Malformed'
  | 'CopyFailures'
  | 'ConfigurationFaults'
  | 'BytesCopied';

export interface BatchResult {
  /** Records to retry (SQS partial batch response). */
  readonly failedMessageIds: string[];
  readonly outcomes: ReadonlyArray<{ readonly change: SourceChange; readonly outcome: CopyOutcome }>;
  readonly journalSegmentKey: string | null;
  /** Per source bucket: writes and deletions recorded for the first time (what the change-rate alarms sum). */
  readonly changeCounts: readonly SourceChangeCount[];
}

export async function copyBatch(deps: CopierDependencies, records: readonly QueuedRecord[]): Promise<BatchResult> {
  const failed = new Set<string>();
  const work = new Map<string, { change: SourceChange; messageIds: string[] }>();

  for (const record of records) {
    let change: SourceChange;
    try {
      change = parseSourceChange(record.body, deps.scope, `SQS record ${record.messageId}`);
    } catch (error) {
      if (!(error instanceof InputValidationError)) throw error;
      deps.count('Malformed');
      deps.log.error('malformed record', { messageId: record.messageId, reason: error.message });
      if (await forwardToDeadLetter(deps, record, error.message)) continue;
      failed.add(record.messageId);
      continue;
    }
    // The same change delivered twice (S3 at-least-once, a reconciler pass racing an event) is done once.
    const identity = changeIdentity(change);
    const existing = work.get(identity);
    if (existing) existing.messageIds.push(record.messageId);
    else work.set(identity, { change, messageIds: [record.messageId] });
  }

  const outcomes: Array<{ change: SourceChange; outcome: CopyOutcome; messageIds: string[] }> = [];
  await forEachLimited(work.values(), deps.concurrency, async ({ change, messageIds }) => {
    const where = { bucket: change.bucket, key: change.key, versionId: change.versionId, change: change.type, messageIds };
    try {
      const outcome = await backUpChange(deps.copy, change);
      outcomes.push({ change, outcome, messageIds });
      if (outcome.status === 'copied') {
        deps.count('Copied');
        deps.count('BytesCopied', outcome.entry.size);
        deps.log.info('copied', { ...where, vaultKey: outcome.entry.vaultKey, size: outcome.entry.size });
      } else if (outcome.status === 'already-in-vault') {
        deps.count('AlreadyInVault');
        deps.log.info('already in vault', { ...where, vaultKey: outcome.entry.vaultKey });
      } else {
        deps.count('GoneBeforeCopy');
        deps.log.warn('version gone before it could be copied', { ...where, reason: outcome.reason });
      }
    } catch (error) {
      for (const id of messageIds) failed.add(id);
      deps.count('CopyFailures');
      if (error instanceof ConfigurationFaultError) {
        deps.count('ConfigurationFaults');
        deps.log.error('configuration fault', {
          ...where,
          role: error.role,
          action: error.action,
          resource: error.resource,
          error: error.message,
        });
      } else {
        deps.log.warn('copy failed; will be retried', { ...where, error: describeError(error) });
      }
    }
  });

  const journaled = outcomes.filter((o) => o.outcome.status !== 'gone');
  const entries = journaled.map((o) => (o.outcome as { entry: JournalEntry }).entry);
  let journalSegmentKey: string | null = null;
  if (entries.length > 0) {
    try {
      journalSegmentKey = await appendJournalSegment(
        deps.copy.vault,
        deps.copy.sourceAccount,
        entries,
        deps.segmentId,
        deps.copy.now(),
      );
    } catch (error) {
      // The copies are in the vault; without their journal entries they must be retried, which
      // finds them present and journals them then.
      for (const o of journaled) for (const id of o.messageIds) failed.add(id);
      deps.count('CopyFailures', journaled.length);
      deps.log.error('journal segment write failed; the batch will be retried', {
        entries: entries.length,
        error: describeError(error),
      });
    }
  }
  return {
    failedMessageIds: records.map((r) => r.messageId).filter((id) => failed.has(id)),
    outcomes: outcomes.map(({ change, outcome }) => ({ change, outcome })),
    journalSegmentKey,
    changeCounts: countSourceChanges(outcomes),
  };
}

async function forwardToDeadLetter(deps: CopierDependencies, record: QueuedRecord, reason: string): Promise<boolean> {
  if (!deps.deadLetter) return false;
  try {
    await deps.deadLetter(record, reason);
    return true;
  } catch (error) {
    deps.log.error('could not forward a malformed record to the dead-letter queue; it will be retried', {
      messageId: record.messageId,
      error: describeError(error),
    });
    return false;
  }
}
