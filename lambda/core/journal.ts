import { createHash } from 'node:crypto';
import * as z from 'zod';
import { StrongroomError } from '../../contract/errors';
import { ENTRY_KINDS } from './vault-keys';

/*
 * The journal: append-only, object-locked segments of newline-delimited JSON, one segment per copier
 * batch, each carrying the SHA-256 of its content in its metadata. It records every copy and every
 * tombstone, so a restore plan or a coverage check reads segments instead of listing every version
 * in the vault. A re-delivered event may journal the same entry twice (the copier cannot know
 * whether its earlier attempt got as far as the journal); readers keep one entry per vault key.
 */

/**
 * Format 2 adds `headers` (the source's content headers, so a restore can put them back from the journal
 * alone). Nothing in a vault is ever rewritten: format 1 entries stay readable, without headers.
 */
export const JOURNAL_FORMAT_VERSION = 2;

/** The content headers of a source version, as S3 names them; only those the source sent. */
export const ContentHeadersSchema = z.strictObject({
  ContentType: z.string().optional(),
  ContentEncoding: z.string().optional(),
  CacheControl: z.string().optional(),
  ContentDisposition: z.string().optional(),
  ContentLanguage: z.string().optional(),
  /** The Expires header as the source sent it (an HTTP date). */
  ExpiresString: z.string().optional(),
});
export type JournalContentHeaders = z.output<typeof ContentHeadersSchema>;

export const JournalEntrySchema = z.strictObject({
  v: z.union([z.literal(1), z.literal(JOURNAL_FORMAT_VERSION)]),
  kind: z.enum(ENTRY_KINDS),
  account: z.string().min(1),
  bucket: z.string().min(1),
  key: z.string().min(1),
  token: z.string().min(1),
  vaultKey: z.string().min(1),
  /** The source version id; null for unversioned sources and their deletions. */
  sourceVersionId: z.string().nullable(),
  /** For `destroyed`: the source version id (of a version or a delete marker) that was permanently deleted. */
  destroys: z.string().nullable(),
  sourceEtag: z.string().nullable(),
  /** When the source version was written (or the deletion happened), ISO-8601. */
  sourceTime: z.iso.datetime(),
  /** S3's per-key event order (hex), when the change arrived as an event. */
  sequencer: z.string().nullable(),
  /** When S3 reported the change (event time), ISO-8601. */
  eventTime: z.iso.datetime(),
  /** When the copier wrote the vault object, ISO-8601. */
  copiedAt: z.iso.datetime(),
  size: z.number().int().nonnegative(),
  /** SHA-256 (hex) of the bytes copied; null for deletions. */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .nullable(),
  /** The vault object's version id; null when this attempt found the entry already in the vault. */
  vaultVersionId: z.string().nullable(),
  contentType: z.string().nullable(),
  /** The source object's user metadata (also on the vault object when it fits S3's 2 KB limit). */
  metadata: z.record(z.string(), z.string()),
  /** Format 2: the source's content headers (none for tombstones). */
  headers: ContentHeadersSchema.optional(),
});

export type JournalEntry = z.output<typeof JournalEntrySchema>;

export interface JournalSegment {
  readonly body: Buffer;
  /** SHA-256 (hex) of `body`. */
  readonly sha256: string;
  readonly entries: number;
}

export function encodeSegment(entries: readonly JournalEntry[]): JournalSegment {
  if (entries.length === 0) throw new StrongroomError('a journal segment needs at least one entry');
  const body = Buffer.from(`${entries.map((e) => JSON.stringify(JournalEntrySchema.parse(e))).join('\n')}\n`, 'utf8');
  return { body, sha256: createHash('sha256').update(body).digest('hex'), entries: entries.length };
}

/** A segment whose content does not hash to its recorded SHA-256, or does not parse: evidence tampered with or damaged. */
export class JournalIntegrityError extends StrongroomError {
  public override readonly name = 'JournalIntegrityError';

  public constructor(
    public readonly segmentKey: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(`journal segment ${segmentKey}: ${detail}`, options);
  }
}

/** Check a segment against its recorded SHA-256 and parse every line; throws JournalIntegrityError. */
export function decodeSegment(segmentKey: string, body: Buffer, recordedSha256: string | undefined): JournalEntry[] {
  const actual = createHash('sha256').update(body).digest('hex');
  if (recordedSha256 !== actual) {
    throw new JournalIntegrityError(
      segmentKey,
      `content hashes to ${actual}, but its metadata records ${recordedSha256 ?? '(nothing)'}`,
    );
  }
  const lines = body
    .toString('utf8')
    .split('\n')
    .filter((line) => line.length > 0);
  return lines.map((line, i) => {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new JournalIntegrityError(segmentKey, `line ${i + 1} is not JSON`, { cause: error });
    }
    const parsed = JournalEntrySchema.safeParse(value);
    if (!parsed.success) {
      throw new JournalIntegrityError(segmentKey, `line ${i + 1} is not a journal entry: ${parsed.error.issues[0]?.message}`);
    }
    return parsed.data;
  });
}

/** One entry per vault key; the first seen with a vault version id wins over a replay without one. */
export function uniqueEntries<T extends JournalEntry>(entries: Iterable<T>): T[] {
  const byKey = new Map<string, T>();
  for (const entry of entries) {
    const seen = byKey.get(entry.vaultKey);
    if (!seen || (seen.vaultVersionId === null && entry.vaultVersionId !== null)) byKey.set(entry.vaultKey, entry);
  }
  return [...byKey.values()];
}
