import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { decodeSegment, encodeSegment, JOURNAL_FORMAT_VERSION, type JournalEntry } from './journal';
import { isSegmentKey } from './journal-keys';
import { forEachLimited, md5Base64, sha256Base64 } from './streams';
import { getWhole } from './transient';
import { journalPrefix, journalSegmentKey } from './vault-keys';

/** Append one segment (never overwriting: If-None-Match), returning its key. */
export async function appendJournalSegment(
  vault: { readonly client: S3Client; readonly bucket: string },
  account: string,
  entries: readonly JournalEntry[],
  segmentId: string,
  writtenAt: Date,
): Promise<string> {
  const segment = encodeSegment(entries);
  const key = journalSegmentKey(account, writtenAt, segmentId);
  await vault.client.send(
    new PutObjectCommand({
      Bucket: vault.bucket,
      Key: key,
      Body: segment.body,
      ContentLength: segment.body.length,
      ContentType: 'application/x-ndjson',
      ContentMD5: md5Base64(segment.body),
      ChecksumSHA256: sha256Base64(segment.body),
      IfNoneMatch: '*',
      ACL: 'bucket-owner-full-control',
      Metadata: { 'strongroom-format': String(JOURNAL_FORMAT_VERSION), sha256: segment.sha256, entries: String(segment.entries) },
    }),
  );
  return key;
}

/** Largest journal segment a reader accepts (a batch of 10,000 entries is about 10 MB). */
const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

/**
 * Every entry of one account's journal segments (not its seals or indexes), each segment checked against its recorded SHA-256
 * (JournalIntegrityError otherwise). Reads segments, never the vault's objects.
 */
export async function readJournal(
  vault: { readonly client: S3Client; readonly bucket: string },
  account: string,
  options: { readonly concurrency?: number } = {},
): Promise<JournalEntry[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await vault.client.send(
      new ListObjectsV2Command({ Bucket: vault.bucket, Prefix: journalPrefix(account), ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key && isSegmentKey(account, object.Key)) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);

  const segments: JournalEntry[][] = new Array(keys.length);
  await forEachLimited(keys, options.concurrency ?? 16, async (key, i) => {
    const { output, body } = await getWhole(vault.client, { Bucket: vault.bucket, Key: key }, MAX_SEGMENT_BYTES);
    segments[i] = decodeSegment(key, body, output.Metadata?.sha256);
  });
  return segments.flat();
}
