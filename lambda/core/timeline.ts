import type { JournalEntry } from './journal';
import { uniqueEntries } from './journal';

/*
 * A source key's history as the vault records it, and the state it implies at any instant.
 * Entries arrive in any order (events are delivered late, twice, shuffled); the order of the
 * timeline comes from the source, never from when the copy happened.
 */

/** S3 sequencers are hex strings of varying length: compare them as numbers (left-pad to equal length). */
export function compareSequencers(a: string, b: string): number {
  const width = Math.max(a.length, b.length);
  const [pa, pb] = [a.toLowerCase().padStart(width, '0'), b.toLowerCase().padStart(width, '0')];
  return pa < pb ? -1 : pa > pb ? 1 : 0;
}

/**
 * Source order: by the time the source recorded, then by S3's sequencer (which orders changes to
 * one key even within one second), then by copy time as a last resort.
 */
export function compareEntries(a: JournalEntry, b: JournalEntry): number {
  const byTime = Date.parse(a.sourceTime) - Date.parse(b.sourceTime);
  if (byTime !== 0) return byTime;
  if (a.sequencer && b.sequencer) {
    const bySequencer = compareSequencers(a.sequencer, b.sequencer);
    if (bySequencer !== 0) return bySequencer;
  }
  const byCopy = Date.parse(a.copiedAt) - Date.parse(b.copiedAt);
  return byCopy !== 0 ? byCopy : a.token.localeCompare(b.token);
}

export interface KeyTimeline {
  readonly bucket: string;
  readonly key: string;
  /** Every entry once, in source order. */
  readonly entries: readonly JournalEntry[];
}

/** Group entries by source object, each group deduplicated and in source order. */
export function timelines(entries: Iterable<JournalEntry>): KeyTimeline[] {
  const groups = new Map<string, JournalEntry[]>();
  for (const entry of uniqueEntries(entries)) {
    const id = `${entry.account}\u0000${entry.bucket}\u0000${entry.key}`;
    const group = groups.get(id) ?? [];
    group.push(entry);
    groups.set(id, group);
  }
  return [...groups.values()].map((group) => ({
    bucket: group[0].bucket,
    key: group[0].key,
    entries: group.sort(compareEntries),
  }));
}

/**
 * The version that was the object's current content at `asOf`, or null if the key did not exist
 * then (never written yet, behind a delete marker, deleted, or its current version destroyed).
 * A permanently deleted version stops counting from the moment of its deletion, so the previous
 * version becomes current again, exactly as in the source.
 */
export function currentAt(timeline: KeyTimeline, asOf: Date): JournalEntry | null {
  const instant = asOf.getTime();
  const happened = timeline.entries.filter((e) => Date.parse(e.sourceTime) <= instant);
  // A permanent delete names a source version id, which may be a version's or a delete marker's.
  const destroyed = new Set(happened.filter((e) => e.kind === 'destroyed').map((e) => e.destroys));
  const standing = happened.filter(
    (e) => e.kind !== 'destroyed' && !(e.sourceVersionId !== null && destroyed.has(e.sourceVersionId)),
  );
  const latest = standing.at(-1);
  return latest?.kind === 'version' ? latest : null;
}
