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

/**
 * The vault object's metadata for an entry: a version records its ETag, Last-Modified and SHA-256,
 * a tombstone what it deletes and when; both record the source version id and sequencer they have.
 */
export function vaultObjectMetadata(entry: VaultEntry): Record<string, string> {
  return vaultMetadata(
    entry,
    entry.kind,
    {
      'source-version-id': entry.sourceVersionId ?? undefined,
      destroys: entry.destroys ?? undefined,
      'source-etag': entry.sourceEtag ?? undefined,
      ...(entry.kind === 'version' ? { 'source-last-modified': entry.sourceTime } : {}),
      'source-sequencer': entry.sequencer ?? undefined,
      sha256: entry.sha256 ?? undefined,
      ...(entry.kind === 'version' ? {} : { 'event-time': entry.eventTime }),
    },
    entry.metadata,
  );
}

/** The layout of a vault object's own metadata (unchanged by journal format 2). */
export const VAULT_OBJECT_FORMAT_VERSION = 1;

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
