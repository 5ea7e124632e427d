/**
 * A restore with removeExtraneous places delete markers on the keys absent at T (in a versioned target) and
 * says in its progress how many it removed. Over an in-memory S3 (vault and versioned target in one mock),
 * so it needs no server.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeSegment, type JournalEntry } from '../../../lambda/core/journal';
import { createPlan, runRestore } from '../../../lambda/core/restore-service';

const account = '222222222222';
const body = Buffer.from('Invoice 0001\n');
const sha256 = createHash('sha256').update(body).digest('hex');

function memoryS3() {
  const objects = new Map<string, { body: Buffer; metadata: Record<string, string>; lastModified: Date }>();
  const id = (bucket: string | undefined, key: string | undefined) => `${bucket}/${key}`;
  const client = new S3Client({ region: 'eu-west-1' });
  const mock = mockClient(client);
  mock.on(PutObjectCommand).callsFake((input) => {
    objects.set(id(input.Bucket, input.Key), {
      body: Buffer.from(input.Body),
      metadata: input.Metadata ?? {},
      lastModified: new Date('2026-12-01T02:00:00Z'),
    });
    return { ETag: '"e"' };
  });
  mock.on(ListObjectsV2Command).callsFake((input) => ({
    Contents: [...objects]
      .filter(([k]) => k.startsWith(`${input.Bucket}/${input.Prefix ?? ''}`))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, o]) => ({
        Key: k.slice(`${input.Bucket}/`.length),
        LastModified: o.lastModified,
        Size: o.body.length,
        ETag: '"t"',
      })),
  }));
  mock.on(GetObjectCommand).callsFake((input) => {
    const o = objects.get(id(input.Bucket, input.Key));
    if (!o) throw Object.assign(new Error('no such key'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: Readable.from([o.body]), Metadata: o.metadata, LastModified: o.lastModified, ContentLength: o.body.length };
  });
  mock.on(HeadObjectCommand).callsFake((input) => {
    const o = objects.get(id(input.Bucket, input.Key));
    if (!o) throw Object.assign(new Error('not found'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    return { Metadata: o.metadata, ContentLength: o.body.length };
  });
  mock.on(DeleteObjectCommand).callsFake((input) => {
    objects.delete(id(input.Bucket, input.Key));
    return { DeleteMarker: true, VersionId: 'dm' };
  });
  mock.on(GetBucketVersioningCommand).resolves({ Status: 'Enabled' });
  return { client, objects };
}

test('a restore that removes extraneous keys says how many it removed', async () => {
  const s3 = memoryS3();
  const vaultKey = `objects/${account}/src/digest/v.1`;
  const entry: JournalEntry = {
    v: 1,
    kind: 'version',
    account,
    bucket: 'src',
    key: 'invoices/inv-0001.txt',
    token: 'v.1',
    vaultKey,
    sourceVersionId: '1',
    destroys: null,
    sourceEtag: 'source-etag',
    sourceTime: '2026-12-01T01:00:00.000Z',
    sequencer: null,
    eventTime: '2026-12-01T01:00:00.000Z',
    copiedAt: '2026-12-01T01:00:01.000Z',
    size: body.length,
    sha256,
    vaultVersionId: null,
    contentType: 'text/plain',
    metadata: {},
  };
  const segment = encodeSegment([entry]);
  s3.objects.set(`vault/journal/${account}/2026/12/01/s1.ndjson`, {
    body: segment.body,
    metadata: { sha256: segment.sha256 },
    lastModified: new Date('2026-12-01T01:00:02Z'),
  });
  s3.objects.set(`vault/${vaultKey}`, { body, metadata: { sha256 }, lastModified: new Date('2026-12-01T01:00:01Z') });
  // The intruder's key in the target: absent at asOf, so extraneous.
  s3.objects.set('tgt/ransom-note.txt', {
    body: Buffer.from('pay us'),
    metadata: {},
    lastModified: new Date('2026-12-01T03:00:00Z'),
  });

  const deps = {
    vault: { client: s3.client, bucket: 'vault' },
    account,
    target: s3.client,
    restoreTargets: ['tgt'],
    now: () => new Date('2026-12-01T05:00:00Z'),
  };
  const plan = await createPlan(deps, {
    action: 'plan',
    sourceBucket: 'src',
    asOf: '2026-12-01T02:30:00Z',
    targetBucket: 'tgt',
    removeExtraneous: true,
  });
  expect(plan.summary.counts).toMatchObject({ write: 1, extraneous: 1 });
  const status = await runRestore(deps, 'tgt', plan.restoreId);
  expect(status.failures).toEqual([]);
  expect(s3.objects.has('tgt/ransom-note.txt')).toBe(false); // removed, as asked
  expect(s3.objects.has('tgt/invoices/inv-0001.txt')).toBe(true); // written
  // The gap: the status says nothing of the removal.
  expect(status.progress).toMatchObject({ objectsDone: 1, removed: 1 });
});
