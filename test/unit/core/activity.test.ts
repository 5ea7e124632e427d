import {
  ActivityRequestError,
  activityReport,
  burstFlags,
  chooseInterval,
  classifyTimeline,
  MAX_INTERVALS,
  readActivity,
} from '../../../lambda/core/activity';
import type { JournalEntry } from '../../../lambda/core/journal';
import { openJournal } from '../../../lambda/core/journal-reader';
import { MemoryVault, version } from './memory-vault';
import { ACCOUNT, BUCKET, entry } from './support';

/*
 * Activity: classification within a key's timeline, counting into intervals, the burst rule and the suggested
 * instant — over hand-made counts, and end to end over an in-memory vault (sealed indexes plus tail).
 */

const T0 = Date.parse('2026-11-29T10:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

const marker = (key: string, id: string, seconds: number): JournalEntry =>
  entry({ kind: 'deleteMarker', key, token: `m.${id}`, sourceVersionId: id, sourceTime: at(seconds) });
const destroyed = (key: string, id: string, seconds: number): JournalEntry =>
  entry({ kind: 'destroyed', key, token: `x.${id}`, sourceVersionId: id, destroys: id, sourceTime: at(seconds) });
const unversionedDelete = (key: string, seconds: number): JournalEntry =>
  entry({ kind: 'deleted', key, token: `d.s${seconds}`, sourceTime: at(seconds) });

/** Counts per instant as countChanges makes them: seconds after T0 -> counts. */
function instants(rows: Array<[number, Partial<{ writes: number; overwrites: number; deletions: number }>, string?]>) {
  return new Map(
    rows.map(([s, c, key]) => [
      T0 + s * 1000,
      { writes: c.writes ?? 0, overwrites: c.overwrites ?? 0, deletions: c.deletions ?? 0, key: key ?? `k${s}` },
    ]),
  );
}

describe('classifyTimeline', () => {
  it('tells a new key from an overwrite, and counts every kind of deletion', () => {
    const changes = classifyTimeline([
      version('a', '1', 0),
      version('a', '2', 1),
      marker('a', 'm1', 2),
      version('a', '3', 3),
      destroyed('a', '3', 4),
      unversionedDelete('a', 5),
    ]).map((c) => c.change);
    // After the marker the key has no current version: the next version is a write again.
    expect(changes).toEqual(['write', 'overwrite', 'deletion', 'write', 'deletion', 'deletion']);
  });

  it('after a destroyed current version the one before is current again: the next version overwrites it', () => {
    const changes = classifyTimeline([version('a', '1', 0), version('a', '2', 1), destroyed('a', '2', 2), version('a', '3', 3)]);
    expect(changes.map((c) => c.change)).toEqual(['write', 'overwrite', 'deletion', 'overwrite']);
  });

  it('after the delete marker itself is destroyed, the version under it is current again', () => {
    const changes = classifyTimeline([version('a', '1', 0), marker('a', 'm1', 1), destroyed('a', 'm1', 2), version('a', '2', 3)]);
    expect(changes.map((c) => c.change)).toEqual(['write', 'deletion', 'deletion', 'overwrite']);
  });

  it('unversioned sources: a content after a delete is a write, after a content an overwrite', () => {
    const content = (s: number) => entry({ kind: 'version', key: 'u', token: `c.${s}.e`, sourceTime: at(s) });
    const changes = classifyTimeline([content(0), content(1), unversionedDelete('u', 2), content(3)]);
    expect(changes.map((c) => c.change)).toEqual(['write', 'overwrite', 'deletion', 'write']);
  });
});

describe('burstFlags', () => {
  const rule = { minChanges: 10, factor: 3, window: 4 };

  it('flags an interval at least minChanges and above factor x the median before it', () => {
    expect(burstFlags([2, 3, 2, 3, 10, 2], rule)).toEqual([false, false, false, false, true, false]);
  });

  it('a busy bucket needs more than factor x its median: 30 over a median of 10 is no burst, 31 is', () => {
    expect(burstFlags([10, 10, 10, 10, 30], rule).at(-1)).toBe(false);
    expect(burstFlags([10, 10, 10, 10, 31], rule).at(-1)).toBe(true);
  });

  it('a burst in the very first interval is a burst (nothing before it: the median is 0)', () => {
    expect(burstFlags([12], rule)).toEqual([true]);
    expect(burstFlags([9], rule)).toEqual([false]);
  });

  it('one earlier burst does not hide a second one (the median is robust to it)', () => {
    expect(burstFlags([0, 0, 50, 0, 0, 40], rule)).toEqual([false, false, true, false, false, true]);
  });

  it('looks only `window` intervals back', () => {
    // Four busy intervals long ago, then quiet: the median of the last 4 is 0 again.
    expect(burstFlags([20, 20, 20, 20, 0, 0, 0, 0, 12], { ...rule, minChanges: 1 }).at(-1)).toBe(true);
    // Two busy intervals still in the window: the median is 10, and 12 is not above 3 x 10.
    expect(burstFlags([20, 20, 20, 20, 0, 0, 12], { ...rule, minChanges: 1 }).at(-1)).toBe(false);
  });
});

describe('chooseInterval', () => {
  it('takes the shortest interval that shows the span in at most 60 intervals', () => {
    expect(chooseInterval(T0, T0 + 4_000)).toBe(1);
    expect(chooseInterval(T0, T0 + 59_000)).toBe(1);
    expect(chooseInterval(T0, T0 + 60_000)).toBe(10);
    expect(chooseInterval(T0, T0 + 3 * 3600_000)).toBe(300);
    expect(chooseInterval(T0, T0 + 30 * 86_400_000)).toBe(86_400);
    expect(chooseInterval(T0, T0 + 3000 * 86_400_000)).toBe(604_800);
  });
});

describe('activityReport', () => {
  it('an empty journal: no intervals, no burst, no suggestion', () => {
    const report = activityReport(new Map(), { bucket: BUCKET });
    expect(report).toMatchObject({ intervals: [], bursts: [], suggestedAsOf: null, firstChange: null, totals: { writes: 0 } });
  });

  it('one interval of ordinary writes: no burst', () => {
    const report = activityReport(instants([[0, { writes: 50 }]]), { bucket: BUCKET });
    expect(report.intervals).toEqual([{ start: at(0), end: at(1), writes: 50, overwrites: 0, deletions: 0, burst: false }]);
    expect(report.bursts).toEqual([]);
    expect(report.suggestedAsOf).toBeNull();
  });

  it('suggests 1 ms before the first change of the burst, after the last change before it', () => {
    const report = activityReport(
      instants([
        [0, { writes: 6 }],
        [1, { overwrites: 6 }],
        [2, { overwrites: 1, deletions: 1 }],
        [4, { deletions: 14 }, 'db/customers.dump'],
      ]),
      { bucket: BUCKET },
    );
    expect(report.intervalSeconds).toBe(1);
    expect(report.intervals.map((i) => i.burst)).toEqual([false, false, false, true]);
    expect(report.bursts).toEqual([
      {
        start: at(4),
        end: at(5),
        writes: 0,
        overwrites: 0,
        deletions: 14,
        firstChange: at(4),
        firstKey: 'db/customers.dump',
        lastChangeBefore: at(2),
        asOf: new Date(T0 + 3999).toISOString(),
      },
    ]);
    expect(report.suggestedAsOf).toBe('2026-11-29T10:00:03.999Z');
    expect(report.suggestedBurst).toBe(0);
    expect(report.totals).toEqual({ writes: 6, overwrites: 7, deletions: 15 });
  });

  it('within the burst interval, T is before its first change, not the interval start', () => {
    // 5-minute intervals: the burst interval starts at 10:05, its first change is at 10:07:30.
    const report = activityReport(
      instants([
        [0, { writes: 3 }],
        [450, { deletions: 40 }],
        [460, { deletions: 40 }],
      ]),
      { bucket: BUCKET, intervalSeconds: 300 },
    );
    expect(report.bursts[0]).toMatchObject({ start: at(300), firstChange: at(450), deletions: 80 });
    expect(report.suggestedAsOf).toBe(new Date(T0 + 449_999).toISOString());
  });

  it('T is before the first overwrite or deletion of the burst interval: a new key written earlier in it is kept', () => {
    const report = activityReport(
      instants([
        [0, { writes: 3 }],
        [301, { writes: 2 }],
        [320, { deletions: 30 }, 'wiped'],
      ]),
      { bucket: BUCKET, intervalSeconds: 300 },
    );
    expect(report.bursts[0]).toMatchObject({ firstChange: at(320), firstKey: 'wiped', lastChangeBefore: at(301), writes: 2 });
    expect(report.suggestedAsOf).toBe(new Date(T0 + 319_999).toISOString());
  });

  it('a burst at the very start: listed, but nothing precedes it to restore to', () => {
    const report = activityReport(instants([[0, { deletions: 20 }]]), { bucket: BUCKET });
    expect(report.bursts).toHaveLength(1);
    expect(report.bursts[0]).toMatchObject({ lastChangeBefore: null, asOf: null });
    expect(report.suggestedAsOf).toBeNull();
    expect(report.suggestedBurst).toBeNull();
  });

  it('two bursts: both listed with their own T, the suggestion is for the latest', () => {
    const report = activityReport(
      instants([
        [0, { writes: 5 }],
        [10, { overwrites: 30 }],
        [20, { writes: 1 }],
        [40, { deletions: 25 }],
      ]),
      { bucket: BUCKET },
    );
    expect(report.bursts.map((b) => [b.firstChange, b.asOf])).toEqual([
      [at(10), new Date(T0 + 9_999).toISOString()],
      [at(40), new Date(T0 + 39_999).toISOString()],
    ]);
    expect(report.suggestedBurst).toBe(1);
    expect(report.suggestedAsOf).toBe(new Date(T0 + 39_999).toISOString());
  });

  it('consecutive burst intervals are one burst, counted together', () => {
    const report = activityReport(
      instants([
        [0, { writes: 5 }],
        [5, { deletions: 20 }],
        [6, { deletions: 30 }],
        [7, { overwrites: 12 }],
      ]),
      { bucket: BUCKET },
    );
    expect(report.bursts).toEqual([expect.objectContaining({ start: at(5), end: at(8), deletions: 50, overwrites: 12 })]);
  });

  it('since/until count only the window, but a change before it still precedes the burst', () => {
    const report = activityReport(
      instants([
        [0, { writes: 5 }],
        [100, { deletions: 20 }],
      ]),
      { bucket: BUCKET, since: new Date(T0 + 50_000) },
    );
    expect(report.totals).toEqual({ writes: 0, overwrites: 0, deletions: 20 });
    expect(report.bursts[0]).toMatchObject({ lastChangeBefore: at(0), asOf: new Date(T0 + 99_999).toISOString() });
    const before = activityReport(
      instants([
        [0, { writes: 5 }],
        [100, { deletions: 20 }],
      ]),
      {
        bucket: BUCKET,
        until: new Date(T0 + 50_000),
      },
    );
    expect(before.totals.deletions).toBe(0);
    expect(before.bursts).toEqual([]);
  });

  it('refuses since after until, and an interval that makes too many intervals, naming the field', () => {
    expect(() => activityReport(new Map(), { bucket: BUCKET, since: new Date(T0 + 1), until: new Date(T0) })).toThrow(
      'invalid activity request: since: received "2026-11-29T10:00:00.001Z", expected an instant at or before until (2026-11-29T10:00:00.000Z)',
    );
    const long = instants([
      [0, { writes: 1 }],
      [MAX_INTERVALS + 5, { writes: 1 }],
    ]);
    const error = (() => {
      try {
        activityReport(long, { bucket: BUCKET, intervalSeconds: 1 });
      } catch (e) {
        return e as ActivityRequestError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(ActivityRequestError);
    expect(error.problems).toEqual([
      expect.objectContaining({
        field: 'intervalSeconds',
        received: '1',
        expected: expect.stringContaining('at most 10000 intervals'),
      }),
    ]);
    expect(() => activityReport(long, { bucket: BUCKET, intervalSeconds: 0 })).toThrow(
      'intervalSeconds: received 0, expected a whole number of seconds, at least 1',
    );
  });
});

describe('readActivity over a vault journal', () => {
  it('classifies from whole timelines across sealed indexes and the tail, and suggests T before the wipe', async () => {
    const vault = new MemoryVault();
    const keys = Array.from({ length: 12 }, (_, i) => `docs/${String(i).padStart(2, '0')}.txt`);
    await vault.append(
      ACCOUNT,
      keys.map((k) => version(k, `${k}-1`, 0)),
    );
    await vault.seal(ACCOUNT);
    // Overwrites a minute later (sealed), then the wipe (unsealed tail): every key's delete marker.
    await vault.append(
      ACCOUNT,
      keys.slice(0, 3).map((k) => version(k, `${k}-2`, 60)),
    );
    await vault.seal(ACCOUNT);
    await vault.append(
      ACCOUNT,
      keys.map((k) => marker(k, `${k}-m`, 120)),
    );
    await vault.append(ACCOUNT, [version('other/x', 'o1', 121, { bucket: 'another-bucket' })]);
    const view = await openJournal(vault.access, ACCOUNT);
    expect(view.seals).toHaveLength(2);

    const report = await readActivity(view, { bucket: BUCKET, intervalSeconds: 60 });
    expect(report.intervals).toEqual([
      { start: at(0), end: at(60), writes: 12, overwrites: 0, deletions: 0, burst: false },
      { start: at(60), end: at(120), writes: 0, overwrites: 3, deletions: 0, burst: false },
      { start: at(120), end: at(180), writes: 0, overwrites: 0, deletions: 12, burst: true },
    ]);
    expect(report.suggestedAsOf).toBe(new Date(T0 + 119_999).toISOString());
    expect(report.bursts[0]?.lastChangeBefore).toBe(at(60));

    const underPrefix = await readActivity(view, { bucket: BUCKET, prefix: 'docs/0', intervalSeconds: 60 });
    expect(underPrefix.totals).toEqual({ writes: 10, overwrites: 3, deletions: 10 });
    expect(underPrefix.bursts).toHaveLength(1);
  });
});
