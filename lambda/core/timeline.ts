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
 * Source order within one key. S3's sequencer decides when both entries carry one (it orders changes to
 * one key even within the same millisecond); otherwise the time the source recorded; the copy time only
 * as a last resort (two changes of one key in the same millisecond with no sequencer, e.g. both found by
 * the reconciler), then the token so the order is total.
 */
export function compareEntries(a: JournalEntry, b: JournalEntry): number {
  if (a.sequencer && b.sequencer) {
    const bySequencer = compareSequencers(a.sequencer, b.sequencer);
    if (bySequencer !== 0) return bySequencer;
  }
  const byTime = Date.parse(a.sourceTime) - Date.parse(b.sourceTime);
  if (byTime !== 0) return byTime;
  const byCopy = Date.parse(a.copiedAt) - Date.parse(b.copiedAt);
  return byCopy !== 0 ? byCopy : a.token < b.token ? -1 : a.token > b.token ? 1 : 0;
}

/** Keys in the order S3 lists them: by the bytes of their UTF-8 encoding. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Below the surrogates, UTF-16 code units order as UTF-8 bytes do; past them only the bytes tell.
    if (x < 0xd800 && y < 0xd800) return x - y;
    // Encode from the start of the code point: a slice that began at a low surrogate would encode as
    // U+FFFD on both sides, and two different keys (😀, 😁) would compare equal.
    const from = i > 0 && isHighSurrogate(a.charCodeAt(i - 1)) ? i - 1 : i;
    return Buffer.compare(Buffer.from(a.slice(from), 'utf8'), Buffer.from(b.slice(from), 'utf8'));
  }
  return a.length - b.length;
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

export interface KeyTimeline<T extends JournalEntry = JournalEntry> {
  readonly bucket: string;
  readonly key: string;
  /** Every entry once, in source order. */
  readonly entries: readonly T[];
}

/** Group entries by source object, each group deduplicated and in source order. */
export function timelines<T extends JournalEntry>(entries: Iterable<T>): KeyTimeline<T>[] {
  const groups = new Map<string, T[]>();
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
export function currentAt<T extends JournalEntry>(timeline: KeyTimeline<T>, asOf: Date): T | null {
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
