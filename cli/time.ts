import * as chrono from 'chrono-node';
import { CliUsageError } from './errors';

/*
 * Times as a responder types them at 3 a.m.: ISO-8601 ("2026-12-01T03:12:00Z"), or relative and casual
 * forms through chrono-node ("2h ago", "90 minutes ago", "yesterday 14:00", "yesterday 14:00 CET"). A time
 * without a zone is UTC, whatever the machine's zone. A day without a time of day ("yesterday", "Dec 1")
 * is refused: restoring to an instant nobody chose is worse than asking.
 */

/** An instant as typed, as understood (UTC), and relative to now: what is echoed before anything is written. */
export interface Instant {
  /** What the responder typed. */
  readonly input: string;
  readonly date: Date;
  /** "2026-12-01T03:12:00Z" (milliseconds only when there are some). */
  readonly iso: string;
  /** "2 hours 5 minutes ago" */
  readonly relative: string;
}

export const TIME_EXPECTED =
  'an ISO-8601 instant such as "2026-12-01T03:12:00Z", or a relative time such as "2h ago", "90 minutes ago" or ' +
  '"yesterday 14:00" (UTC unless a zone is given, e.g. "yesterday 14:00 CET" or "+02:00")';

/** Parses `text` given for `flag`, relative to `now`; refuses (exit 2) what is not one instant, or lies in the future. */
export function parseInstant(flag: string, text: string, now: Date): Instant {
  const trimmed = text.trim();
  const results = trimmed === '' ? [] : chrono.parse(trimmed, { instant: now, timezone: 0 }, { forwardDate: false });
  const [result] = results;
  if (!result || results.length !== 1 || result.index !== 0 || result.text.length !== trimmed.length || result.end) {
    throw CliUsageError.of(flag, JSON.stringify(text), TIME_EXPECTED);
  }
  // "3 days ago" is exact (72 hours before now); "yesterday" or "Dec 1" would be a time of day chrono made up.
  const exactOffset = result.tags().has('result/relativeDate') || result.tags().has('result/relativeDateAndTime');
  if (!result.start.isCertain('hour') && !exactOffset) {
    throw CliUsageError.of(
      flag,
      JSON.stringify(text),
      `a time of day as well (e.g. "${trimmed} 14:00", UTC unless a zone is given): a day alone is ambiguous`,
    );
  }
  const date = result.start.date();
  if (date.getTime() > now.getTime()) {
    throw CliUsageError.of(
      flag,
      `${JSON.stringify(text)} (${formatInstant(date)}, ${formatRelative(date, now)})`,
      `an instant not in the future (now is ${formatInstant(now)})`,
    );
  }
  return instant(text, date, now);
}

export function instant(input: string, date: Date, now: Date): Instant {
  return { input, date, iso: formatInstant(date), relative: formatRelative(date, now) };
}

/** "2026-12-01T03:12:00Z": ISO-8601 UTC, milliseconds only when there are some. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** "2026-12-01T03:12:00Z (2 hours ago)" */
export function describeInstant(value: Pick<Instant, 'iso' | 'relative'>): string {
  return `${value.iso} (${value.relative})`;
}

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** A duration in its two largest units: "2 hours 5 minutes", "3 days", "45 seconds". */
export function formatDuration(seconds: number): string {
  let rest = Math.max(0, Math.round(seconds));
  if (rest === 0) return '0 seconds';
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n === 0 && parts.length === 0) continue;
    if (n > 0) parts.push(`${n} ${unit}${n === 1 ? '' : 's'}`);
    rest -= n * size;
    if (parts.length === 2 || (parts.length === 1 && n === 0)) break;
  }
  return parts.join(' ');
}

/** "2 hours 5 minutes ago", "just now", "in 3 minutes". */
export function formatRelative(date: Date, now: Date): string {
  const seconds = (now.getTime() - date.getTime()) / 1000;
  if (Math.abs(seconds) < 1) return 'just now';
  return seconds > 0 ? `${formatDuration(seconds)} ago` : `in ${formatDuration(-seconds)}`;
}
