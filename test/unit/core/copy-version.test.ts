import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  backUpChange,
  type CopyContext,
  partSizeFor,
  S3_MAX_PARTS,
  S3_USER_METADATA_MAX_BYTES,
  vaultMetadata,
} from '../../../lambda/core/copy-version';
import { ConfigurationFaultError, SourceChangedError } from '../../../lambda/core/s3-errors';
import type { ObjectDeleted } from '../../../lambda/core/source-change';
import { keyDigest } from '../../../lambda/core/vault-keys';
import { ACCOUNT, BUCKET, created, sdkBody } from './support';

const serviceError = (name: string, status: number) =>
  new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: 'UnknownError' });

const sourceClient = new S3Client({ region: 'eu-west-1' });
const vaultClient = new S3Client({ region: 'eu-west-1' });
const source = mockClient(sourceClient);
const vault = mockClient(vaultClient);
const NOW = new Date('2026-11-29T12:00:00.000Z');
const LAST_MODIFIED = new Date('2026-11-29T10:00:00.000Z');

function context(overrides: Partial<CopyContext> = {}): CopyContext {
  return {
    sourceAccount: ACCOUNT,
    source: sourceClient,
    sourceRole: 'the copier role strongroom-copier',
    vault: {
      client: vaultClient,
      bucket: 'strongroom-vault',
      writerRole: 'the ingest role strongroom-ingest-222222222222',
      writeOnce: 'server',
    },
    tuning: { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 },
    now: () => NOW,
    ...overrides,
  };
}

function sourceReturns(bytes: Buffer, extra: Record<string, unknown> = {}) {
  source.on(GetObjectCommand).callsFake(() => ({
    Body: sdkBody(bytes, 100),
    ContentLength: bytes.length,
    ETag: '"etag1"',
    LastModified: LAST_MODIFIED,
    VersionId: 'v1',
    ContentType: 'application/pdf',
    Metadata: { owner: 'alice' },
    ...extra,
  }));
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const vaultKey = `objects/${ACCOUNT}/${BUCKET}/${keyDigest('invoices/a.pdf')}/v.v1`;

/** What the vault object of `invoices/a.pdf` version v1 records besides its SHA-256 and user metadata. */
const VERSION_METADATA = {
  'strongroom-format': '2',
  'strongroom-kind': 'version',
  'source-account': ACCOUNT,
  'source-bucket': BUCKET,
  'source-key': Buffer.from('invoices/a.pdf').toString('base64url'),
  'source-key-sha256': keyDigest('invoices/a.pdf'),
  'source-version-id': 'v1',
  'source-etag': 'etag1',
  'source-last-modified': LAST_MODIFIED.toISOString(),
  'source-sequencer': '0A',
};

beforeEach(() => {
  source.reset();
  vault.reset();
});

describe('copying a version below the single-put size', () => {
  const bytes = Buffer.from('%PDF-1.7 invoice');

  it("records the source's content headers in the journal (format 2) and puts them on the vault object", async () => {
    // Prepare
    const headers = {
      ContentType: 'application/pdf',
      ContentEncoding: 'gzip',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="a.pdf"',
      ContentLanguage: 'de',
      ExpiresString: 'Wed, 21 Oct 2026 07:28:00 GMT',
    };
    sourceReturns(bytes, headers);
    vault.on(PutObjectCommand).resolves({ VersionId: 'vault-v1' });
    // Act
    const outcome = await backUpChange(context(), created());
    // Assess
    const { ExpiresString: _e, ...sent } = headers;
    expect(vault.commandCalls(PutObjectCommand)[0].args[0].input).toMatchObject({
      ...sent,
      Expires: new Date('2026-10-21T07:28:00Z'),
    });
    expect(outcome).toMatchObject({ status: 'copied', entry: { v: 2, headers } });
  });

  it('writes it once, append-only: If-None-Match, owner-full-control, MD5 and SHA-256 checked, no lock headers', async () => {
    // Prepare
    sourceReturns(bytes);
    vault.on(PutObjectCommand).resolves({ VersionId: 'vault-v1' });
    // Act
    const outcome = await backUpChange(context(), created());
    // Assess
    expect(source).toHaveReceivedCommandWith(GetObjectCommand, { Bucket: BUCKET, Key: 'invoices/a.pdf', VersionId: 'v1' });
    const put = vault.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Bucket: 'strongroom-vault',
      Key: vaultKey,
      IfNoneMatch: '*',
      ACL: 'bucket-owner-full-control',
      ContentLength: bytes.length,
      ContentMD5: createHash('md5').update(bytes).digest('base64'),
      ChecksumSHA256: createHash('sha256').update(bytes).digest('base64'),
      ContentType: 'application/pdf',
    });
    expect(Object.keys(put).filter((k) => k.startsWith('ObjectLock'))).toEqual([]);
    expect(put.Metadata).toEqual({
      ...VERSION_METADATA,
      sha256: sha256(bytes),
      'u-owner': 'alice',
    });
    expect(outcome).toEqual({
      status: 'copied',
      entry: expect.objectContaining({
        kind: 'version',
        token: 'v.v1',
        vaultKey,
        sha256: sha256(bytes),
        size: bytes.length,
        vaultVersionId: 'vault-v1',
        metadata: { owner: 'alice' },
      }),
    });
  });

  it('treats a refused If-None-Match as already backed up, and journals it without a vault version id', async () => {
    sourceReturns(bytes);
    vault.on(PutObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    const outcome = await backUpChange(context(), created());
    expect(outcome).toEqual({
      status: 'already-in-vault',
      entry: expect.objectContaining({ vaultKey, vaultVersionId: null, sha256: sha256(bytes) }),
    });
  });

  it('reads an unversioned source with If-Match on the announced ETag, and reports an overwrite since as gone', async () => {
    source.on(GetObjectCommand).rejects(serviceError('PreconditionFailed', 412));
    const outcome = await backUpChange(context(), created({ versionId: null, etag: 'etag9' }));
    expect(source).toHaveReceivedCommandWith(GetObjectCommand, { IfMatch: '"etag9"' });
    expect(outcome).toEqual({
      status: 'gone',
      reason: 'the object was overwritten before it could be copied (unversioned source)',
    });
    expect(vault).not.toHaveReceivedAnyCommand();
  });

  it('keys an unversioned version by last-modified second and ETag', async () => {
    sourceReturns(bytes, { VersionId: undefined });
    vault.on(PutObjectCommand).resolves({});
    const outcome = await backUpChange(context(), created({ versionId: null }));
    expect(outcome.status === 'copied' && outcome.entry.token).toBe(`c.${LAST_MODIFIED.getTime() / 1000}.etag1`);
  });

  it('reports a version deleted before the copy as gone, writing nothing', async () => {
    source.on(GetObjectCommand).rejects(serviceError('NoSuchVersion', 404));
    expect(await backUpChange(context(), created())).toMatchObject({ status: 'gone' });
    expect(vault).not.toHaveReceivedAnyCommand();
  });

  it('names the copier role, the action and the object when the source refuses the read', async () => {
    source.on(GetObjectCommand).rejects(serviceError('AccessDenied', 403));
    const error = await backUpChange(context(), created()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationFaultError);
    expect((error as Error).message).toBe(
      `AccessDenied: the copier role strongroom-copier may not s3:GetObject on arn:aws:s3:::${BUCKET}/invoices/a.pdf; ` +
        'check the copier role reads this source (and its KMS key, if the bucket uses SSE-KMS)',
    );
  });

  it('names the ingest role when the vault refuses the write', async () => {
    sourceReturns(bytes);
    vault.on(PutObjectCommand).rejects(serviceError('AccessDenied', 403));
    await expect(backUpChange(context(), created())).rejects.toThrow(
      /^AccessDenied: the ingest role strongroom-ingest-222222222222 may not s3:PutObject on arn:aws:s3:::strongroom-vault\/objects\//,
    );
  });

  it('lets other errors (a throttled write the SDK gave up on) surface so the record is retried', async () => {
    sourceReturns(bytes);
    vault.on(PutObjectCommand).rejects(serviceError('SlowDown', 503));
    await expect(backUpChange(context(), created())).rejects.toMatchObject({ name: 'SlowDown' });
  });

  it('on a server that ignores If-None-Match, asks the vault first and writes nothing when present', async () => {
    sourceReturns(bytes);
    const exists = jest.fn().mockResolvedValue(true);
    const outcome = await backUpChange(context({ vault: { ...context().vault, writeOnce: 'client', exists } }), created());
    expect(exists).toHaveBeenCalledWith(vaultKey);
    expect(vault).not.toHaveReceivedCommand(PutObjectCommand);
    expect(outcome).toEqual({
      status: 'already-in-vault',
      entry: expect.objectContaining({ sha256: sha256(bytes), vaultVersionId: null }),
    });
  });
});

describe('copying a version above the single-put size (multipart)', () => {
  const bytes = Buffer.from(Array.from({ length: 2500 }, (_, i) => i % 251));

  /** What each UploadPart carried, captured when it was sent (the copier reuses part buffers afterwards). */
  let sent: Array<{ PartNumber: number; bytes: Buffer; ContentMD5?: string; ChecksumSHA256?: string }> = [];

  function multipartVault() {
    sent = [];
    vault.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        { Key: vaultKey, UploadId: 'stale' },
        { Key: `${vaultKey}x`, UploadId: 'other-key' },
      ],
    });
    vault.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
    vault.on(UploadPartCommand).callsFake((input) => {
      const bytes = Buffer.from(input.Body as Buffer);
      sent.push({ PartNumber: input.PartNumber, bytes, ContentMD5: input.ContentMD5, ChecksumSHA256: input.ChecksumSHA256 });
      return { ETag: `"etag-${input.PartNumber}"` };
    });
    vault.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'vault-v1' });
  }

  it('reads the source once, streams checked parts into an upload completed with If-None-Match, and journals their SHA-256', async () => {
    // Prepare
    sourceReturns(bytes);
    multipartVault();
    // Act
    const outcome = await backUpChange(context(), created());
    // Assess
    expect(source).toHaveReceivedCommandTimes(GetObjectCommand, 1);
    expect(vault).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { Key: vaultKey, UploadId: 'stale' });
    expect(vault).not.toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'other-key' });
    expect(vault).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
      Key: vaultKey,
      ACL: 'bucket-owner-full-control',
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/pdf',
    });
    const parts = sent.sort((a, b) => a.PartNumber - b.PartNumber);
    expect(parts.map((p) => p.bytes.length)).toEqual([256, 256, 256, 256, 256, 256, 256, 256, 256, 196]);
    for (const part of parts) {
      expect(part.ContentMD5).toBe(createHash('md5').update(part.bytes).digest('base64'));
      expect(part.ChecksumSHA256).toBe(createHash('sha256').update(part.bytes).digest('base64'));
    }
    // In order, the parts are the object: the reused buffers lost or mixed nothing.
    expect(Buffer.concat(parts.map((p) => p.bytes)).equals(bytes)).toBe(true);
    expect(vault).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, {
      UploadId: 'up-1',
      IfNoneMatch: '*',
      MultipartUpload: {
        Parts: parts.map((p) => ({ PartNumber: p.PartNumber, ETag: `"etag-${p.PartNumber}"`, ChecksumSHA256: p.ChecksumSHA256 })),
      },
    });
    expect(outcome).toMatchObject({
      status: 'copied',
      entry: { sha256: sha256(bytes), size: bytes.length, vaultVersionId: 'vault-v1' },
    });
  });

  it("says in the vault object's metadata that its SHA-256 is in the journal, with the part size, and carries no sha256", async () => {
    sourceReturns(bytes);
    multipartVault();
    await backUpChange(context(), created());
    expect(vault.commandCalls(CreateMultipartUploadCommand)[0].args[0].input.Metadata).toEqual({
      ...VERSION_METADATA,
      'sha256-recorded': 'journal',
      'part-bytes': '256',
      'u-owner': 'alice',
    });
  });

  it('aborts its own upload and reports already backed up, with the SHA-256 of the bytes streamed, when the key exists at completion', async () => {
    sourceReturns(bytes);
    multipartVault();
    vault.on(CompleteMultipartUploadCommand).rejects(serviceError('PreconditionFailed', 412));
    const outcome = await backUpChange(context(), created());
    expect(vault).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-1' });
    expect(outcome).toMatchObject({ status: 'already-in-vault', entry: { vaultVersionId: null, sha256: sha256(bytes) } });
  });

  it.each([
    ['fewer', bytes.subarray(0, 2400)],
    ['more', Buffer.concat([bytes, Buffer.alloc(10)])],
  ])('aborts the upload and records nothing when the read returns %s bytes than the version has', async (_what, body) => {
    source.on(GetObjectCommand).callsFake(() => ({
      Body: sdkBody(body, 100),
      ContentLength: bytes.length,
      ETag: '"etag1"',
      LastModified: LAST_MODIFIED,
      VersionId: 'v1',
    }));
    multipartVault();
    const error = await backUpChange(context(), created()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceChangedError);
    expect((error as Error).message).toBe(
      `${BUCKET}/invoices/a.pdf (version v1): read ${body.length} bytes for strongroom-vault/${vaultKey}, expected 2500; upload aborted`,
    );
    expect(vault).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-1' });
    expect(vault).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it('journals the SHA-256 of the bytes it uploaded, even when the source changes under the read', async () => {
    // A misbehaving source: the pinned version's bytes change after the first 1,000 have been read.
    const changed = Buffer.from(bytes).fill(9, 1000);
    source.on(GetObjectCommand).callsFake(() => ({
      Body: Readable.from([bytes.subarray(0, 1000), changed.subarray(1000)]),
      ContentLength: bytes.length,
      ETag: '"etag1"',
      LastModified: LAST_MODIFIED,
      VersionId: 'v1',
    }));
    multipartVault();
    const outcome = await backUpChange(context(), created());
    const uploaded = Buffer.concat(sent.sort((a, b) => a.PartNumber - b.PartNumber).map((p) => p.bytes));
    expect(uploaded.equals(changed)).toBe(true);
    expect(outcome).toMatchObject({ status: 'copied', entry: { sha256: sha256(uploaded) } });
  });

  it("stops reading the source when the vault refuses the upload before it starts, freeing the GET's connection", async () => {
    const body = sdkBody(bytes, 100);
    source
      .on(GetObjectCommand)
      .resolves({ Body: body, ContentLength: bytes.length, ETag: '"etag1"', LastModified: LAST_MODIFIED });
    multipartVault();
    vault.on(CreateMultipartUploadCommand).rejects(serviceError('AccessDenied', 403));
    await expect(backUpChange(context(), created())).rejects.toThrow(/^AccessDenied: the ingest role/);
    expect(body.destroyed).toBe(true);
    expect(vault).not.toHaveReceivedCommand(UploadPartCommand);
  });

  it('aborts the upload when a part fails, so the retry starts clean', async () => {
    sourceReturns(bytes);
    multipartVault();
    vault.on(UploadPartCommand).rejects(serviceError('InternalError', 500));
    await expect(backUpChange(context(), created())).rejects.toMatchObject({ name: 'InternalError' });
    expect(vault).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-1' });
  });

  it("chooses parts large enough for S3's maximum object in 10,000 parts", () => {
    const tuning = { singlePutMaxBytes: 16 * 2 ** 20, minPartBytes: 8 * 2 ** 20, partsInFlight: 4 };
    expect(partSizeFor(100 * 2 ** 20, tuning)).toBe(8 * 2 ** 20);
    const fiveTiB = 5 * 2 ** 40;
    expect(Math.ceil(fiveTiB / partSizeFor(fiveTiB, tuning))).toBeLessThanOrEqual(S3_MAX_PARTS);
  });
});

describe('recording deletions as tombstones', () => {
  const deleted = (partial: Partial<ObjectDeleted>): ObjectDeleted => ({
    type: 'deleted',
    bucket: BUCKET,
    key: 'invoices/a.pdf',
    deletion: 'deleteMarker',
    versionId: 'marker-1',
    sequencer: '0B',
    eventTime: new Date('2026-11-29T10:05:00Z'),
    origin: 'event',
    ...partial,
  });

  it.each([
    ['a delete marker', deleted({}), 'm.marker-1', 'deleteMarker', { sourceVersionId: 'marker-1', destroys: null }],
    [
      'a permanently deleted version',
      deleted({ deletion: 'permanent', versionId: 'v1' }),
      'x.v1',
      'destroyed',
      { sourceVersionId: null, destroys: 'v1' },
    ],
    [
      'a deletion in an unversioned source',
      deleted({ deletion: 'permanent', versionId: null }),
      'd.s0B',
      'deleted',
      { sourceVersionId: null, destroys: null },
    ],
  ])('writes %s as an empty, write-once vault object and a journal entry', async (_what, change, token, kind, ids) => {
    vault.on(PutObjectCommand).resolves({ VersionId: 'vv' });
    const outcome = await backUpChange(context(), change);
    expect(source).not.toHaveReceivedAnyCommand();
    const put = vault.commandCalls(PutObjectCommand)[0].args[0].input;
    expect(put).toMatchObject({
      Key: vaultKey.replace('v.v1', token),
      ContentLength: 0,
      IfNoneMatch: '*',
      ACL: 'bucket-owner-full-control',
    });
    expect(put.Metadata).toMatchObject({ 'strongroom-kind': kind, 'event-time': '2026-11-29T10:05:00.000Z' });
    expect(outcome).toMatchObject({
      status: 'copied',
      entry: { kind, token, size: 0, sha256: null, sourceTime: '2026-11-29T10:05:00.000Z', ...ids },
    });
  });

  it('never deletes anything in the vault', async () => {
    vault.on(PutObjectCommand).resolves({});
    await backUpChange(context(), deleted({}));
    const names = vault.calls().map((c) => (c.args[0] as object).constructor.name);
    expect(names).toEqual(['PutObjectCommand']);
  });
});

describe('vault object metadata', () => {
  const ref = { account: ACCOUNT, bucket: BUCKET, key: 'a' };

  it("keeps the source user metadata when it fits S3's 2 KB, and moves it to the journal when it does not", () => {
    expect(vaultMetadata(ref, 'version', {}, { team: 'ops' })['u-team']).toBe('ops');
    const big = vaultMetadata(ref, 'version', { sha256: 'f'.repeat(64) }, { blob: 'x'.repeat(1900) });
    expect(big['u-blob']).toBeUndefined();
    expect(big['source-metadata']).toBe('in-journal');
    expect(big.sha256).toBe('f'.repeat(64));
  });

  it('drops only the encoded source key when a near-1024-byte key does not fit, keeping its digest', () => {
    const longKey = { ...ref, key: 'k'.repeat(1024) };
    const metadata = vaultMetadata(longKey, 'version', { sha256: 'f'.repeat(64), 'source-version-id': 'v'.repeat(600) });
    expect(metadata['source-key']).toBe('in-journal');
    expect(metadata['source-key-sha256']).toBe(keyDigest(longKey.key));
    const bytes = Object.entries(metadata).reduce((n, [k, v]) => n + k.length + v.length, 0);
    expect(bytes).toBeLessThanOrEqual(S3_USER_METADATA_MAX_BYTES);
  });
});
