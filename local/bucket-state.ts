/**
 * What a bucket holds, key by key, as a restore must bring it back: the bytes (SHA-256 and size), the content
 * type and the user metadata. The demo and the CLI's integration test read a source before the attack and the
 * restore target after the restore, and compare the two.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { RESTORE_WORK_PREFIX } from '../lambda/core/restore-plan';

export interface StoredObject {
  readonly sha256: string;
  readonly size: number;
  readonly contentType: string | undefined;
  readonly metadata: Readonly<Record<string, string>>;
}

export type BucketState = ReadonlyMap<string, StoredObject>;

/** Metadata a restore adds of its own (the SHA-256 it checked while writing): not part of the source's state. */
const RESTORE_METADATA = new Set(['strongroom-sha256']);

/** Every current object of `bucket` (under `prefix`), read whole; restores' manifests and state left out. */
export async function readBucketState(s3: S3Client, bucket: string, prefix = ''): Promise<BucketState> {
  const state = new Map<string, StoredObject>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const key = o.Key as string;
      if (key.startsWith(RESTORE_WORK_PREFIX)) continue;
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      const metadata = Object.fromEntries(Object.entries(got.Metadata ?? {}).filter(([name]) => !RESTORE_METADATA.has(name)));
      state.set(key.slice(prefix.length), {
        sha256: createHash('sha256').update(body).digest('hex'),
        size: body.length,
        contentType: got.ContentType,
        metadata,
      });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return state;
}

export interface StateComparison {
  /** Keys whose bytes, content type and user metadata are the same. */
  readonly same: readonly string[];
  /** Keys that differ, are missing, or should not be there: each with what differs. */
  readonly differ: ReadonlyArray<{ readonly key: string; readonly what: string }>;
  /** Bytes of the keys that are the same. */
  readonly bytes: number;
}

/** Compares what a bucket holds with what it should hold (`expected`), key by key. */
export function compareBucketStates(expected: BucketState, actual: BucketState): StateComparison {
  const same: string[] = [];
  const differ: Array<{ key: string; what: string }> = [];
  let bytes = 0;
  for (const [key, want] of expected) {
    const got = actual.get(key);
    if (!got) {
      differ.push({ key, what: 'missing' });
      continue;
    }
    const what = [
      got.sha256 !== want.sha256 ? `bytes (sha256 ${got.sha256.slice(0, 12)}, expected ${want.sha256.slice(0, 12)})` : '',
      got.contentType !== want.contentType ? `content type (${got.contentType}, expected ${want.contentType})` : '',
      JSON.stringify(sorted(got.metadata)) !== JSON.stringify(sorted(want.metadata))
        ? `metadata (${JSON.stringify(sorted(got.metadata))}, expected ${JSON.stringify(sorted(want.metadata))})`
        : '',
    ].filter(Boolean);
    if (what.length > 0) differ.push({ key, what: what.join(', ') });
    else {
      same.push(key);
      bytes += want.size;
    }
  }
  for (const key of actual.keys()) if (!expected.has(key)) differ.push({ key, what: 'present, but absent at that instant' });
  return { same, differ, bytes };
}

const sorted = (record: Readonly<Record<string, string>>) =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
