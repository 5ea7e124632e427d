import { StrongroomError } from '../../contract/errors';
import { JOURNAL_FORMAT_VERSION, type JournalEntry } from './journal';
import { type EntryKind, keyDigest, type SourceObjectRef } from './vault-keys';

/*
 * What one vault object records, said once and rendered twice: as its journal entry, and as the
 * vault object's own metadata. A version and a tombstone are both a VaultEntry; only the write adds
 * when it happened and the vault version id.
 */

/** A journal entry before the write: everything but when it was written and the vault version id. */
export type VaultEntry = Omit<JournalEntry, 'v' | 'copiedAt' | 'vaultVersionId'>;

export interface VaultWrite {
  readonly copiedAt: Date;
  /** Null when this attempt found the entry already in the vault. */
  readonly vaultVersionId: string | null;
}

/** The journal entry for a vault object: the only place one is built. */
export function journalEntry(entry: VaultEntry, write: VaultWrite): JournalEntry {
  return { v: JOURNAL_FORMAT_VERSION, ...entry, copiedAt: write.copiedAt.toISOString(), vaultVersionId: write.vaultVersionId };
}

const SHA256_RECORDED = 'sha256-recorded';
const SHA256_IN_JOURNAL = 'journal';
const PART_BYTES = 'part-bytes';
/** The first format whose versions may record their SHA-256 in the journal only. */
const JOURNAL_SHA256_FORMAT = '2';

/**
 * How a version's vault object records its SHA-256. `metadata`: in its own metadata (`sha256`), as a single
 * PUT does, whose metadata is written with its bytes. `journal`: only in its journal entry, as a multipart
 * upload does, whose metadata is fixed at CreateMultipartUpload before a byte is read; the object says so
 * (`sha256-recorded: journal`) and records its part size (`part-bytes`), so the composite checksum S3 keeps
 * of the parts' SHA-256s can be derived again from the bytes.
 */
export type Sha256Layout = { readonly in: 'metadata' } | { readonly in: 'journal'; readonly partBytes: number };

/**
 * The vault object's metadata for an entry: a version records its ETag, Last-Modified and SHA-256 (or where
 * its SHA-256 is, see Sha256Layout), a tombstone what it deletes and when; both record the source version id
 * and sequencer they have.
 */
export function vaultObjectMetadata(entry: VaultEntry, layout: Sha256Layout = { in: 'metadata' }): Record<string, string> {
  if (entry.kind === 'version' && layout.in === 'metadata' && entry.sha256 === null) {
    throw new StrongroomError(`${entry.vaultKey}: a version's vault object needs its SHA-256 or the journal marker`);
  }
  const sha256 =
    layout.in === 'journal'
      ? { [SHA256_RECORDED]: SHA256_IN_JOURNAL, [PART_BYTES]: String(layout.partBytes) }
      : { sha256: entry.sha256 ?? undefined };
  return vaultMetadata(
    entry,
    entry.kind,
    {
      'source-version-id': entry.sourceVersionId ?? undefined,
      destroys: entry.destroys ?? undefined,
      'source-etag': entry.sourceEtag ?? undefined,
      ...(entry.kind === 'version' ? { 'source-last-modified': entry.sourceTime } : {}),
      'source-sequencer': entry.sequencer ?? undefined,
      ...sha256,
      ...(entry.kind === 'version' ? {} : { 'event-time': entry.eventTime }),
    },
    entry.metadata,
  );
}

/**
 * The layout of a vault object's own metadata. 1: every version records `sha256`. 2: a version written as a
 * multipart upload records `sha256-recorded: journal` and `part-bytes` instead (Sha256Layout); single-PUT
 * versions and tombstones as in 1. Nothing in a vault is rewritten, so readers accept both.
 */
export const VAULT_OBJECT_FORMAT_VERSION = 2;

/** What a reader finds about a vault object's SHA-256, or why it cannot trust what it finds. */
export type RecordedSha256 =
  | { readonly in: 'metadata'; readonly sha256: string }
  | { readonly in: 'journal'; readonly partBytes: number }
  | { readonly refused: string };

/**
 * Read back what vaultObjectMetadata wrote about a version's SHA-256 (format 1 or 2). Anything Strongroom
 * does not write is refused: no record at all, both records, the journal marker on a format-1 object, or a
 * part size that is not a whole number of bytes.
 */
export function recordedSha256(metadata: Record<string, string> | undefined): RecordedSha256 {
  const sha256 = metadata?.sha256;
  const marker = metadata?.[SHA256_RECORDED];
  if (marker === undefined) {
    return sha256 === undefined
      ? { refused: `records no SHA-256 (neither sha256 nor ${SHA256_RECORDED}: ${SHA256_IN_JOURNAL})` }
      : { in: 'metadata', sha256 };
  }
  if (sha256 !== undefined) return { refused: `records both sha256 and ${SHA256_RECORDED}: ${marker}` };
  if (marker !== SHA256_IN_JOURNAL) {
    return { refused: `records ${SHA256_RECORDED}: ${JSON.stringify(marker)}, expected "${SHA256_IN_JOURNAL}"` };
  }
  const format = metadata?.['strongroom-format'];
  if (format !== JOURNAL_SHA256_FORMAT) {
    return {
      refused: `records ${SHA256_RECORDED} in strongroom-format ${format ?? '(missing)'}, expected format ${JOURNAL_SHA256_FORMAT}`,
    };
  }
  const partBytes = metadata?.[PART_BYTES];
  if (partBytes === undefined || !/^[1-9]\d*$/.test(partBytes)) {
    return { refused: `records ${PART_BYTES}: ${partBytes ?? '(missing)'}, expected the part size in bytes` };
  }
  return { in: 'journal', partBytes: Number(partBytes) };
}

/** AWS's limit on user-defined metadata: the UTF-8 bytes of every key and value together. */
export const S3_USER_METADATA_MAX_BYTES = 2048;

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
    'strongroom-format': String(VAULT_OBJECT_FORMAT_VERSION),
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

export function metadataBytes(metadata: Record<string, string>): number {
  return Object.entries(metadata).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}
