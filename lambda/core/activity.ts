import { describeValue, ProblemsError } from '../../contract/errors';
import type { ActivityApiRequest } from '../../contract/restore-api';
import type { JournalEntry } from './journal';
import { type JournalView, openJournal, readTimelines } from './journal-reader';
import type { VaultAccess } from './journal-seal';

/*
 * Activity: how fast one source bucket changed, read from the journal, and where it changed abnormally fast.
 * The question a responder asks first is "when did it start?": the answer is the instant just before the burst.
 *
 * - Every change the journal holds for the bucket (and prefix) is classified within its key's timeline, in source
 *   order: a version over a key that had no current version is a *write*, over one that had is an *overwrite*; a
 *   delete marker, a destroyed version or an unversioned delete is a *deletion*.
 * - Changes are counted by source time (the source's clock, as S3 recorded it) into intervals aligned on UTC
 *   multiples of the interval, chosen so the window shows at most AUTO_MAX_INTERVALS of them (or given).
 * - A burst is an interval whose destructive changes (overwrites + deletions) reach `minChanges` and exceed
 *   `factor` times the median of the `window` intervals before it (empty ones included): robust to one earlier
 *   burst, and a burst in the very first interval is still one. Consecutive burst intervals form one burst.
 * - The suggestion is the instant just before the first overwrite or deletion of the latest burst (1 ms before it:
 *   the restore then holds every change before that one; within the burst's first interval, writes of new keys
 *   before it are kept), because the incident being answered is usually the latest; every
 *   burst is listed with its own instant, so an earlier one is never hidden.
 *
 * Memory holds one count per distinct source instant (S3 keeps whole seconds), never the entries.
 */

export interface ActivityQuery {
  readonly bucket: string;
  /** Only keys under this prefix. */
  readonly prefix?: string;
  /** Count only changes at or after this instant (earlier ones still decide what is an overwrite). */
  readonly since?: Date;
  /** Count only changes at or before this instant. */
  readonly until?: Date;
  /** The interval's length in seconds; default the shortest of AUTO_INTERVALS that fits the window. */
  readonly intervalSeconds?: number;
}

export interface BurstRule {
  /** Destructive changes (overwrites + deletions) an interval needs at least. */
  readonly minChanges: number;
  /** ...and more than this times the median of the intervals before it. */
  readonly factor: number;
  /** How many intervals before it the median looks at. */
  readonly window: number;
}

export const DEFAULT_BURST_RULE: BurstRule = { minChanges: 10, factor: 3, window: 24 };

/** Interval lengths (seconds) to choose from: 1 s, 10 s, 1 min, 5 min, 15 min, 1 h, 6 h, 1 day, 7 days. */
export const AUTO_INTERVALS = [1, 10, 60, 300, 900, 3600, 21_600, 86_400, 604_800] as const;
export const AUTO_MAX_INTERVALS = 60;
/** More intervals than this in the window is a request to narrow it or lengthen the interval. */
export const MAX_INTERVALS = 10_000;

export interface ChangeCounts {
  readonly writes: number;
  readonly overwrites: number;
  readonly deletions: number;
}

export interface ActivityInterval extends ChangeCounts {
  /** ISO-8601 UTC; the interval is [start, end). */
  readonly start: string;
  readonly end: string;
  readonly burst: boolean;
}

export interface ActivityBurst extends ChangeCounts {
  readonly start: string;
  readonly end: string;
  /** The burst's first overwrite or deletion (source time), and a key changed then. */
  readonly firstChange: string;
  readonly firstKey: string;
  /** The last change of the bucket (any kind) before the burst's first; null: the journal holds none. */
  readonly lastChangeBefore: string | null;
  /** Restore as of this instant to get the bucket as it was just before the burst; null when nothing precedes it. */
  readonly asOf: string | null;
}

export interface ActivityReport {
  readonly bucket: string;
  readonly prefix: string | null;
  readonly since: string | null;
  readonly until: string | null;
  readonly intervalSeconds: number;
  readonly intervalChosen: 'auto' | 'given';
  readonly rule: BurstRule;
  /** Over the window. */
  readonly totals: ChangeCounts;
  /** First and last change counted (source times); null when none. */
  readonly firstChange: string | null;
  readonly lastChange: string | null;
  /** The intervals of the window that hold changes, in time order (empty ones are omitted). */
  readonly intervals: readonly ActivityInterval[];
  readonly bursts: readonly ActivityBurst[];
  /** The instant to restore to: just before the latest burst; null when there is no burst (or nothing precedes it). */
  readonly suggestedAsOf: string | null;
  /** Index in `bursts` of the burst the suggestion is for. */
  readonly suggestedBurst: number | null;
}

/** A query that cannot be answered as asked: the field, the value, what would do. */
export class ActivityRequestError extends ProblemsError {
  public override readonly name = 'ActivityRequestError';

  public constructor(field: string, received: unknown, expected: string) {
    super(`invalid activity request: ${field}: received ${describeValue(received)}, expected ${expected}`, [
      { field, received: describeValue(received), expected },
    ]);
  }
}

export type ChangeKind = 'write' | 'overwrite' | 'deletion';

/**
 * Each entry of one key's timeline (in source order) with what kind of change it was, replaying the key's state:
 * a destroyed version stops standing, so the version before it is current again (as timeline.currentAt says).
 */
export function classifyTimeline<T extends JournalEntry>(entries: readonly T[]): Array<{ entry: T; change: ChangeKind }> {
  const standing: T[] = [];
  return entries.map((entry) => {
    let change: ChangeKind;
    if (entry.kind === 'version') change = standing.at(-1)?.kind === 'version' ? 'overwrite' : 'write';
    else change = 'deletion';
    if (entry.kind === 'destroyed') {
      const i = standing.findIndex((s) => s.sourceVersionId !== null && s.sourceVersionId === entry.destroys);
      if (i >= 0) standing.splice(i, 1);
    } else standing.push(entry);
    return { entry, change };
  });
}

interface InstantCounts {
  writes: number;
  overwrites: number;
  deletions: number;
  /** A key changed at this instant (the first in key order). */
  key: string;
}

/** Changes per source instant (ms) of the bucket under the prefix, every one of them: the window is applied later. */
export async function countChanges(view: JournalView, query: Pick<ActivityQuery, 'bucket' | 'prefix'>) {
  const instants = new Map<number, InstantCounts>();
  for await (const timeline of readTimelines(view, { bucket: query.bucket, ...(query.prefix ? { prefix: query.prefix } : {}) })) {
    for (const { entry, change } of classifyTimeline(timeline.entries)) {
      const at = Date.parse(entry.sourceTime);
      const counts = instants.get(at) ?? { writes: 0, overwrites: 0, deletions: 0, key: entry.key };
      if (change === 'write') counts.writes++;
      else if (change === 'overwrite') counts.overwrites++;
      else counts.deletions++;
      instants.set(at, counts);
    }
  }
  return instants;
}

/** The shortest automatic interval that shows the span in at most AUTO_MAX_INTERVALS intervals (else the longest). */
export function chooseInterval(firstMs: number, lastMs: number): number {
  for (const seconds of AUTO_INTERVALS) {
    const size = seconds * 1000;
    if (Math.floor(lastMs / size) - Math.floor(firstMs / size) + 1 <= AUTO_MAX_INTERVALS) return seconds;
  }
  return AUTO_INTERVALS[AUTO_INTERVALS.length - 1];
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Which of a run of consecutive intervals' destructive counts are bursts, by the rule. */
export function burstFlags(destructive: readonly number[], rule: BurstRule = DEFAULT_BURST_RULE): boolean[] {
  return destructive.map(
    (count, i) => count >= rule.minChanges && count > rule.factor * median(destructive.slice(Math.max(0, i - rule.window), i)),
  );
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The report over changes counted per instant (countChanges). Pure: the unit tests drive it directly. */
export function activityReport(
  instants: ReadonlyMap<number, InstantCounts>,
  query: ActivityQuery,
  rule: BurstRule = DEFAULT_BURST_RULE,
): ActivityReport {
  const { since, until } = query;
  if (since && until && since > until) {
    throw new ActivityRequestError('since', since.toISOString(), `an instant at or before until (${until.toISOString()})`);
  }
  if (query.intervalSeconds !== undefined && (!Number.isInteger(query.intervalSeconds) || query.intervalSeconds < 1)) {
    throw new ActivityRequestError('intervalSeconds', query.intervalSeconds, 'a whole number of seconds, at least 1');
  }
  const all = [...instants.keys()].sort((a, b) => a - b);
  const inWindow = all.filter((t) => (!since || t >= since.getTime()) && (!until || t <= until.getTime()));
  const base = {
    bucket: query.bucket,
    prefix: query.prefix ?? null,
    since: since ? since.toISOString() : null,
    until: until ? until.toISOString() : null,
    rule,
  };
  const first = inWindow[0];
  const last = inWindow.at(-1);
  if (first === undefined || last === undefined) {
    return {
      ...base,
      intervalSeconds: query.intervalSeconds ?? AUTO_INTERVALS[0],
      intervalChosen: query.intervalSeconds === undefined ? 'auto' : 'given',
      totals: { writes: 0, overwrites: 0, deletions: 0 },
      firstChange: null,
      lastChange: null,
      intervals: [],
      bursts: [],
      suggestedAsOf: null,
      suggestedBurst: null,
    };
  }
  const intervalSeconds = query.intervalSeconds ?? chooseInterval(first, last);
  const size = intervalSeconds * 1000;
  const firstSlot = Math.floor(first / size);
  const slots = Math.floor(last / size) - firstSlot + 1;
  if (slots > MAX_INTERVALS) {
    throw new ActivityRequestError(
      'intervalSeconds',
      intervalSeconds,
      `an interval that divides the changes from ${iso(first)} to ${iso(last)} into at most ${MAX_INTERVALS} intervals ` +
        `(this one makes ${slots}): a longer interval, or a narrower since/until`,
    );
  }
  // Dense: empty intervals count for the median as much as busy ones.
  const dense = Array.from({ length: slots }, () => ({ writes: 0, overwrites: 0, deletions: 0, first: Number.NaN }));
  for (const t of inWindow) {
    const c = instants.get(t) as InstantCounts;
    const slot = dense[Math.floor(t / size) - firstSlot];
    slot.writes += c.writes;
    slot.overwrites += c.overwrites;
    slot.deletions += c.deletions;
    // A burst is measured by its destructive changes: it begins with the first of them, not with a new key's write.
    if (Number.isNaN(slot.first) && c.overwrites + c.deletions > 0) slot.first = t;
  }
  const flags = burstFlags(
    dense.map((d) => d.overwrites + d.deletions),
    rule,
  );
  const intervals: ActivityInterval[] = [];
  const bursts: ActivityBurst[] = [];
  dense.forEach((d, i) => {
    const start = (firstSlot + i) * size;
    const counts = { writes: d.writes, overwrites: d.overwrites, deletions: d.deletions };
    if (d.writes + d.overwrites + d.deletions > 0)
      intervals.push({ start: iso(start), end: iso(start + size), ...counts, burst: flags[i] });
    if (!flags[i]) return;
    const open = bursts.at(-1);
    if (open && flags[i - 1]) {
      bursts[bursts.length - 1] = {
        ...open,
        end: iso(start + size),
        writes: open.writes + d.writes,
        overwrites: open.overwrites + d.overwrites,
        deletions: open.deletions + d.deletions,
      };
      return;
    }
    // The last change of any kind before the burst's first, in the whole history read (not only the window).
    const before = lastBefore(all, d.first);
    bursts.push({
      start: iso(start),
      end: iso(start + size),
      ...counts,
      firstChange: iso(d.first),
      firstKey: (instants.get(d.first) as InstantCounts).key,
      lastChangeBefore: before === undefined ? null : iso(before),
      asOf: before === undefined ? null : iso(d.first - 1),
    });
  });
  const totals = dense.reduce(
    (t, d) => ({ writes: t.writes + d.writes, overwrites: t.overwrites + d.overwrites, deletions: t.deletions + d.deletions }),
    { writes: 0, overwrites: 0, deletions: 0 },
  );
  const latest = bursts.length - 1;
  const suggestedAsOf = latest >= 0 ? bursts[latest].asOf : null;
  return {
    ...base,
    intervalSeconds,
    intervalChosen: query.intervalSeconds === undefined ? 'auto' : 'given',
    totals,
    firstChange: iso(first),
    lastChange: iso(last),
    intervals,
    bursts,
    suggestedAsOf,
    suggestedBurst: suggestedAsOf === null ? null : latest,
  };
}

/** The greatest of sorted `instants` below `t`. */
function lastBefore(instants: readonly number[], t: number): number | undefined {
  let lo = 0;
  let hi = instants.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (instants[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? instants[lo - 1] : undefined;
}

/** The activity of one source bucket as the journal view records it. */
export async function readActivity(view: JournalView, query: ActivityQuery, rule?: BurstRule): Promise<ActivityReport> {
  return activityReport(await countChanges(view, query), query, rule);
}

/** The restore API's activity request answered: the account's journal opened, the bucket's activity read. */
export async function activityOf(vault: VaultAccess, account: string, request: ActivityApiRequest): Promise<ActivityReport> {
  return readActivity(await openJournal(vault, account), {
    bucket: request.sourceBucket,
    ...(request.prefix ? { prefix: request.prefix } : {}),
    ...(request.since ? { since: new Date(request.since) } : {}),
    ...(request.until ? { until: new Date(request.until) } : {}),
    ...(request.intervalSeconds ? { intervalSeconds: request.intervalSeconds } : {}),
  });
}
