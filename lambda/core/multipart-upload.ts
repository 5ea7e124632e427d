import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type CreateMultipartUploadCommandInput,
  ListMultipartUploadsCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describeProblems, describeValue, type Problem, ProblemsError } from '../../contract/errors';
import { sha256Digest, signedWithPayloadHash } from './payload-hash';
import { SourceChangedError } from './s3-errors';
import { type ByteStream, forEachLimited, md5Base64, PartBufferPool, pooledParts } from './streams';

/*
 * Writing one object of any size as a multipart upload, in bounded memory: parts of a fixed size
 * from a pool of reused buffers, a few in flight, each with Content-MD5 and SHA-256 for S3 to check.
 * An upload that fails is aborted, so it leaves no parts behind. This module knows nothing of the
 * copier or the vault: it takes a client, a bucket and a key, and the restore executor writes
 * restore targets with it too. S3's own errors surface unchanged, for the caller to explain.
 */

export const S3_MAX_PARTS = 10_000;

/** The part size for an object of `size` bytes: at least `minPartBytes`, and whole MiB large enough for 10,000 parts. */
export function partSizeFor(size: number, tuning: { readonly minPartBytes: number }): number {
  const perPart = Math.ceil(size / S3_MAX_PARTS);
  if (perPart <= tuning.minPartBytes) return tuning.minPartBytes;
  const mib = 1024 * 1024;
  return Math.ceil(perPart / mib) * mib;
}

/** The bytes to upload, opened once the upload exists (so nothing is read for an upload S3 refused). */
export interface ByteSource {
  /** Names the bytes in error messages: `acme-invoices/a.pdf (version v1)`. */
  readonly name: string;
  open(): Promise<ByteStream>;
}

export interface MultipartWrite {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly source: ByteSource;
  /** Every part but the last has exactly this size (see partSizeFor). */
  readonly partBytes: number;
  /** Parts uploaded concurrently: memory is about (partsInFlight + 1) x partBytes. */
  readonly partsInFlight: number;
  /** What the new object carries, fixed when the upload starts: ACL, content headers, metadata. */
  readonly object?: Omit<CreateMultipartUploadCommandInput, 'Bucket' | 'Key' | 'ChecksumAlgorithm'>;
  /** Complete with If-None-Match: *, so S3 refuses (412 PreconditionFailed) if the key exists by then. */
  readonly ifNoneMatch: boolean;
  /**
   * Complete only if the bytes streamed hash to this SHA-256 (hex); otherwise abort the upload and
   * throw SourceChangedError. Without it, only each part's own checksums are checked.
   */
  readonly requireSha256?: string;
  /** Complete only if exactly this many bytes were streamed; otherwise abort the upload and throw SourceChangedError. */
  readonly requireBytes?: number;
  /**
   * Called with the SHA-256 (hex) and length of the bytes streamed once every part is uploaded and checked,
   * before CompleteMultipartUpload: what the caller records must be known before S3 can answer that the key
   * exists (412 with If-None-Match). Throwing aborts the upload.
   */
  readonly onStreamed?: (streamed: { readonly sha256: string; readonly bytes: number }) => void;
}

export interface MultipartWritten {
  /** The new object's version id (null in an unversioned bucket). */
  readonly versionId: string | null;
  /** SHA-256 (hex) of the bytes streamed. */
  readonly sha256: string;
  readonly bytes: number;
  readonly parts: number;
}

/** S3 answered a step of a multipart upload without what the next step needs. */
export class MultipartUploadError extends ProblemsError {
  public override readonly name = 'MultipartUploadError';

  public constructor(
    public readonly bucket: string,
    public readonly key: string,
    problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(`multipart upload to ${bucket}/${key}: ${describeProblems(problems)}`, problems, options);
  }
}

export async function uploadMultipart(write: MultipartWrite): Promise<MultipartWritten> {
  const { client, bucket, key } = write;
  let uploadId: string | undefined;
  try {
    const created = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...write.object, ChecksumAlgorithm: 'SHA256' }),
    );
    uploadId = created.UploadId;
    if (!uploadId) {
      throw new MultipartUploadError(bucket, key, [
        {
          field: 'CreateMultipartUpload.UploadId',
          received: describeValue(created.UploadId),
          expected: 'the id of the new upload',
        },
      ]);
    }
    const id = uploadId;
    const body = await write.source.open();

    const whole = createHash('sha256');
    let bytes = 0;
    const parts: Array<{ PartNumber: number; ETag: string; ChecksumSHA256: string }> = [];
    // One buffer per part in flight plus the one being filled, reused for every part.
    const pool = new PartBufferPool(write.partBytes, write.partsInFlight + 1);
    async function* hashedParts() {
      for await (const part of pooledParts(body, pool)) {
        whole.update(part);
        bytes += part.length;
        yield part;
      }
    }
    await forEachLimited(hashedParts(), write.partsInFlight, async (part, index) => {
      try {
        const digest = sha256Digest(part);
        const checksum = digest.base64;
        const uploaded = await client.send(
          signedWithPayloadHash(
            new UploadPartCommand({
              Bucket: bucket,
              Key: key,
              UploadId: id,
              PartNumber: index + 1,
              Body: part,
              ContentLength: part.length,
              ContentMD5: md5Base64(part),
              ChecksumSHA256: checksum,
            }),
            digest,
          ),
        );
        if (!uploaded.ETag) {
          throw new MultipartUploadError(bucket, key, [
            {
              field: `UploadPart[${index + 1}].ETag`,
              received: describeValue(uploaded.ETag),
              expected: "the part's ETag, which CompleteMultipartUpload needs",
            },
          ]);
        }
        parts[index] = { PartNumber: index + 1, ETag: uploaded.ETag, ChecksumSHA256: checksum };
      } finally {
        pool.release(part);
      }
    });
    const sha256 = whole.digest('hex');
    if (write.requireSha256 !== undefined && sha256 !== write.requireSha256) {
      throw new SourceChangedError(
        `${write.source.name}: the bytes uploaded to ${bucket}/${key} hash to ${sha256}, expected ${write.requireSha256}; upload aborted`,
      );
    }
    if (write.requireBytes !== undefined && bytes !== write.requireBytes) {
      throw new SourceChangedError(
        `${write.source.name}: read ${bytes} bytes for ${bucket}/${key}, expected ${write.requireBytes}; upload aborted`,
      );
    }
    write.onStreamed?.({ sha256, bytes });
    const completed = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: id,
        ...(write.ifNoneMatch ? { IfNoneMatch: '*' } : {}),
        MultipartUpload: { Parts: parts },
      }),
    );
    uploadId = undefined;
    return { versionId: completed.VersionId ?? null, sha256, bytes, parts: parts.length };
  } catch (error) {
    if (uploadId) await abortQuietly(client, bucket, key, uploadId);
    throw error;
  }
}

/**
 * Parts of an upload whose writer died never became an object; abort them before starting again
 * so that nothing is left behind (a lifecycle rule is only the backstop). Listing errors surface.
 */
export async function abortStaleUploads(client: S3Client, bucket: string, key: string): Promise<void> {
  const listed = await client.send(new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: key }));
  for (const upload of listed.Uploads ?? []) {
    if (upload.Key === key && upload.UploadId) await abortQuietly(client, bucket, key, upload.UploadId);
  }
}

async function abortQuietly(client: S3Client, bucket: string, key: string, uploadId: string): Promise<void> {
  try {
    await client.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
  } catch {
    // Best effort: the next attempt for this key aborts it again, and the lifecycle rule sweeps it after a day.
  }
}
