import fc from 'fast-check';
import { decodeSegment, encodeSegment, JournalIntegrityError, uniqueEntries } from '../../../lambda/core/journal';
import { compareKeys, compareSequencers, currentAt, timelines } from '../../../lambda/core/timeline';
import { entry } from './support';

describe('journal segments', () => {
  const entries = [
    entry({ kind: 'version', token: 'v.1', sourceTime: '2026-11-29T10:00:00.000Z', sha256: 'a'.repeat(64), size: 3 }),
    entry({ kind: 'deleteMarker', token: 'm.2', sourceTime: '2026-11-29T10:00:05.000Z' }),
  ];

  it('round-trip through newline-delimited JSON with the SHA-256 of their content', () => {
    const segment = encodeSegment(entries);
    expect(segment.body.toString().split('\n')).toHaveLength(3);
    expect(decodeSegment('journal/x.ndjson', segment.body, segment.sha256)).toEqual(entries);
  });

  it('refuse a segment whose content no longer hashes to what was recorded', () => {
    const segment = encodeSegment(entries);
    const tampered = Buffer.from(segment.body.toString().replace('"v.1"', '"v.9"'));
    expect(() => decodeSegment('journal/x.ndjson', tampered, segment.sha256)).toThrow(JournalIntegrityError);
    expect(() => decodeSegment('journal/x.ndjson', tampered, segment.sha256)).toThrow(
      /journal segment journal\/x.ndjson: content hashes to [0-9a-f]{64}, but its metadata records/,
    );
    expect(() => decodeSegment('journal/x.ndjson', segment.body, undefined)).toThrow('its metadata records (nothing)');
  });

  it('refuse a line that is not a journal entry', () => {
    const body = Buffer.from('{"v":1}\n');
    const sha = require('node:crypto').createHash('sha256').update(body).digest('hex');
    expect(() => decodeSegment('s', body, sha)).toThrow('line 1 is not a journal entry');
  });

  it('keep one entry per vault key, preferring the attempt that wrote the vault object', () => {
    const replay = { ...entries[0], vaultVersionId: null, copiedAt: '2026-11-29T13:00:00.000Z' };
    expect(uniqueEntries([replay, entries[0], entries[1]])).toEqual([entries[0], entries[1]]);
    expect(uniqueEntries([entries[0], replay])).toEqual([entries[0]]);
  });
});

describe('timeline', () => {
  const v1 = entry({
    kind: 'version',
    token: 'v.1',
    sourceVersionId: '1',
    sourceTime: '2026-11-29T10:00:00.000Z',
    sequencer: '0A',
  });
  const v2 = entry({
    kind: 'version',
    token: 'v.2',
    sourceVersionId: '2',
    sourceTime: '2026-11-29T10:00:00.000Z',
    sequencer: '0B',
  });
  const marker = entry({
    kind: 'deleteMarker',
    token: 'm.3',
    sourceVersionId: '3',
    sourceTime: '2026-11-29T10:05:00.000Z',
    sequencer: '10',
  });
  const at = (iso: string) => new Date(iso);

  it('compares sequencers of different lengths as numbers', () => {
    expect(compareSequencers('0A', 'B')).toBeLessThan(0);
    expect(compareSequencers('100', 'FF')).toBeGreaterThan(0);
    expect(compareSequencers('00ff', 'FF')).toBe(0);
  });

  it('orders entries by source time then sequencer, whatever order they were copied in', () => {
    const [timeline] = timelines([marker, v2, v1, v2]);
    expect(timeline.entries.map((e) => e.token)).toEqual(['v.1', 'v.2', 'm.3']);
  });

  it('answers what was current at any instant: nothing before, the newest version, nothing behind a marker', () => {
    const [timeline] = timelines([v1, v2, marker]);
    expect(currentAt(timeline, at('2026-11-29T09:59:59Z'))).toBeNull();
    expect(currentAt(timeline, at('2026-11-29T10:00:00Z'))?.token).toBe('v.2');
    expect(currentAt(timeline, at('2026-11-29T10:04:59Z'))?.token).toBe('v.2');
    expect(currentAt(timeline, at('2026-11-29T10:05:00Z'))).toBeNull();
  });

  it('lets a permanent delete of the current version bring the previous one back, as in the source', () => {
    const destroyV2 = entry({ kind: 'destroyed', token: 'x.2', destroys: '2', sourceTime: '2026-11-29T10:01:00.000Z' });
    const [timeline] = timelines([v1, v2, destroyV2]);
    expect(currentAt(timeline, at('2026-11-29T10:00:30Z'))?.token).toBe('v.2');
    expect(currentAt(timeline, at('2026-11-29T10:01:00Z'))?.token).toBe('v.1');
  });

  it('lets a permanent delete of a delete marker undelete the object', () => {
    const removeMarker = entry({ kind: 'destroyed', token: 'x.3', destroys: '3', sourceTime: '2026-11-29T10:06:00.000Z' });
    const [timeline] = timelines([v1, v2, marker, removeMarker]);
    expect(currentAt(timeline, at('2026-11-29T10:05:30Z'))).toBeNull();
    expect(currentAt(timeline, at('2026-11-29T10:06:00Z'))?.token).toBe('v.2');
  });

  it('treats an unversioned deletion as the end of the object until it is written again', () => {
    const c1 = entry({ kind: 'version', token: 'c.1', sourceTime: '2026-11-29T10:00:00.000Z', sequencer: '01' });
    const gone = entry({ kind: 'deleted', token: 'd.s02', sourceTime: '2026-11-29T10:00:00.000Z', sequencer: '02' });
    const c3 = entry({ kind: 'version', token: 'c.3', sourceTime: '2026-11-29T10:00:09.000Z', sequencer: '03' });
    const [timeline] = timelines([c3, gone, c1]);
    expect(currentAt(timeline, at('2026-11-29T10:00:05Z'))).toBeNull();
    expect(currentAt(timeline, at('2026-11-29T10:00:09Z'))?.token).toBe('c.3');
  });

  it('keeps the timelines of different keys apart', () => {
    const other = { ...v1, key: 'b.txt', vaultKey: 'objects/x/b/v.1' };
    expect(
      timelines([v1, other])
        .map((t) => t.key)
        .sort(),
    ).toEqual(['a.txt', 'b.txt']);
  });
});

describe('compareKeys', () => {
  const utf8Order = (a: string, b: string) => Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

  it('orders keys as S3 lists them (by UTF-8 bytes), astral characters included', () => {
    // Keys that differ only in the low surrogate of one character once compared equal.
    expect(compareKeys('a/\u{1F600}', 'a/\u{1F601}')).toBeLessThan(0);
    expect(compareKeys('\u{1F601}', '\u{1F600}')).toBeGreaterThan(0);
    expect(compareKeys('\uFFFF', '\u{10000}')).toBeLessThan(0);
    expect(compareKeys('\u{10000}', '\uE000')).toBeGreaterThan(0);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 6 }), (a, b) => {
        expect(Math.sign(compareKeys(a, b))).toBe(utf8Order(a, b));
        expect(Math.sign(compareKeys(`p${a}`, `p${b}`))).toBe(utf8Order(a, b));
      }),
      { numRuns: 2000, seed: 20261201 },
    );
  });
});
