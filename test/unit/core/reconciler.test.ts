import { ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type ReconcilerDependencies, reconcile } from '../../../lambda/core/reconciler';
import { parseSourceChange } from '../../../lambda/core/source-change';
import { ACCOUNT, BUCKET, entry } from './support';

const sourceClient = new S3Client({ region: 'eu-west-1' });
const source = mockClient(sourceClient);
const T = new Date('2026-11-29T10:00:00.000Z');
const scope = {
  account: ACCOUNT,
  sources: [{ bucket: BUCKET }, { bucket: 'acme-prod-uploads', prefixes: ['customer/', 'exports/'] }],
};

function deps(overrides: Partial<ReconcilerDependencies> = {}) {
  const enqueued: string[] = [];
  const d: ReconcilerDependencies = {
    scope,
    source: sourceClient,
    readJournal: async () => [entry({ kind: 'version', token: 'v.have', key: 'a', sourceTime: T.toISOString() })],
    enqueue: async (bodies) => {
      enqueued.push(...bodies);
    },
    remainingMs: () => 60_000,
    marginMs: 10_000,
    newRunId: () => 'run-1',
    ...overrides,
  };
  return { d, enqueued };
}

beforeEach(() => {
  source.reset();
  source.on(ListObjectVersionsCommand).resolves({ Versions: [], DeleteMarkers: [] });
});

describe('reconcile', () => {
  it("enqueues every version and delete marker the journal lacks, in the copier's own message shape", async () => {
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
    const changes = enqueued.map((body) => parseSourceChange(body, scope, 'enqueued'));
    expect(changes).toEqual([
      expect.objectContaining({ type: 'created', key: 'a', versionId: 'lost', etag: 'e2', origin: 'reconciler' }),
      expect.objectContaining({ type: 'created', key: 'legacy', versionId: null, etag: 'e3' }),
      expect.objectContaining({ type: 'deleted', key: 'b', deletion: 'deleteMarker', versionId: 'marker' }),
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
      .resolvesOnce({
        IsTruncated: true,
        NextKeyMarker: 'k1',
        NextVersionIdMarker: 'v1',
        Versions: [{ Key: 'k1', VersionId: 'v1', ETag: '"e"', LastModified: T }],
      })
      .resolvesOnce({ Versions: [{ Key: 'k2', VersionId: 'v2', ETag: '"e"', LastModified: T }] });
    const { d, enqueued } = deps();
    await reconcile(d);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, {
      Bucket: BUCKET,
      KeyMarker: 'k1',
      VersionIdMarker: 'v1',
    });
    expect(enqueued).toHaveLength(2);
  });

  it('stops with a checkpoint before its time runs out, and a later invocation carries on from it', async () => {
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolvesOnce({
        IsTruncated: true,
        NextKeyMarker: 'k1',
        NextVersionIdMarker: 'v1',
        Versions: [{ Key: 'k1', VersionId: 'v1', ETag: '"e"', LastModified: T }],
      })
      .resolvesOnce({ Versions: [{ Key: 'k2', VersionId: 'v2', ETag: '"e"', LastModified: T }] });
    let remaining = 60_000;
    const { d, enqueued } = deps({
      remainingMs: () => {
        const now = remaining;
        remaining -= 55_000;
        return now;
      },
    });
    const first = await reconcile(d);
    expect(first).toEqual({
      done: false,
      checkpoint: {
        runId: 'run-1',
        sourceIndex: 0,
        prefixIndex: 0,
        keyMarker: 'k1',
        versionIdMarker: 'v1',
        listed: 1,
        enqueued: 1,
      },
    });
    remaining = 60_000;
    const second = await reconcile({ ...d, remainingMs: () => 60_000 }, first.checkpoint);
    expect(second.done).toBe(true);
    expect(second.checkpoint).toMatchObject({ runId: 'run-1', listed: 2, enqueued: 2 });
    expect(enqueued.map((b) => JSON.parse(b).detail.object.key)).toEqual(['k1', 'k2']);
  });

  it('enqueues nothing when the vault already has everything', async () => {
    source
      .on(ListObjectVersionsCommand, { Bucket: BUCKET })
      .resolves({ Versions: [{ Key: 'a', VersionId: 'have', ETag: '"e"', LastModified: T }] });
    const { d, enqueued } = deps();
    expect((await reconcile(d)).checkpoint.enqueued).toBe(0);
    expect(enqueued).toEqual([]);
  });
});
