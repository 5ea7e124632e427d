import { ListObjectVersionsCommand, type ListObjectVersionsCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { copyBatch } from '../../../lambda/core/copier';
import type { JournalEntry } from '../../../lambda/core/journal';
import { openJournal, readTimelines } from '../../../lambda/core/journal-reader';
import { type ReconcileCheckpoint, type ReconcilerDependencies, reconcile } from '../../../lambda/core/reconciler';
import { parseSourceChange, RECONCILER_EVENT_SOURCE } from '../../../lambda/core/source-change';
import { currentAt } from '../../../lambda/core/timeline';
import { versionToken } from '../../../lambda/core/vault-keys';
import { MemoryVault, version } from './memory-vault';
import { ACCOUNT, BUCKET, entry } from './support';

const sourceClient = new S3Client({ region: 'eu-west-1' });
const source = mockClient(sourceClient);
const T = new Date('2026-11-29T10:00:00.000Z');
const NOW = new Date('2026-11-30T08:00:00.000Z');
const scope = {
  account: ACCOUNT,
  sources: [{ bucket: BUCKET }, { bucket: 'acme-prod-uploads', prefixes: ['customer/', 'exports/'] }],
};

let vault: MemoryVault;

function deps(overrides: Partial<ReconcilerDependencies> = {}) {
  const enqueued: string[] = [];
  const d: ReconcilerDependencies = {
    scope,
    source: sourceClient,
    openJournal: () => openJournal(vault.access, ACCOUNT),
    enqueue: async (bodies) => {
      enqueued.push(...bodies);
    },
    remainingMs: () => 60_000,
    marginMs: 10_000,
    newRunId: () => 'run-1',
    now: () => NOW,
    ...overrides,
  };
  return { d, enqueued };
}

/** The enqueued messages as the copier reads them, in a compact form. */
function changes(bodies: string[]) {
  return bodies.map((body) => {
    const c = parseSourceChange(body, scope, 'enqueued');
    const what = c.type === 'created' ? 'created' : c.deletion === 'deleteMarker' ? 'marker' : 'permanent';
    return [what, c.key, c.versionId];
  });
}

/** Remaining time: `first` for the first `n` checks, then nearly nothing. */
function runsOutAfter(n: number) {
  let calls = 0;
  return () => (calls++ < n ? 60_000 : 1_000);
}

const v = (Key: string, VersionId: string) => ({ Key, VersionId, ETag: `"e-${VersionId}"`, LastModified: T });
const page = (versions: ReturnType<typeof v>[], next?: { key: string; versionId: string }): ListObjectVersionsCommandOutput => ({
  $metadata: {},
  Versions: versions,
  IsTruncated: next !== undefined,
  ...(next ? { NextKeyMarker: next.key, NextVersionIdMarker: next.versionId } : {}),
});

/** Content of an unversioned source, as the copier journals it. */
function content(key: string, etag: string, at: Date): JournalEntry {
  const token = versionToken({ versionId: null, etag, lastModified: at });
  return entry({
    kind: 'version',
    key,
    token,
    vaultKey: `objects/${ACCOUNT}/${BUCKET}/${key}/${token}`,
    sourceEtag: etag,
    sourceTime: at.toISOString(),
  });
}

beforeEach(() => {
  vault = new MemoryVault();
  source.reset();
  source.on(ListObjectVersionsCommand).resolves({ Versions: [], DeleteMarkers: [] });
});

describe('reconcile', () => {
  it("enqueues every version and delete marker the journal lacks, in the copier's own message shape", async () => {
    await vault.append(ACCOUNT, [version('a', 'have', 0)]);
    source.on(ListObjectVersionsCommand, { Bucket: BUCKET }).resolves({
      Versions: [
        { Key: 'a', VersionId: 'have', ETag: '"e1"', LastModified: T },
        { Key: 'a', VersionId: 'lost', ETag: '"e2"', LastModified: T },
        { Key: 'legacy', VersionId: 'null', ETag: '"e3"', LastModified: T },
      ],
      DeleteMarkers: [{ Key: 'b', VersionId: 'marker', LastModified: T }],
    });
    const { d, enqueued } = deps();
    const result = await reconcile(d);
    expect(result).toEqual({ done: true, checkpoint: expect.objectContaining({ listed: 4, enqueued: 3 }) });
    expect(enqueued.map((body) => parseSourceChange(body, scope, 'enqueued'))).toEqual([
      expect.objectContaining({ type: 'created', key: 'a', versionId: 'lost', etag: 'e2', origin: 'reconciler' }),
      expect.objectContaining({ type: 'deleted', key: 'b', deletion: 'deleteMarker', versionId: 'marker' }),
      expect.objectContaining({ type: 'created', key: 'legacy', versionId: null, etag: 'e3' }),
    ]);
  });

  it('lists only the configured prefixes of a source', async () => {
    const { d } = deps();
    await reconcile(d);
    const prefixes = source
      .commandCalls(ListObjectVersionsCommand, { Bucket: 'acme-prod-uploads' })
      .map((c) => c.args[0].input.Prefix);
    expect(prefixes).toEqual(['customer/', 'exports/']);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, { Bucket: BUCKET, Prefix: undefined });
  });

  it('follows truncated listings page by page', async () => {
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolvesOnce(page([v('k1', 'v1')], { key: 'k1', versionId: 'v1' }))
      .resolvesOnce(page([v('k2', 'v2')]));
    const { d, enqueued } = deps();
    await reconcile(d);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      Bucket: BUCKET,
      KeyMarker: 'k1',
      VersionIdMarker: 'v1',
    });
    expect(changes(enqueued)).toEqual([
      ['created', 'k1', 'v1'],
      ['created', 'k2', 'v2'],
    ]);
  });

  it('enqueues nothing when the vault already has everything', async () => {
    await vault.append(ACCOUNT, [version('a', 'have', 0)]);
    source.on(ListObjectVersionsCommand, { Bucket: BUCKET }).resolves({ Versions: [v('a', 'have')] });
    const { d, enqueued } = deps();
    expect((await reconcile(d)).checkpoint.enqueued).toBe(0);
    expect(enqueued).toEqual([]);
  });
});

describe('reconcile: the listing and the journal merged by key', () => {
  it('enqueues keys only listed, records what keys only journaled lost, and checks keys in both version by version', async () => {
    await vault.append(ACCOUNT, [
      version('a', 'a1', 0),
      version('c', 'c1', 1),
      version('c', 'c2', 2),
      version('e', 'e1', 3),
      { ...version('e', 'e2', 4), kind: 'deleteMarker', token: 'm.e2' },
      version('g', 'g1', 5),
      { ...version('g', 'g1', 6), kind: 'destroyed', token: 'x.g1', vaultKey: 'x.g1', sourceVersionId: null, destroys: 'g1' },
    ]);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolves(page([v('a', 'a1'), v('a', 'a2'), v('b', 'b1'), v('c', 'c2'), v('f', 'f1')]));
    const { d, enqueued } = deps();
    await reconcile(d);
    expect(changes(enqueued)).toEqual([
      ['created', 'a', 'a2'], // in both: the new version
      ['created', 'b', 'b1'], // only listed
      ['permanent', 'c', 'c1'], // in both: the journal's c1 is no longer listed
      ['permanent', 'e', 'e1'], // only journaled: its version and its marker were destroyed
      ['permanent', 'e', 'e2'],
      ['created', 'f', 'f1'],
      // g: only journaled, and its one version already destroyed there: nothing new
    ]);
    // The destructions found are timed when the listing was asked for, and marked as the reconciler's.
    expect(JSON.parse(enqueued[2] as string)).toMatchObject({ source: RECONCILER_EVENT_SOURCE, time: NOW.toISOString() });
  });

  it("checks a key whose versions span two listing pages as one key: nothing is taken as destroyed at the page's edge", async () => {
    await vault.append(ACCOUNT, [version('k', 'v1', 1), version('k', 'v2', 2), version('k', 'v3', 3), version('k', 'v0', 0)]);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolvesOnce(page([v('k', 'v3'), v('k', 'v2')], { key: 'k', versionId: 'v2' }))
      .resolvesOnce(page([v('k', 'v1'), v('z', 'z1')]));
    const { d, enqueued } = deps();
    await reconcile(d);
    // v0 is listed on neither page: destroyed. v1, on the second page, is not.
    expect(changes(enqueued)).toEqual([
      ['permanent', 'k', 'v0'],
      ['created', 'z', 'z1'],
    ]);
  });

  it('continues from a checkpoint by seeking the journal to its key: only the index blocks after it are read', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await vault.append(
      ACCOUNT,
      keys.map((k) => version(k, `${k}v`, 0)),
    );
    await vault.seal(ACCOUNT, 5);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET, KeyMarker: 'k24' })
      .resolves(page(keys.slice(25).map((k) => v(k, `${k}v`))));
    const from: ReconcileCheckpoint = {
      runId: 'run-1',
      sourceIndex: 0,
      prefixIndex: 0,
      keyMarker: 'k24',
      listed: 25,
      enqueued: 0,
    };
    const { d, enqueued } = deps({ scope: { account: ACCOUNT, sources: [{ bucket: BUCKET }] } });
    vault.forgetCalls();
    const result = await reconcile(d, from);
    expect(result).toEqual({ done: true, checkpoint: expect.objectContaining({ listed: 30, enqueued: 0 }) });
    expect(enqueued).toEqual([]);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, { KeyMarker: 'k24', VersionIdMarker: undefined });
    // Of the six blocks of five keys, only the last (k25-k29) is read.
    expect(vault.gets().filter((g) => g.key.includes('/index/'))).toHaveLength(1);
  });

  it('stops at the last complete key: the key still open is listed again from its first version, nothing enqueued twice', async () => {
    await vault.append(ACCOUNT, [version('a', 'a1', 0), version('b', 'b0', 0)]);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET, KeyMarker: undefined })
      .resolves(page([v('a', 'a1'), v('a', 'a2'), v('b', 'b2')], { key: 'b', versionId: 'b2' }));
    const { d, enqueued } = deps({ remainingMs: runsOutAfter(1) });
    const first = await reconcile(d);
    expect(first).toEqual({
      done: false,
      checkpoint: { runId: 'run-1', sourceIndex: 0, prefixIndex: 0, keyMarker: 'a', listed: 2, enqueued: 1 },
    });
    expect(changes(enqueued)).toEqual([['created', 'a', 'a2']]);

    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET, KeyMarker: 'a' })
      .resolves(page([v('b', 'b2'), v('b', 'b1'), v('b', 'b0')]));
    const second = await reconcile({ ...d, remainingMs: () => 60_000 }, first.checkpoint);
    expect(second).toEqual({ done: true, checkpoint: expect.objectContaining({ listed: 5, enqueued: 3 }) });
    expect(changes(enqueued)).toEqual([
      ['created', 'a', 'a2'],
      ['created', 'b', 'b2'],
      ['created', 'b', 'b1'],
    ]);
  });

  it('resumes inside a key that outgrew its invocation, checking the rest of it for missing versions only', async () => {
    await vault.append(ACCOUNT, [version('k', 'v1', 1), version('k', 'gone', 0)]);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolvesOnce(page([v('k', 'v3'), v('k', 'v2')], { key: 'k', versionId: 'v2' }))
      .resolvesOnce(page([v('k', 'v1')]));
    const { d, enqueued } = deps({ remainingMs: runsOutAfter(1) });
    const first = await reconcile(d);
    expect(first.checkpoint).toMatchObject({ keyMarker: 'k', versionIdMarker: 'v2', listed: 2, enqueued: 2 });
    const second = await reconcile({ ...d, remainingMs: () => 60_000 }, first.checkpoint);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, { KeyMarker: 'k', VersionIdMarker: 'v2' });
    expect(second.checkpoint).toMatchObject({ listed: 3, enqueued: 2 });
    // v1 is journaled (found by seeking to k); `gone` may have been on the first part: k is not known whole.
    expect(changes(enqueued)).toEqual([
      ['created', 'k', 'v3'],
      ['created', 'k', 'v2'],
    ]);
  });
});

describe('reconcile: unversioned deletions whose event was lost', () => {
  const copy = (bodies: string[], segmentId: string) =>
    copyBatch(
      {
        copy: {
          sourceAccount: ACCOUNT,
          source: sourceClient,
          sourceRole: 'strongroom-copier',
          vault: { client: vault.client, bucket: vault.bucket, writerRole: 'strongroom-ingest', writeOnce: 'server' },
          tuning: { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 },
          now: () => vault.clock,
        },
        scope,
        log: { info: () => undefined, warn: () => undefined, error: () => undefined },
        count: () => undefined,
        concurrency: 2,
        segmentId,
      },
      bodies.map((body, i) => ({ messageId: `m${i}`, body })),
    );
  const timelineOf = async (key: string) => {
    for await (const t of readTimelines(await openJournal(vault.access, ACCOUNT), { bucket: BUCKET, prefix: key }))
      if (t.key === key) return t;
    throw new Error(`no timeline for ${key}`);
  };

  beforeEach(async () => {
    await vault.append(ACCOUNT, [
      content('gone.csv', 'e1', T),
      content('kept.csv', 'e2', T),
      content('was-deleted.csv', 'e3', T),
      {
        ...content('was-deleted.csv', 'e3', T),
        kind: 'deleted',
        token: 'd.s0A',
        vaultKey: 'd.s0A',
        sourceTime: '2026-11-29T11:00:00.000Z',
      },
    ]);
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolves({ Versions: [{ Key: 'kept.csv', VersionId: 'null', ETag: '"e2"', LastModified: T }] });
  });

  it('enqueues a deletion, timed when the listing was asked for, that the copier records as a d.r tombstone', async () => {
    const { d, enqueued } = deps();
    await reconcile(d);
    expect(enqueued).toHaveLength(1);
    expect(JSON.parse(enqueued[0] as string)).toEqual({
      source: RECONCILER_EVENT_SOURCE,
      'detail-type': 'Object Deleted',
      account: ACCOUNT,
      time: NOW.toISOString(),
      detail: { bucket: { name: BUCKET }, object: { key: 'gone.csv' }, 'deletion-type': 'Permanently Deleted' },
    });
    expect(parseSourceChange(enqueued[0] as string, scope, 'enqueued')).toEqual({
      type: 'deleted',
      deletion: 'permanent',
      bucket: BUCKET,
      key: 'gone.csv',
      versionId: null,
      sequencer: null,
      eventTime: NOW,
      origin: 'reconciler',
    });

    vault.tick();
    const copied = await copy(enqueued, 'reconciled');
    expect(copied.failedMessageIds).toEqual([]);
    const timeline = await timelineOf('gone.csv');
    expect(timeline.entries.map((e) => [e.kind, e.token, e.sourceTime])).toEqual([
      ['version', expect.stringMatching(/^c\./), T.toISOString()],
      ['deleted', `d.r${NOW.getTime()}`, NOW.toISOString()],
    ]);
    expect(currentAt(timeline, new Date(NOW.getTime() - 1))?.sourceEtag).toBe('e1');
    expect(currentAt(timeline, NOW)).toBeNull();
    // Recorded: the next pass finds nothing to do.
    const again = deps({ now: () => new Date(NOW.getTime() + 3_600_000) });
    await reconcile(again.d);
    expect(again.enqueued).toEqual([]);
  });

  it('may enqueue a second deletion when a pass runs before the first was copied; the timeline still ends deleted, from the first', async () => {
    const first = deps();
    await reconcile(first.d);
    const later = new Date(NOW.getTime() + 3_600_000);
    const second = deps({ now: () => later });
    await reconcile(second.d);
    expect(changes([...first.enqueued, ...second.enqueued])).toEqual([
      ['permanent', 'gone.csv', null],
      ['permanent', 'gone.csv', null],
    ]);
    vault.tick();
    await copy([...second.enqueued, ...first.enqueued], 'both');
    const timeline = await timelineOf('gone.csv');
    expect(timeline.entries.map((e) => e.token).slice(1)).toEqual([`d.r${NOW.getTime()}`, `d.r${later.getTime()}`]);
    expect(currentAt(timeline, new Date(NOW.getTime() - 1))?.kind).toBe('version');
    expect(currentAt(timeline, NOW)).toBeNull();
    expect(currentAt(timeline, later)).toBeNull();
  });

  it("times the deletion after the content it deletes, even when the reconciler's clock says the same millisecond", async () => {
    const { d, enqueued } = deps({ now: () => T });
    await reconcile(d);
    expect(JSON.parse(enqueued[0] as string).time).toBe(new Date(T.getTime() + 1).toISOString());
  });
});
