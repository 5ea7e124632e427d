/** Instants and spans as the AWS-only checks print them: UTC to the second, spans in days or hours. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** `2026-01-15T12:00:00Z`. */
export function utc(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/** `3 days`, `1 day`, `5 hours`, `less than an hour`: a span for a summary line. */
export function span(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  if (days >= 1) return `${days} day${days === 1 ? '' : 's'}`;
  const hours = Math.floor(ms / HOUR_MS);
  if (hours >= 1) return `${hours} hour${hours === 1 ? '' : 's'}`;
  return 'less than an hour';
}

/** Hours, rounded to two decimals, for evidence. */
export const hours = (ms: number): number => Math.round((ms / HOUR_MS) * 100) / 100;
