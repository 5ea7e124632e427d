/**
 * Datasets for the benchmark rows: buckets filled from memory at high concurrency, emptied between
 * contestants, and the server's garbage collector run so deleted bytes leave RAM before the next one.
 */
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { forEachLimited } from '../lambda/core/streams';
import { type LocalS3, radosgwAdmin } from '../local/local-s3';

export const objectKey = (prefix: string, i: number) => `${prefix}${String(i).padStart(7, '0')}.bin`;

export async function createBucket(s3: S3Client, bucket: string, versioned = false): Promise<void> {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  if (versioned) {
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  }
}

export interface Written {
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly size: number;
}

/** `count` objects of `size` random bytes under `prefix`, `inFlight` at once. */
export async function fillBucket(
  s3: S3Client,
  bucket: string,
  prefix: string,
  count: number,
  size: number,
  inFlight = 32,
): Promise<Written[]> {
  const written: Written[] = new Array(count);
  await forEachLimited(
    Array.from({ length: count }, (_, i) => i),
    inFlight,
    async (i) => {
      const key = objectKey(prefix, i);
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: randomBytes(size), ContentLength: size }));
      written[i] = { key, size, ...(put.VersionId ? { versionId: put.VersionId } : {}), ...(put.ETag ? { etag: put.ETag } : {}) };
    },
  );
  return written;
}

/** Delete every version under `prefix` (a peer's output), then have RGW collect the garbage at once. */
export async function emptyBucket(localS3: LocalS3, s3: S3Client, bucket: string): Promise<void> {
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
    );
    const objects = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key as string,
      VersionId: v.VersionId as string,
    }));
    if (objects.length > 0)
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }));
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  await radosgwAdmin(localS3, ['gc', 'process', '--include-all']).catch(() => undefined);
}

/** One large object of random bytes, streamed (never whole in memory) as a multipart upload. */
export async function uploadLarge(s3: S3Client, bucket: string, key: string, size: number): Promise<Written> {
  const block = 1024 * 1024;
  const body = Readable.from(
    (function* () {
      for (let offset = 0; offset < size; offset += block) yield randomBytes(Math.min(block, size - offset));
    })(),
  );
  const done = await new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body },
    partSize: 16 * block,
    queueSize: 4,
  }).done();
  return { key, size, ...(done.VersionId ? { versionId: done.VersionId } : {}), ...(done.ETag ? { etag: done.ETag } : {}) };
}
