import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  GetObjectCommand,
  type GetObjectCommandOutput,
  ListMultipartUploadsCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { JournalEntry } from './journal';
import { JOURNAL_FORMAT_VERSION } from './journal';
import { explainAccessDenied, isNotFound, isPreconditionFailed, SourceChangedError } from './s3-errors';
import type { ObjectCreated, ObjectDeleted, SourceChange } from './source-change';
import {
  type ByteStream,
  forEachLimited,
  md5Base64,
  PartBufferPool,
  pooledParts,
  readAll,
  sha256Base64,
  sha256Hex,
  sha256OfStream,
} from './streams';
import {
  bareEtag,
  deletedToken,
  deleteMarkerToken,
  destroyedToken,
  type EntryKind,
  keyDigest,
  type SourceObjectRef,
  vaultKeyFor,
  versionToken,
} from './vault-keys';

/*
 * Copy one source change into the vault: a version becomes a vault object holding its bytes, a
 * deletion becomes an empty tombstone object. Nothing in the vault is ever deleted or overwritten:
 * every write carries If-None-Match, and a key that exists already means the work was done before.
 */

/** Where vault writes go, and how the vault enforces write-once. */
export interface VaultTarget {
  /** S3 client with the ingest role's credentials (append only). */
  readonly client: S3Client;
  /** The vault bucket, addressed as this client must (on Ceph RGW: `<tenant>:<bucket>`). */
  readonly bucket: string;
  /** Names the ingest role in error messages. */
  readonly writerRole: string;
  /**
   * `server`: the vault enforces If-None-Match (AWS S3), so a duplicate write is refused there and
   * costs no extra request. `client`: the server ignores the header (Ceph RGW pacific), so the copier
   * asks `exists` first; two concurrent duplicates may then both write, and readers keep one entry.
   */
  readonly writeOnce: 'server' | 'client';
  readonly exists?: (vaultKey: string) => Promise<boolean>;
}

export interface CopyTuning {
  /** Objects up to this size go in one PutObject, buffered in memory to compute their checksums first. */
  readonly singlePutMaxBytes: number;
  /** Smallest multipart part; larger objects get larger parts so that 10,000 parts reach S3's 5 TiB maximum. */
  readonly minPartBytes: number;
  /** Parts uploaded concurrently: memory is about (partsInFlight + 1) x part size. */
  readonly partsInFlight: number;
}

export const DEFAULT_TUNING: CopyTuning = {
  singlePutMaxBytes: 16 * 1024 * 1024,
  minPartBytes: 8 * 1024 * 1024,
  partsInFlight: 4,
};

export const S3_MAX_PARTS = 10_000;

export interface CopyContext {
  readonly sourceAccount: string;
  /** S3 client reading the sources with the copier role's own credentials. */
  readonly source: S3Client;
  readonly sourceRole: string;
  readonly vault: VaultTarget;
  readonly tuning: CopyTuning;
  readonly now: () => Date;
}

export type CopyOutcome =
  | { readonly status: 'copied'; readonly entry: JournalEntry }
  | { readonly status: 'already-in-vault'; readonly entry: JournalEntry }
  /** The version the change named can no longer be read: superseded or destroyed before the copy. */
  | { readonly status: 'gone'; readonly reason: string };

/** AWS's limit on user-defined metadata: the UTF-8 bytes of every key and value together. */
export const S3_USER_METADATA_MAX_BYTES = 2048;

export function partSizeFor(size: number, tuning: CopyTuning): number {
  const perPart = Math.ceil(size / S3_MAX_PARTS);
  if (perPart <= tuning.minPartBytes) return tuning.minPartBytes;
  const mib = 1024 * 1024;
  return Math.ceil(perPart / mib) * mib;
}

export async function backUpChange(ctx: CopyContext, change: SourceChange): Promise<CopyOutcome> {
  return change.type === 'created' ? copyVersion(ctx, change) : recordDeletion(ctx, change);
}

// ---------------------------------------------------------------------------------------------
// Versions

interface SourceVersion {
  readonly ref: SourceObjectRef;
  readonly token: string;
  readonly vaultKey: string;
  readonly size: number;
  readonly versionId: string | null;
  readonly etag: string;
  readonly lastModified: Date;
  readonly headers: Pick<
    GetObjectCommandOutput,
    'ContentType' | 'ContentEncoding' | 'CacheControl' | 'ContentDisposition' | 'ContentLanguage'
  >;
  readonly userMetadata: Record<string, string>;
}

async function copyVersion(ctx: CopyContext, change: ObjectCreated): Promise<CopyOutcome> {
  const first = await readSource(ctx, change);
  if ('gone' in first) return { status: 'gone', reason: first.gone };
  const { version, body } = first;

  if (ctx.vault.writeOnce === 'client' && (await vaultHas(ctx, version.vaultKey))) {
    const { sha256 } = await sha256OfStream(body);
    return { status: 'already-in-vault', entry: versionEntry(ctx, change, version, sha256, null) };
  }
  if (version.size <= ctx.tuning.singlePutMaxBytes) {
    const bytes = await readAll(body, version.size);
    return putSingle(ctx, change, version, bytes);
  }
  return putMultipart(ctx, change, version, body);
}

type SourceRead = { readonly version: SourceVersion; readonly body: ByteStream } | { readonly gone: string };

/**
 * GET exactly the version the change names: by version id in versioned sources, by If-Match on
 * the announced ETag in unversioned ones (content overwritten since then has its own event).
 */
async function readSource(ctx: CopyContext, change: ObjectCreated): Promise<SourceRead> {
  let response: GetObjectCommandOutput;
  try {
    response = await ctx.source.send(
      new GetObjectCommand({
        Bucket: change.bucket,
        Key: change.key,
        ...(change.versionId ? { VersionId: change.versionId } : change.etag ? { IfMatch: `"${bareEtag(change.etag)}"` } : {}),
      }),
    );
  } catch (error) {
    if (isNotFound(error)) return { gone: 'the version no longer exists in the source (deleted before it could be copied)' };
    if (isPreconditionFailed(error)) return { gone: 'the object was overwritten before it could be copied (unversioned source)' };
    return explainAccessDenied(
      error,
      ctx.sourceRole,
      's3:GetObject',
      `arn:aws:s3:::${change.bucket}/${change.key}`,
      'check the copier role reads this source (and its KMS key, if the bucket uses SSE-KMS)',
    );
  }
  if (!response.Body || response.ContentLength === undefined || !response.ETag || !response.LastModified) {
    throw new Error(`GetObject ${change.bucket}/${change.key} returned no body, length, ETag or Last-Modified`);
  }
  const ref = { account: ctx.sourceAccount, bucket: change.bucket, key: change.key };
  const versionId = change.versionId ?? (response.VersionId && response.VersionId !== 'null' ? response.VersionId : null);
  const token = versionToken({ versionId, etag: response.ETag, lastModified: response.LastModified });
  return {
    body: response.Body as unknown as ByteStream,
    version: {
      ref,
      token,
      vaultKey: vaultKeyFor(ref, token),
      size: response.ContentLength,
      versionId,
      etag: bareEtag(response.ETag),
      lastModified: response.LastModified,
      headers: {
        ContentType: response.ContentType,
        ContentEncoding: response.ContentEncoding,
        CacheControl: response.CacheControl,
        ContentDisposition: response.ContentDisposition,
        ContentLanguage: response.ContentLanguage,
      },
      userMetadata: response.Metadata ?? {},
    },
  };
}

async function putSingle(ctx: CopyContext, change: ObjectCreated, version: SourceVersion, bytes: Buffer): Promise<CopyOutcome> {
  const sha256 = sha256Hex(bytes);
  const metadata = versionMetadata(change, version, sha256);
  try {
    const put = await ctx.vault.client.send(
      new PutObjectCommand({
        Bucket: ctx.vault.bucket,
        Key: version.vaultKey,
        Body: bytes,
        ContentLength: bytes.length,
        ContentMD5: md5Base64(bytes),
        ChecksumSHA256: sha256Base64(bytes),
        IfNoneMatch: '*',
        ACL: 'bucket-owner-full-control',
        ...definedHeaders(version.headers),
        Metadata: metadata,
      }),
    );
    return { status: 'copied', entry: versionEntry(ctx, change, version, sha256, put.VersionId ?? null) };
  } catch (error) {
    if (isPreconditionFailed(error))
      return { status: 'already-in-vault', entry: versionEntry(ctx, change, version, sha256, null) };
    return explainVaultWrite(ctx, error, version.vaultKey);
  }
}

/**
 * Objects above the single-put size: a first pass hashes the whole object (its SHA-256 goes into
 * the vault object's metadata, which is fixed when the upload starts), a second pass streams it
 * in parts, each with Content-MD5 and SHA-256, and must hash to the same value. Both passes read
 * the same pinned version, so a difference means the source misbehaved: nothing is recorded.
 */
async function putMultipart(
  ctx: CopyContext,
  change: ObjectCreated,
  version: SourceVersion,
  firstPass: ByteStream,
): Promise<CopyOutcome> {
  const { sha256, bytes } = await sha256OfStream(firstPass);
  if (bytes !== version.size)
    throw new SourceChangedError(`${change.bucket}/${change.key}: read ${bytes} bytes, expected ${version.size}`);
  await abortStaleUploads(ctx, version.vaultKey);

  const create: CreateMultipartUploadCommandInput = {
    Bucket: ctx.vault.bucket,
    Key: version.vaultKey,
    ACL: 'bucket-owner-full-control',
    ChecksumAlgorithm: 'SHA256',
    ...definedHeaders(version.headers),
    Metadata: versionMetadata(change, version, sha256),
  };
  let uploadId: string | undefined;
  try {
    uploadId = (await ctx.vault.client.send(new CreateMultipartUploadCommand(create))).UploadId;
    if (!uploadId) throw new Error(`CreateMultipartUpload for ${version.vaultKey} returned no UploadId`);
    const second = await readSource(ctx, change);
    if ('gone' in second) throw new SourceChangedError(`${change.bucket}/${change.key}: ${second.gone} between two reads`);

    const whole = createHash('sha256');
    const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256: string }> = [];
    const id = uploadId;
    const upload = second.body;
    // One buffer per part in flight plus the one being filled, reused for every part.
    const pool = new PartBufferPool(partSizeFor(version.size, ctx.tuning), ctx.tuning.partsInFlight + 1);
    async function* hashedParts() {
      for await (const part of pooledParts(upload, pool)) {
        whole.update(part);
        yield part;
      }
    }
    await forEachLimited(hashedParts(), ctx.tuning.partsInFlight, async (part, index) => {
      try {
        const checksum = sha256Base64(part);
        const uploaded = await ctx.vault.client.send(
          new UploadPartCommand({
            Bucket: ctx.vault.bucket,
            Key: version.vaultKey,
            UploadId: id,
            PartNumber: index + 1,
            Body: part,
            ContentLength: part.length,
            ContentMD5: md5Base64(part),
            ChecksumSHA256: checksum,
          }),
        );
        if (!uploaded.ETag) throw new Error(`UploadPart ${index + 1} of ${version.vaultKey} returned no ETag`);
        parts[index] = { PartNumber: index + 1, ETag: uploaded.ETag, ChecksumSHA256: checksum };
      } finally {
        pool.release(part);
      }
    });
    const streamed = whole.digest('hex');
    if (streamed !== sha256) {
      throw new SourceChangedError(
        `${change.bucket}/${change.key}: the upload pass hashed to ${streamed}, the first pass to ${sha256}`,
      );
    }
    const completed = await ctx.vault.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: ctx.vault.bucket,
        Key: version.vaultKey,
        UploadId: id,
        IfNoneMatch: '*',
        MultipartUpload: { Parts: parts },
      }),
    );
    uploadId = undefined;
    return { status: 'copied', entry: versionEntry(ctx, change, version, sha256, completed.VersionId ?? null) };
  } catch (error) {
    if (uploadId) await abortQuietly(ctx, version.vaultKey, uploadId);
    if (isPreconditionFailed(error))
      return { status: 'already-in-vault', entry: versionEntry(ctx, change, version, sha256, null) };
    return explainVaultWrite(ctx, error, version.vaultKey);
  }
}

/**
 * Parts of an upload whose copier died never became a version; abort them before starting again
 * so that nothing is left behind (the bucket's lifecycle rule is only the backstop).
 */
async function abortStaleUploads(ctx: CopyContext, vaultKey: string): Promise<void> {
  try {
    const listed = await ctx.vault.client.send(new ListMultipartUploadsCommand({ Bucket: ctx.vault.bucket, Prefix: vaultKey }));
    for (const upload of listed.Uploads ?? []) {
      if (upload.Key === vaultKey && upload.UploadId) await abortQuietly(ctx, vaultKey, upload.UploadId);
    }
  } catch (error) {
    explainVaultWrite(ctx, error, vaultKey, 's3:ListBucketMultipartUploads');
  }
}

async function abortQuietly(ctx: CopyContext, vaultKey: string, uploadId: string): Promise<void> {
  try {
    await ctx.vault.client.send(new AbortMultipartUploadCommand({ Bucket: ctx.vault.bucket, Key: vaultKey, UploadId: uploadId }));
  } catch {
    // Best effort: the next attempt for this key aborts it again, and the lifecycle rule sweeps it after a day.
  }
}

// ---------------------------------------------------------------------------------------------
// Deletions

async function recordDeletion(ctx: CopyContext, change: ObjectDeleted): Promise<CopyOutcome> {
  const ref = { account: ctx.sourceAccount, bucket: change.bucket, key: change.key };
  let kind: EntryKind;
  let token: string;
  let sourceVersionId: string | null = null;
  let destroys: string | null = null;
  if (change.deletion === 'deleteMarker' && change.versionId) {
    kind = 'deleteMarker';
    token = deleteMarkerToken(change.versionId);
    sourceVersionId = change.versionId;
  } else if (change.versionId) {
    kind = 'destroyed';
    token = destroyedToken(change.versionId);
    destroys = change.versionId;
  } else {
    kind = 'deleted';
    token = deletedToken(change.sequencer ? { sequencer: change.sequencer } : { detectedAt: change.eventTime });
  }
  const vaultKey = vaultKeyFor(ref, token);
  const entry = (vaultVersionId: string | null): JournalEntry => ({
    v: JOURNAL_FORMAT_VERSION,
    kind,
    account: ref.account,
    bucket: ref.bucket,
    key: ref.key,
    token,
    vaultKey,
    sourceVersionId,
    destroys,
    sourceEtag: null,
    sourceTime: change.eventTime.toISOString(),
    sequencer: change.sequencer,
    eventTime: change.eventTime.toISOString(),
    copiedAt: ctx.now().toISOString(),
    size: 0,
    sha256: null,
    vaultVersionId,
    contentType: null,
    metadata: {},
  });
  if (ctx.vault.writeOnce === 'client' && (await vaultHas(ctx, vaultKey)))
    return { status: 'already-in-vault', entry: entry(null) };
  const empty = Buffer.alloc(0);
  try {
    const put = await ctx.vault.client.send(
      new PutObjectCommand({
        Bucket: ctx.vault.bucket,
        Key: vaultKey,
        Body: empty,
        ContentLength: 0,
        ContentMD5: md5Base64(empty),
        ChecksumSHA256: sha256Base64(empty),
        IfNoneMatch: '*',
        ACL: 'bucket-owner-full-control',
        Metadata: vaultMetadata(ref, kind, {
          'source-version-id': sourceVersionId ?? undefined,
          destroys: destroys ?? undefined,
          'source-sequencer': change.sequencer ?? undefined,
          'event-time': change.eventTime.toISOString(),
        }),
      }),
    );
    return { status: 'copied', entry: entry(put.VersionId ?? null) };
  } catch (error) {
    if (isPreconditionFailed(error)) return { status: 'already-in-vault', entry: entry(null) };
    return explainVaultWrite(ctx, error, vaultKey);
  }
}

// ---------------------------------------------------------------------------------------------
// Shared

async function vaultHas(ctx: CopyContext, vaultKey: string): Promise<boolean> {
  if (!ctx.vault.exists) throw new Error('VaultTarget.writeOnce is "client" but no exists() check was given');
  return ctx.vault.exists(vaultKey);
}

function explainVaultWrite(ctx: CopyContext, error: unknown, vaultKey: string, action = 's3:PutObject'): never {
  return explainAccessDenied(
    error,
    ctx.vault.writerRole,
    action,
    `arn:aws:s3:::${ctx.vault.bucket}/${vaultKey}`,
    "check that VaultStack is deployed with this account among its primaryAccounts and that the copier's role name matches its trust",
  );
}

function versionEntry(
  ctx: CopyContext,
  change: ObjectCreated,
  version: SourceVersion,
  sha256: string,
  vaultVersionId: string | null,
): JournalEntry {
  return {
    v: JOURNAL_FORMAT_VERSION,
    kind: 'version',
    account: version.ref.account,
    bucket: version.ref.bucket,
    key: version.ref.key,
    token: version.token,
    vaultKey: version.vaultKey,
    sourceVersionId: version.versionId,
    destroys: null,
    sourceEtag: version.etag,
    sourceTime: version.lastModified.toISOString(),
    sequencer: change.sequencer,
    eventTime: change.eventTime.toISOString(),
    copiedAt: ctx.now().toISOString(),
    size: version.size,
    sha256,
    vaultVersionId,
    contentType: version.headers.ContentType ?? null,
    metadata: version.userMetadata,
  };
}

function versionMetadata(change: ObjectCreated, version: SourceVersion, sha256: string): Record<string, string> {
  return vaultMetadata(
    version.ref,
    'version',
    {
      'source-version-id': version.versionId ?? undefined,
      'source-etag': version.etag,
      'source-last-modified': version.lastModified.toISOString(),
      'source-sequencer': change.sequencer ?? undefined,
      sha256,
    },
    version.userMetadata,
  );
}

function definedHeaders(headers: SourceVersion['headers']): Partial<SourceVersion['headers']> {
  return Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));
}

/**
 * The vault object's own metadata: where it came from and its SHA-256, then the source's user
 * metadata (prefixed `u-`) if everything fits in S3's 2 KB; what does not fit stays in the journal,
 * which always has all of it.
 */
export function vaultMetadata(
  ref: SourceObjectRef,
  kind: EntryKind,
  fields: Record<string, string | undefined>,
  userMetadata: Record<string, string> = {},
): Record<string, string> {
  const own: Record<string, string> = {
    'strongroom-format': String(JOURNAL_FORMAT_VERSION),
    'strongroom-kind': kind,
    'source-account': ref.account,
    'source-bucket': ref.bucket,
    'source-key': Buffer.from(ref.key, 'utf8').toString('base64url'),
    'source-key-sha256': keyDigest(ref.key),
  };
  for (const [name, value] of Object.entries(fields)) if (value !== undefined) own[name] = value;
  const withUser = { ...own, ...Object.fromEntries(Object.entries(userMetadata).map(([k, v]) => [`u-${k}`, v])) };
  if (metadataBytes(withUser) <= S3_USER_METADATA_MAX_BYTES) return withUser;
  const marked: Record<string, string> = {
    ...own,
    'source-metadata': Object.keys(userMetadata).length > 0 ? 'in-journal' : 'none',
  };
  if (metadataBytes(marked) <= S3_USER_METADATA_MAX_BYTES) return marked;
  // A source key near 1024 bytes does not fit beside the rest: its digest names it, the journal holds it.
  return { ...marked, 'source-key': 'in-journal' };
}

function metadataBytes(metadata: Record<string, string>): number {
  return Object.entries(metadata).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
