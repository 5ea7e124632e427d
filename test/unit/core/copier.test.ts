import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { type CopierDependencies, copyBatch } from '../../../lambda/core/copier';
import { decodeSegment } from '../../../lambda/core/journal';
import { ACCOUNT, BUCKET, s3Event, sdkBody } from './support';

const sourceClient = new S3Client({ region: 'eu-west-1' });
const vaultClient = new S3Client({ region: 'eu-west-1' });
const source = mockClient(sourceClient);
const vault = mockClient(vaultClient);

function deps(overrides: Partial<CopierDependencies> = {}) {
  const counts: Record<string, number> = {};
  const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
  const d: CopierDependencies = {
    copy: {
      sourceAccount: ACCOUNT,
      source: sourceClient,
      sourceRole: 'strongroom-copier',
      vault: { client: vaultClient, bucket: 'vault', writerRole: 'strongroom-ingest-222222222222', writeOnce: 'server' },
      tuning: { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 },
      now: () => new Date('2026-11-29T12:00:00Z'),
    },
    scope: { account: ACCOUNT, sources: [{ bucket: BUCKET }] },
    log: {
      info: (m, f) => logs.push(['info', m, f]),
      warn: (m, f) => logs.push(['warn', m, f]),
      error: (m, f) => logs.push(['error', m, f]),
    },
    count: (metric, value = 1) => {
      counts[metric] = (counts[metric] ?? 0) + value;
    },
    concurrency: 4,
    segmentId: 'req-1',
    ...overrides,
  };
  return { d, counts, logs };
}

const record = (messageId: string, body: unknown) => ({
  messageId,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const put = (key: string, versionId: string) =>
  s3Event('Object Created', { key, 'version-id': versionId, etag: 'e', sequencer: '01' });

beforeEach(() => {
  source.reset();
  vault.reset();
  source.on(GetObjectCommand).callsFake((input) => ({
    Body: sdkBody(`content of ${input.Key}@${input.VersionId}`),
    ContentLength: `content of ${input.Key}@${input.VersionId}`.length,
    ETag: '"e"',
    LastModified: new Date('2026-11-29T10:00:00Z'),
  }));
  vault.on(PutObjectCommand).resolves({ VersionId: 'vv' });
});

describe('copyBatch', () => {
  it('copies each change, journals the batch as one segment, and fails nothing', async () => {
    const { d, counts } = deps();
    const result = await copyBatch(d, [record('m1', put('a', 'v1')), record('m2', put('b', 'v1'))]);
    expect(result.failedMessageIds).toEqual([]);
    expect(result.journalSegmentKey).toMatch(/^journal\/222222222222\/2026\/11\/29\/20261129T120000000Z-req-1\.ndjson$/);
    const segment = vault.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key === result.journalSegmentKey)
      ?.args[0].input;
    expect(segment).toMatchObject({ IfNoneMatch: '*', ContentType: 'application/x-ndjson' });
    const entries = decodeSegment('s', segment?.Body as Buffer, segment?.Metadata?.sha256);
    expect(entries.map((e) => e.key).sort()).toEqual(['a', 'b']);
    expect(counts).toMatchObject({ Copied: 2 });
  });

  it('counts per source the writes and deletions it recorded first, from events only (the change-rate metrics)', async () => {
    const { d } = deps({ scope: { account: ACCOUNT, sources: [{ bucket: BUCKET }, { bucket: 'acme-prod-uploads' }] } });
    // A key already in the vault (a redelivery from an earlier batch) is no new change.
    vault.on(PutObjectCommand).callsFake((input) => {
      if (String(input.Key).endsWith('/v.already'))
        throw new S3ServiceException({ name: 'PreconditionFailed', $fault: 'client', $metadata: { httpStatusCode: 412 } });
      return { VersionId: 'vv' };
    });
    const reconciled = { ...put('found-by-listing', 'v9'), source: 'strongroom.reconciler' };
    const result = await copyBatch(d, [
      record('m1', put('a', 'v1')),
      record('m2', put('b', 'v1')),
      record('m3', put('c', 'already')),
      record(
        'm4',
        s3Event('Object Deleted', { key: 'a', 'version-id': 'dm1', sequencer: '02' }, { deletionType: 'Delete Marker Created' }),
      ),
      record(
        'm5',
        s3Event('Object Deleted', { key: 'b', 'version-id': 'v1', sequencer: '03' }, { deletionType: 'Permanently Deleted' }),
      ),
      record(
        'm6',
        s3Event(
          'Object Deleted',
          { key: 'u', 'version-id': 'v2', sequencer: '04' },
          { deletionType: 'Permanently Deleted', bucket: 'acme-prod-uploads' },
        ),
      ),
      record('m7', reconciled),
    ]);
    expect(result.failedMessageIds).toEqual([]);
    expect(result.changeCounts).toEqual([
      { bucket: BUCKET, writes: 2, deletions: 2 },
      { bucket: 'acme-prod-uploads', writes: 0, deletions: 1 },
    ]);
  });

  it('does a change delivered twice in one batch only once, acknowledging both deliveries', async () => {
    const { d } = deps();
    const result = await copyBatch(d, [record('m1', put('a', 'v1')), record('m2', put('a', 'v1'))]);
    expect(source).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(result.failedMessageIds).toEqual([]);
  });

  it('sends a malformed record to the dead-letter queue at once, with its reason, and fails nothing else', async () => {
    const deadLetter = jest.fn().mockResolvedValue(undefined);
    const { d, counts, logs } = deps({ deadLetter });
    const result = await copyBatch(d, [record('bad', '{"source":"aws.s3"'), record('good', put('a', 'v1'))]);
    expect(result.failedMessageIds).toEqual([]);
    expect(deadLetter).toHaveBeenCalledWith(record('bad', '{"source":"aws.s3"'), expect.stringContaining('body: received'));
    expect(counts).toMatchObject({ Malformed: 1, Copied: 1 });
    expect(logs).toContainEqual(['error', 'malformed record', expect.objectContaining({ messageId: 'bad' })]);
  });

  it('fails a malformed record (to reach the DLQ after maxReceiveCount) when it cannot be forwarded', async () => {
    const { d } = deps({ deadLetter: jest.fn().mockRejectedValue(new Error('sqs down')) });
    const result = await copyBatch(d, [record('bad', { nope: true }), record('good', put('a', 'v1'))]);
    expect(result.failedMessageIds).toEqual(['bad']);
  });

  it('fails only the records whose copy failed, and names a permission fault for a human', async () => {
    source
      .on(GetObjectCommand, { Key: 'denied' })
      .rejects(
        new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 }, message: '' }),
      );
    const { d, counts, logs } = deps();
    const result = await copyBatch(d, [
      record('m1', put('a', 'v1')),
      record('m2', put('denied', 'v1')),
      record('m3', put('c', 'v1')),
    ]);
    expect(result.failedMessageIds).toEqual(['m2']);
    expect(counts).toMatchObject({ Copied: 2, CopyFailures: 1, ConfigurationFaults: 1 });
    expect(logs).toContainEqual([
      'error',
      'configuration fault',
      expect.objectContaining({ key: 'denied', role: 'strongroom-copier', action: 's3:GetObject' }),
    ]);
  });

  it('retries every copied record when the journal segment cannot be written', async () => {
    vault.on(PutObjectCommand).callsFake((input) => {
      if (String(input.Key).startsWith('journal/')) throw new Error('boom');
      return { VersionId: 'vv' };
    });
    const { d } = deps();
    const result = await copyBatch(d, [record('m1', put('a', 'v1')), record('m2', put('b', 'v1'))]);
    expect(result.failedMessageIds).toEqual(['m1', 'm2']);
    expect(result.journalSegmentKey).toBeNull();
  });

  it('acknowledges a version gone before the copy without journaling it', async () => {
    source
      .on(GetObjectCommand)
      .rejects(
        new S3ServiceException({ name: 'NoSuchVersion', $fault: 'client', $metadata: { httpStatusCode: 404 }, message: '' }),
      );
    const { d, counts } = deps();
    const result = await copyBatch(d, [record('m1', put('a', 'v1'))]);
    expect(result.failedMessageIds).toEqual([]);
    expect(result.journalSegmentKey).toBeNull();
    expect(counts).toMatchObject({ GoneBeforeCopy: 1 });
  });

  it('never logs object contents', async () => {
    const { d, logs } = deps();
    await copyBatch(d, [record('m1', put('a', 'v1'))]);
    expect(JSON.stringify(logs)).not.toContain('content of a');
  });
});
