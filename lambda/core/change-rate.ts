import type { CopyOutcome } from './copy-version';
import type { SourceChange } from './source-change';

/*
 * The copier's per-source change counts, which the change-rate alarms sum per interval (the Lambda publishes
 * them as metrics, the local copier returns them): how many writes and deletions of each source bucket a batch
 * recorded in the vault for the first time.
 *
 * What is counted, and why:
 * - only changes announced by S3 events: a reconciler pass finds changes late (the first pass over an existing
 *   bucket finds all of it) and would read as a burst that is not happening now;
 * - only changes newly written to the vault (`copied`): a redelivered event writes nothing and counts nothing;
 * - writes, not overwrites: an S3 event does not say whether a key already had a current version, and asking the
 *   source (ListObjectVersions on the key) would add a request to every copy. `strongroom activity` tells
 *   overwrites from new keys afterwards, from the journal.
 */

export interface SourceChangeCount {
  readonly bucket: string;
  /** New versions (new keys and overwrites alike). */
  readonly writes: number;
  /** Delete markers placed, versions destroyed, unversioned objects deleted. */
  readonly deletions: number;
}

export function countSourceChanges(
  outcomes: ReadonlyArray<{ readonly change: SourceChange; readonly outcome: CopyOutcome }>,
): SourceChangeCount[] {
  const counts = new Map<string, { writes: number; deletions: number }>();
  for (const { change, outcome } of outcomes) {
    if (change.origin !== 'event' || outcome.status !== 'copied') continue;
    const count = counts.get(change.bucket) ?? { writes: 0, deletions: 0 };
    if (change.type === 'created') count.writes++;
    else count.deletions++;
    counts.set(change.bucket, count);
  }
  return [...counts].map(([bucket, c]) => ({ bucket, ...c })).sort((a, b) => (a.bucket < b.bucket ? -1 : 1));
}
