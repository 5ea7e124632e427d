import * as z from 'zod';
import { type JournalEntry, JournalEntrySchema } from './journal';

/*
 * The trust rule. A journal entry's content (its source time, its key, the name of its segment) is what
 * its writer chose; only the vault's own clock is not. So every entry a reader yields carries the server
 * write time (`LastModified`) of the segment it was read from, and a reader given a *distrust-writes-after*
 * instant W sets aside every entry written after W: a responder who knows when the intruder arrived
 * restores only from what was written before, whatever the later writes claim about the past.
 */

/** An entry as a reader yields it: the entry, plus where and when (by the server's clock) it was written. */
export const TrustedEntrySchema = JournalEntrySchema.extend({
  /** The segment the entry was read from. */
  segment: z.string().min(1),
  /** The segment's LastModified, from the server (a listing or a seal that recorded it), ISO-8601. */
  writtenAt: z.iso.datetime(),
});
export type TrustedEntry = z.output<typeof TrustedEntrySchema>;

export function trusted(entry: JournalEntry, segment: string, writtenAt: Date): TrustedEntry {
  return { ...entry, segment, writtenAt: writtenAt.toISOString() };
}

/** What a read with distrust-writes-after set aside: how many entries, and a sample of their keys. */
export interface SetAside {
  readonly distrustWritesAfter: string;
  count: number;
  /** Up to SET_ASIDE_SAMPLE distinct `bucket/key` of entries set aside. */
  readonly keys: string[];
  /** Segments whose server write time is after the instant. */
  readonly segments: string[];
}

export const SET_ASIDE_SAMPLE = 100;

export function newSetAside(instant: Date): SetAside {
  return { distrustWritesAfter: instant.toISOString(), count: 0, keys: [], segments: [] };
}

export function setAside(report: SetAside, entry: TrustedEntry): void {
  report.count++;
  const id = `${entry.bucket}/${entry.key}`;
  if (report.keys.length < SET_ASIDE_SAMPLE && !report.keys.includes(id)) report.keys.push(id);
  if (report.segments.length < SET_ASIDE_SAMPLE && !report.segments.includes(entry.segment)) report.segments.push(entry.segment);
}
