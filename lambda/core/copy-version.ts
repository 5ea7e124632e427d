import type { S3Client } from '@aws-sdk/client-s3';
import { writableHeaders } from './content-headers';
import { abortStaleUploads, partSizeFor, uploadMultipart } from './multipart-upload';
import { sha256Digest } from './payload-hash';
import { SourceChangedError } from './s3-errors';
import type { ObjectCreated, SourceChange } from './source-change';
import { describeRead, readSourceVersion, type SourceVersion } from './source-version';
import { type ByteStream, readAll, sha256OfStream } from './streams';
import { recordDeletion } from './tombstones';
import { type VaultEntry, vaultObjectMetadata } from './vault-entry';
import {
  alreadyInVault,
  explainVaultWrite,
  putVaultObject,
  type VaultObjectFields,
  type VaultTarget,
  vaultHas,
  type WriteOutcome,
  writeOnce,
} from './vault-write';

export { partSizeFor, S3_MAX_PARTS } from './multipart-upload';
export { S3_USER_METADATA_MAX_BYTES, vaultMetadata } from './vault-entry';
export type { VaultTarget } from './vault-write';

/*
 * Copy one source change into the vault: a version becomes a vault object holding its bytes, a
 * deletion becomes an empty tombstone object (tombstones.ts). Nothing in the vault is ever deleted
 * or overwritten: every write carries If-None-Match, and a key that exists already means the work
 * was done before (vault-write.ts). A version is read from its pinned source (source-version.ts)
 * and written in one PUT when small, as a checked multipart upload (multipart-upload.ts) when not;
 * what it records goes to the vault object's metadata and the journal alike (vault-entry.ts).
 */

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
  | WriteOutcome
  /** The version the change named can no longer be read: superseded or destroyed before the copy. */
  | { readonly status: 'gone'; readonly reason: string };

export async function backUpChange(ctx: CopyContext, change: SourceChange): Promise<CopyOutcome> {
  return change.type === 'created' ? copyVersion(ctx, change) : recordDeletion(ctx, ctx.sourceAccount, change);
}

async function copyVersion(ctx: CopyContext, change: ObjectCreated): Promise<CopyOutcome> {
  const first = await readSourceVersion(ctx, change);
  if ('gone' in first) return { status: 'gone', reason: first.gone };
  const { version, body } = first;

  if (await vaultHas(ctx.vault, version.vaultKey)) {
    const { sha256 } = await sha256OfStream(body);
    return alreadyInVault(ctx, versionEntry(change, version, sha256));
  }
  if (version.size <= ctx.tuning.singlePutMaxBytes) {
    const bytes = await readAll(body, version.size);
    const digest = sha256Digest(bytes);
    const entry = versionEntry(change, version, digest.hex);
    return writeOnce(ctx, entry, () => putVaultObject(ctx.vault, version.vaultKey, bytes, objectFields(version, entry), digest));
  }
  return copyInParts(ctx, change, version, body);
}

/**
 * Objects above the single-put size: a first pass hashes the whole object (its SHA-256 goes into
 * the vault object's metadata, which is fixed when the upload starts), a second pass streams it
 * in parts and must hash to the same value. Both passes read the same pinned version, so a
 * difference means the source misbehaved: nothing is recorded.
 */
async function copyInParts(
  ctx: CopyContext,
  change: ObjectCreated,
  version: SourceVersion,
  firstPass: ByteStream,
): Promise<WriteOutcome> {
  const { sha256, bytes } = await sha256OfStream(firstPass);
  if (bytes !== version.size)
    throw new SourceChangedError(`${change.bucket}/${change.key}: read ${bytes} bytes, expected ${version.size}`);
  const { client, bucket } = ctx.vault;
  await abortStaleUploads(client, bucket, version.vaultKey).catch((error: unknown) =>
    explainVaultWrite(ctx.vault, error, version.vaultKey, 's3:ListBucketMultipartUploads'),
  );
  const entry = versionEntry(change, version, sha256);
  const secondPass = {
    name: describeRead(change),
    open: async () => {
      const second = await readSourceVersion(ctx, change);
      if ('gone' in second) throw new SourceChangedError(`${change.bucket}/${change.key}: ${second.gone} between two reads`);
      return second.body;
    },
  };
  return writeOnce(ctx, entry, async () => {
    const written = await uploadMultipart({
      client,
      bucket,
      key: version.vaultKey,
      source: secondPass,
      partBytes: partSizeFor(version.size, ctx.tuning),
      partsInFlight: ctx.tuning.partsInFlight,
      object: { ACL: 'bucket-owner-full-control', ...objectFields(version, entry) },
      ifNoneMatch: true,
      requireSha256: sha256,
    });
    return written.versionId;
  });
}

/** What the vault object of a source version records: the version as read, and its SHA-256. */
function versionEntry(change: ObjectCreated, version: SourceVersion, sha256: string): VaultEntry {
  return {
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
    size: version.size,
    sha256,
    contentType: version.headers.ContentType ?? null,
    metadata: version.userMetadata,
    headers: version.headers,
  };
}

function objectFields(version: SourceVersion, entry: VaultEntry): VaultObjectFields {
  // The vault object carries the source's headers too.
  return { ...writableHeaders(version.headers), Metadata: vaultObjectMetadata(entry) };
}
