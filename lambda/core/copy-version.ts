import type { S3Client } from '@aws-sdk/client-s3';
import { StrongroomError } from '../../contract/errors';
import { writableHeaders } from './content-headers';
import { abortStaleUploads, partSizeFor, uploadMultipart } from './multipart-upload';
import { sha256Digest } from './payload-hash';
import type { ObjectCreated, SourceChange } from './source-change';
import { describeRead, readSourceVersion, type SourceVersion } from './source-version';
import { type ByteStream, discard, readAll, sha256OfStream } from './streams';
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
    return writeOnce(
      ctx,
      version.vaultKey,
      () => putVaultObject(ctx.vault, version.vaultKey, bytes, objectFields(version, vaultObjectMetadata(entry)), digest),
      () => entry,
    );
  }
  return copyInParts(ctx, change, version, body);
}

/**
 * Objects above the single-put size, in one read of the pinned version: streamed into a multipart upload
 * whose parts S3 checks (Content-MD5, x-amz-checksum-sha256), hashed whole on the way. The vault object's
 * metadata is fixed before a byte is read, so it says its SHA-256 is in the journal (Sha256Layout); the
 * journal entry records the SHA-256 of exactly the bytes uploaded, and a read of any other length than the
 * version's size is aborted before completion: nothing is recorded.
 */
async function copyInParts(
  ctx: CopyContext,
  change: ObjectCreated,
  version: SourceVersion,
  body: ByteStream,
): Promise<WriteOutcome> {
  const { client, bucket } = ctx.vault;
  const partBytes = partSizeFor(version.size, ctx.tuning);
  let streamed: string | undefined;
  const entry = () => {
    if (streamed === undefined) throw new StrongroomError(`${version.vaultKey}: journaled before its bytes were streamed`);
    return versionEntry(change, version, streamed);
  };
  try {
    await abortStaleUploads(client, bucket, version.vaultKey).catch((error: unknown) =>
      explainVaultWrite(ctx.vault, error, version.vaultKey, 's3:ListBucketMultipartUploads'),
    );
    // Everything the object carries but its SHA-256, which it cannot carry yet.
    const metadata = vaultObjectMetadata(versionEntry(change, version, null), { in: 'journal', partBytes });
    return await writeOnce(
      ctx,
      version.vaultKey,
      async () => {
        const written = await uploadMultipart({
          client,
          bucket,
          key: version.vaultKey,
          source: { name: describeRead(change), open: async () => body },
          partBytes,
          partsInFlight: ctx.tuning.partsInFlight,
          object: { ACL: 'bucket-owner-full-control', ...objectFields(version, metadata) },
          ifNoneMatch: true,
          requireBytes: version.size,
          onStreamed: ({ sha256 }) => {
            streamed = sha256;
          },
        });
        return written.versionId;
      },
      entry,
    );
  } catch (error) {
    // Unread if the upload failed before it began (a refused listing or CreateMultipartUpload): free its socket.
    discard(body);
    throw error;
  }
}

/** What the vault object of a source version records: the version as read, and its SHA-256 (null only before it is known). */
function versionEntry(change: ObjectCreated, version: SourceVersion, sha256: string | null): VaultEntry {
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

function objectFields(version: SourceVersion, metadata: Record<string, string>): VaultObjectFields {
  // The vault object carries the source's headers too.
  return { ...writableHeaders(version.headers), Metadata: metadata };
}
