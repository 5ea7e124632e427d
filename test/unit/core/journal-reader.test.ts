import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeSegment, type JournalEntry } from '../../../lambda/core/journal';
import { blocksFor, encodeIndex } from '../../../lambda/core/journal-index';
import { openJournal, readAllEntries } from '../../../lambda/core/journal-reader';
import { sealJournal } from '../../../lambda/core/journal-seal';
import { trusted } from '../../../lambda/core/journal-trust';
import { compareKeys } from '../../../lambda/core/timeline';

/*
 * The journal reader and sealer over an in-memory S3 whose clock the test sets: what the local S3 cannot
 * show (a segment whose server write time falls inside an interval already sealed).
 */

const account = '222222222222';

function entry(i: number, key = `k/${i % 5}`): JournalEntry {
  const t = new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString();
  return {
    v: 1,
    kind: 'version',
    account,
    bucket: 'src',
    key,
    token: `v.${i}`,
    vaultKey: `objects/${account}/src/${key}/v.${i}`,
    sourceVersionId: String(i),
    destroys: null,
    sourceEtag: 'e',
    sourceTime: t,
    sequencer: null,
    eventTime: t,
    copiedAt: t,
    size: 1,
    sha256: 'b'.repeat(64),
    vaultVersionId: null,
    contentType: null,
    metadata: {},
  };
}

/** An S3 that stores objects in a Map and dates each write with the test's clock. */
function fakeS3(clock: { now: Date }) {
  const objects = new Map<string, { body: Buffer; metadata: Record<string, string>; lastModified: Date }>();
  const client = new S3Client({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake((input) => {
    objects.set(input.Key, { body: Buffer.from(input.Body), metadata: input.Metadata ?? {}, lastModified: new Date(clock.now) });
    return { ETag: '"x"' };
  });
  mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [...objects]
      .filter(([k]) => k.startsWith(input.Prefix ?? ''))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([Key, o]) => ({ Key, LastModified: o.lastModified })),
  }));
  mock.on(GetObjectCommand).callsFake((input) => {
    const o = objects.get(input.Key);
    if (!o) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey' });
    const [from, to] = input.Range ? input.Range.slice(6).split('-').map(Number) : [0, o.body.length - 1];
    return { Body: Readable.from([o.body.subarray(from, to + 1)]), Metadata: o.metadata };
  });
  return { vault: { client, bucket: 'vault' }, objects, mock };
}

function putSegment(s3: ReturnType<typeof fakeS3>, name: string, entries: JournalEntry[]) {
  const segment = encodeSegment(entries);
  s3.objects.set(`journal/${account}/2026/11/01/${name}.ndjson`, {
    body: segment.body,
    metadata: { sha256: segment.sha256 },
    lastModified: new Date(clock.now),
  });
}

const clock = { now: new Date('2026-11-01T10:00:00Z') };
const later = (seconds: number) => {
  clock.now = new Date(clock.now.getTime() + seconds * 1000);
};

describe('journal reader and sealer', () => {
  it('reports a segment whose server write time falls inside an interval already sealed', async () => {
    clock.now = new Date('2026-11-01T10:00:00Z');
    const s3 = fakeS3(clock);
    putSegment(s3, 'a', [entry(1), entry(2)]);
    later(60);
    const sealed = await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 });
    expect(sealed.sealed).toBe(true);
    // A segment dated before the seal's end, appearing after the seal was written.
    const back = clock.now;
    clock.now = new Date('2026-11-01T10:00:30Z');
    putSegment(s3, 'late', [entry(3)]);
    clock.now = back;
    const view = await openJournal(s3.vault, account);
    expect(view.lateSegments.map((s) => s.key)).toEqual([`journal/${account}/2026/11/01/late.ndjson`]);
    // It is still read (as tail), never silently dropped.
    expect((await readAllEntries(view, 'src')).map((e) => e.token).sort()).toEqual(['v.1', 'v.2', 'v.3']);
  });

  it('reads format 1 segments beside format 2 ones, sealed or not (nothing in a vault is rewritten)', async () => {
    clock.now = new Date('2026-11-01T10:00:00Z');
    const s3 = fakeS3(clock);
    putSegment(s3, 'v1', [entry(1)]);
    later(10);
    await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 });
    putSegment(s3, 'v2', [{ ...entry(2), v: 2, headers: { ContentType: 'text/plain', CacheControl: 'no-cache' } }]);
    const entries = await readAllEntries(await openJournal(s3.vault, account), 'src');
    expect(entries.map((e) => [e.v, e.headers ?? null])).toEqual([
      [1, null],
      [2, { ContentType: 'text/plain', CacheControl: 'no-cache' }],
    ]);
  });

  it('seals nothing twice and chains each seal to the one before', async () => {
    clock.now = new Date('2026-11-01T10:00:00Z');
    const s3 = fakeS3(clock);
    putSegment(s3, 'a', [entry(1)]);
    later(10);
    const first = await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 });
    expect(first.sealed && first.record.segments).toHaveLength(1);
    later(10);
    expect(await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 })).toMatchObject({
      sealed: false,
    });
    putSegment(s3, 'b', [entry(2)]);
    later(10);
    const second = await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 });
    if (!first.sealed || !second.sealed) throw new Error('expected both seals');
    expect(second.record.segments.map((s) => s.key)).toEqual([`journal/${account}/2026/11/01/b.ndjson`]);
    expect(second.record.previous?.key).toBe(first.key);
    expect(second.record.intervalStart).toBe(first.record.intervalEnd);
  });

  it('leaves segments of the current second, and those within the settle time, to the next seal', async () => {
    clock.now = new Date('2026-11-01T10:00:00.400Z');
    const s3 = fakeS3(clock);
    putSegment(s3, 'now', [entry(1)]);
    const result = await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 0 });
    expect(result.sealed).toBe(false);
    later(30);
    const settling = await sealJournal({ reader: s3.vault, writer: s3.vault, account, now: () => clock.now, settleMs: 60_000 });
    expect(settling.sealed).toBe(false);
  });
});

describe('index blocks', () => {
  const entries = Array.from({ length: 500 }, (_, i) => trusted(entry(i, `p${i % 10}/k${i}`), 'seg', new Date()));

  it('writes blocks in key order, and a prefix picks only the blocks that can hold it', () => {
    const index = encodeIndex(entries, 37);
    expect(index.entries).toBe(500);
    for (let i = 1; i < index.blocks.length; i++)
      expect(compareKeys(index.blocks[i - 1].lastKey, index.blocks[i].firstKey)).toBeLessThan(0);
    const chosen = blocksFor(index.blocks, 'p3/');
    expect(chosen.length).toBeLessThan(index.blocks.length);
    const holding = index.blocks.filter((b) => b.firstKey.startsWith('p3/') || b.lastKey.startsWith('p3/'));
    for (const b of holding) expect(chosen).toContain(b);
  });
});
