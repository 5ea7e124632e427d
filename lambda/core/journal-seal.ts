import { createHash } from 'node:crypto';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import * as z from 'zod';
import { decodeSegment, JournalIntegrityError } from './journal';
import { encodeIndex, IndexBlockSchema } from './journal-index';
import { indexKey, isSegmentKey, sealKey, sealsPrefix } from './journal-keys';
import { type TrustedEntry, trusted } from './journal-trust';
import { isPreconditionFailed } from './s3-errors';
import { forEachLimited, md5Base64, sha256Base64 } from './streams';
import { getWhole } from './transient';

/*
 * Seals. A scheduled sealer closes an interval of journal segments, chosen by the server's write times
 * (LastModified), and writes, write-once and object-locked like every vault object:
 *   - one sorted, block-indexed file per source bucket with every entry of those segments;
 *   - a seal record: each segment's key, server write time and SHA-256, a Merkle root over them, each
 *     index file's SHA-256 and blocks, and the SHA-256 of the previous seal record: a chain per account.
 * Removing, altering or adding a segment in a sealed interval, or rewriting a seal, breaks the chain.
 * The sealer reads as a role that cannot read object bytes (the auditor) and writes as one that can only
 * append under journal/<account>/ (the ingest role).
 */

export const SEAL_FORMAT_VERSION = 1;

const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);

export const SealRecordSchema = z.strictObject({
  format: z.literal('strongroom-seal'),
  v: z.literal(SEAL_FORMAT_VERSION),
  account: z.string().min(1),
  sequence: z.number().int().nonnegative(),
  /** Segments written (server time) after this instant... */
  intervalStart: z.iso.datetime().nullable(),
  /** ...and at or before this one. */
  intervalEnd: z.iso.datetime(),
  sealedAt: z.iso.datetime(),
  segments: z.array(
    z.strictObject({ key: z.string(), writtenAt: z.iso.datetime(), sha256: Sha256Hex, entries: z.number().int() }),
  ),
  merkleRoot: Sha256Hex,
  indexes: z.array(
    z.strictObject({
      bucket: z.string(),
      key: z.string(),
      sha256: Sha256Hex,
      bytes: z.number().int().nonnegative(),
      entries: z.number().int().nonnegative(),
      blocks: z.array(IndexBlockSchema),
    }),
  ),
  previous: z.strictObject({ key: z.string(), sha256: Sha256Hex }).nullable(),
});
export type SealRecord = z.output<typeof SealRecordSchema>;
export type SealedSegment = SealRecord['segments'][number];

export interface VaultAccess {
  readonly client: S3Client;
  readonly bucket: string;
}

/** One listed object: its key and the server's LastModified. */
export interface Listed {
  readonly key: string;
  readonly writtenAt: Date;
}

/** Every object under a prefix, with its server write time. */
export async function listWithTimes(vault: VaultAccess, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await vault.client.send(
      new ListObjectsV2Command({ Bucket: vault.bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) if (o.Key && o.LastModified) out.push({ key: o.Key, writtenAt: o.LastModified });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** Merkle root (SHA-256, pairwise, an odd node carried up) over the segments in key order. */
export function merkleRoot(segments: readonly SealedSegment[]): string {
  let level = [...segments]
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((s) => sha256Hex(`${s.key}\n${s.writtenAt}\n${s.sha256}`));
  if (level.length === 0) return sha256Hex('');
  while (level.length > 1) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? sha256Hex(level[i] + level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}

/** A seal record as stored: its bytes (whose SHA-256 the next seal records) and its server write time. */
export interface StoredSeal {
  readonly key: string;
  readonly record: SealRecord;
  readonly sha256: string;
  readonly writtenAt: Date;
}

const MAX_SEAL_BYTES = 64 * 1024 * 1024;

export async function readSeal(vault: VaultAccess, listed: Listed): Promise<StoredSeal> {
  const { body } = await getWhole(vault.client, { Bucket: vault.bucket, Key: listed.key }, MAX_SEAL_BYTES);
  let parsed: ReturnType<typeof SealRecordSchema.safeParse>;
  try {
    parsed = SealRecordSchema.safeParse(JSON.parse(body.toString('utf8')));
  } catch (error) {
    throw new JournalIntegrityError(listed.key, 'seal record is not JSON', { cause: error });
  }
  if (!parsed.success) throw new JournalIntegrityError(listed.key, `not a seal record: ${parsed.error.issues[0]?.message}`);
  return { key: listed.key, record: parsed.data, sha256: sha256Hex(body), writtenAt: listed.writtenAt };
}

/** The account's seals in sequence order, each checked to link to the one before (JournalIntegrityError). */
export async function readSealChain(vault: VaultAccess, account: string, concurrency = 16): Promise<StoredSeal[]> {
  const listed = (await listWithTimes(vault, sealsPrefix(account))).sort((a, b) => (a.key < b.key ? -1 : 1));
  const seals: StoredSeal[] = new Array(listed.length);
  await forEachLimited(listed, concurrency, async (l, i) => {
    seals[i] = await readSeal(vault, l);
  });
  seals.forEach((seal, i) => {
    const previous = i > 0 ? seals[i - 1] : undefined;
    if (seal.record.sequence !== i) {
      throw new JournalIntegrityError(
        seal.key,
        `seal sequence ${seal.record.sequence} where ${i} was expected (a seal is missing)`,
      );
    }
    const linked = previous ? { key: previous.key, sha256: previous.sha256 } : null;
    if (JSON.stringify(seal.record.previous) !== JSON.stringify(linked)) {
      throw new JournalIntegrityError(
        seal.key,
        `seal links to ${JSON.stringify(seal.record.previous)}, but the seal before it is ${JSON.stringify(linked)}`,
      );
    }
    if (merkleRoot(seal.record.segments) !== seal.record.merkleRoot) {
      throw new JournalIntegrityError(seal.key, 'seal record does not hash to its own Merkle root');
    }
  });
  return seals;
}

export interface ReadSegment {
  readonly key: string;
  readonly writtenAt: Date;
  readonly sha256: string;
  readonly entries: TrustedEntry[];
}

const MAX_SEGMENT_BYTES = 64 * 1024 * 1024;

/** One segment, checked against the SHA-256 its metadata records, each entry stamped with the server's write time. */
export async function readSegment(vault: VaultAccess, listed: Listed): Promise<ReadSegment> {
  const { output, body } = await getWhole(vault.client, { Bucket: vault.bucket, Key: listed.key }, MAX_SEGMENT_BYTES);
  const entries = decodeSegment(listed.key, body, output.Metadata?.sha256);
  return {
    key: listed.key,
    writtenAt: listed.writtenAt,
    sha256: sha256Hex(body),
    entries: entries.map((e) => trusted(e, listed.key, listed.writtenAt)),
  };
}

export interface SealDependencies {
  /** Lists and reads the journal (the auditor role: no object bytes). */
  readonly reader: VaultAccess;
  /** Appends under journal/<account>/ (the ingest role). */
  readonly writer: VaultAccess;
  readonly account: string;
  readonly now: () => Date;
  /** Segments written less than this long ago stay in the tail: their writes may still be in flight. */
  readonly settleMs: number;
  readonly concurrency?: number;
  /** Entries per index block (default INDEX_BLOCK_ENTRIES); smaller blocks mean smaller reads for a prefix. */
  readonly indexBlockEntries?: number;
}

export type SealResult =
  | { readonly sealed: true; readonly key: string; readonly record: SealRecord }
  | { readonly sealed: false; readonly reason: string };

/** Close the interval since the last seal: index its segments per bucket and append the next link of the chain. */
export async function sealJournal(deps: SealDependencies): Promise<SealResult> {
  const concurrency = deps.concurrency ?? 16;
  const chain = await readSealChain(deps.reader, deps.account, concurrency);
  const last = chain.at(-1);
  const start = last ? new Date(last.record.intervalEnd) : null;
  // S3's LastModified has one-second resolution: end the interval just before the current second, so a
  // segment landing in this second (after the listing below) can only ever belong to the next interval.
  const end = new Date(Math.floor((deps.now().getTime() - deps.settleMs) / 1000) * 1000 - 1);
  if (start && end <= start) return { sealed: false, reason: `nothing settled since ${start.toISOString()}` };

  const listed = (await listWithTimes(deps.reader, `journal/${deps.account}/`)).filter(
    (l) => isSegmentKey(deps.account, l.key) && (!start || l.writtenAt > start) && l.writtenAt <= end,
  );
  if (listed.length === 0)
    return { sealed: false, reason: `no segment written in (${start?.toISOString() ?? 'the beginning'}, ${end.toISOString()}]` };

  const segments: ReadSegment[] = new Array(listed.length);
  await forEachLimited(listed, concurrency, async (l, i) => {
    segments[i] = await readSegment(deps.reader, l);
  });

  const sequence = chain.length;
  const byBucket = new Map<string, TrustedEntry[]>();
  for (const entry of segments.flatMap((s) => s.entries)) {
    const list = byBucket.get(entry.bucket) ?? [];
    list.push(entry);
    byBucket.set(entry.bucket, list);
  }
  const indexes: SealRecord['indexes'] = [];
  for (const [bucket, entries] of [...byBucket].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const index = encodeIndex(entries, deps.indexBlockEntries);
    const key = indexKey(deps.account, sequence, bucket, index.sha256);
    const metadata = { sha256: index.sha256, entries: String(index.entries) };
    await putOnce(deps.writer, key, index.body, 'application/gzip', metadata, { existingIsSame: true });
    indexes.push({ bucket, key, sha256: index.sha256, bytes: index.body.length, entries: index.entries, blocks: index.blocks });
  }

  const sealedSegments = segments
    .map((s) => ({ key: s.key, writtenAt: s.writtenAt.toISOString(), sha256: s.sha256, entries: s.entries.length }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const record: SealRecord = {
    format: 'strongroom-seal',
    v: SEAL_FORMAT_VERSION,
    account: deps.account,
    sequence,
    intervalStart: start?.toISOString() ?? null,
    intervalEnd: end.toISOString(),
    sealedAt: deps.now().toISOString(),
    segments: sealedSegments,
    merkleRoot: merkleRoot(sealedSegments),
    indexes,
    previous: last ? { key: last.key, sha256: last.sha256 } : null,
  };
  const key = sealKey(deps.account, sequence);
  await putOnce(deps.writer, key, Buffer.from(JSON.stringify(record), 'utf8'), 'application/json', {
    'strongroom-format': `seal-${SEAL_FORMAT_VERSION}`,
  });
  return { sealed: true, key, record };
}

/**
 * A write-once journal write: If-None-Match, Content-MD5 and SHA-256, owned by the bucket owner. With
 * `existingIsSame` (a content-addressed key) a key already written holds these very bytes: done.
 */
async function putOnce(
  vault: VaultAccess,
  key: string,
  body: Buffer,
  contentType: string,
  metadata: Record<string, string>,
  options: { readonly existingIsSame?: boolean } = {},
) {
  try {
    await vault.client.send(
      new PutObjectCommand({
        Bucket: vault.bucket,
        Key: key,
        Body: body,
        ContentLength: body.length,
        ContentType: contentType,
        ContentMD5: md5Base64(body),
        ChecksumSHA256: sha256Base64(body),
        IfNoneMatch: '*',
        ACL: 'bucket-owner-full-control',
        Metadata: metadata,
      }),
    );
  } catch (error) {
    if (!(options.existingIsSame && isPreconditionFailed(error))) throw error;
  }
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
