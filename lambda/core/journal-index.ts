import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import { JournalIntegrityError } from './journal';
import { type TrustedEntry, TrustedEntrySchema } from './journal-trust';
import { compareEntries, compareKeys } from './timeline';

/*
 * A sealed index: every entry of one source bucket for one seal's interval, sorted by (key, source
 * order), written as a sequence of independent gzip members ("blocks") of NDJSON. The seal record keeps
 * each block's first and last key, byte range and SHA-256, so a reader fetches only the blocks that can
 * hold its prefix (one ranged GET each) and checks each block it reads.
 */

export const INDEX_BLOCK_ENTRIES = 2000;

export const IndexBlockSchema = z.strictObject({
  firstKey: z.string(),
  lastKey: z.string(),
  offset: z.number().int().nonnegative(),
  length: z.number().int().positive(),
  entries: z.number().int().positive(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type IndexBlock = z.output<typeof IndexBlockSchema>;

export interface EncodedIndex {
  readonly body: Buffer;
  readonly sha256: string;
  readonly entries: number;
  readonly blocks: IndexBlock[];
}

/** Entries of one bucket, in any order: sorted here (by key, then source order) and cut into blocks. */
export function encodeIndex(entries: readonly TrustedEntry[], blockEntries = INDEX_BLOCK_ENTRIES): EncodedIndex {
  const sorted = [...entries].sort(compareIndexed);
  const parts: Buffer[] = [];
  const blocks: IndexBlock[] = [];
  let offset = 0;
  for (let i = 0; i < sorted.length; ) {
    // A block never splits one key's timeline: a reader of one key needs one block at most... unless a key
    // has more entries than a block holds, in which case the block grows to hold it whole.
    let end = Math.min(i + blockEntries, sorted.length);
    while (end < sorted.length && sorted[end].key === sorted[end - 1].key) end++;
    const slice = sorted.slice(i, end);
    const gz = gzipSync(Buffer.from(`${slice.map((e) => JSON.stringify(e)).join('\n')}\n`, 'utf8'));
    blocks.push({
      firstKey: slice[0].key,
      lastKey: slice[slice.length - 1].key,
      offset,
      length: gz.length,
      entries: slice.length,
      sha256: sha256Hex(gz),
    });
    parts.push(gz);
    offset += gz.length;
    i = end;
  }
  const body = Buffer.concat(parts);
  return { body, sha256: sha256Hex(body), entries: sorted.length, blocks };
}

/** Decode one block (the bytes of its range), checked against the SHA-256 its seal records. */
export function decodeIndexBlock(indexKey: string, block: IndexBlock, bytes: Buffer): TrustedEntry[] {
  const actual = sha256Hex(bytes);
  if (actual !== block.sha256) {
    throw new JournalIntegrityError(
      indexKey,
      `block at ${block.offset} hashes to ${actual}, but its seal records ${block.sha256}`,
    );
  }
  const lines = gunzipSync(bytes).toString('utf8').split('\n').filter(Boolean);
  if (lines.length !== block.entries) {
    throw new JournalIntegrityError(
      indexKey,
      `block at ${block.offset} holds ${lines.length} entries, its seal records ${block.entries}`,
    );
  }
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new JournalIntegrityError(indexKey, `block at ${block.offset}, line ${i + 1} is not JSON`, { cause: error });
    }
    const parsed = TrustedEntrySchema.safeParse(value);
    if (!parsed.success) {
      throw new JournalIntegrityError(indexKey, `block at ${block.offset}, line ${i + 1}: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  });
}

/**
 * Blocks that may hold keys starting with `prefix` (and after `startAfter`), in key order. Keys with one
 * prefix are contiguous in key order, so a block can hold one only if it ends at or after the prefix and
 * starts at or before it, or inside it.
 */
export function blocksFor(blocks: readonly IndexBlock[], prefix: string, startAfter?: string): IndexBlock[] {
  return blocks.filter(
    (b) =>
      compareKeys(b.lastKey, prefix) >= 0 &&
      (compareKeys(b.firstKey, prefix) <= 0 || b.firstKey.startsWith(prefix)) &&
      (startAfter === undefined || compareKeys(b.lastKey, startAfter) > 0),
  );
}

/** Index order: key (as S3 lists keys), then source order. */
export function compareIndexed(a: TrustedEntry, b: TrustedEntry): number {
  const byKey = compareKeys(a.key, b.key);
  return byKey !== 0 ? byKey : compareEntries(a, b);
}

function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
