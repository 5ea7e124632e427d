import { createHash } from 'node:crypto';
import { StrongroomError } from '../../contract/errors';
import { VAULT_PREFIXES } from '../../contract/vault-layout';

/*
 * Where each backed-up thing lives in the vault. Every source version and every source deletion is
 * one vault object at a key derived from (source account, bucket, key) plus a token naming that
 * version or deletion: `objects/<account>/<bucket>/<sha256(key)>/<token>`.
 *
 * - Deterministic: a re-delivered event computes the same vault key, and the vault refuses a second
 *   write to it (If-None-Match), so copies are idempotent without reading the vault.
 * - Bounded: source keys are up to 1024 bytes, so they are hashed; the key itself is recorded in
 *   the object's metadata and in the journal.
 * - One prefix per source key: the whole timeline of a key is one listing away.
 */

/** A vault key or token that is not of the layout below: written by something other than the pipeline. */
export class VaultKeyError extends StrongroomError {
  public override readonly name = 'VaultKeyError';
}

export interface SourceObjectRef {
  /** The primary account owning the bucket. */
  readonly account: string;
  readonly bucket: string;
  readonly key: string;
}

/**
 * What a timeline entry records: `version` (a versioned source's version id, or an unversioned source's
 * content at a point in time), `deleteMarker` (placed in a versioned source), `destroyed` (a version
 * permanently deleted with DeleteObject and a version id), `deleted` (an object deleted from an unversioned
 * source). The journal's schema validates against this same list.
 */
export const ENTRY_KINDS = ['version', 'deleteMarker', 'destroyed', 'deleted'] as const;
export type EntryKind = (typeof ENTRY_KINDS)[number];

/** Token prefixes: `v` a versioned source's version, `c` an unversioned source's content, then the deletions. */
const TOKEN_PREFIXES: ReadonlyArray<readonly [string, EntryKind]> = [
  ['v', 'version'],
  ['c', 'version'],
  ['m', 'deleteMarker'],
  ['x', 'destroyed'],
  ['d', 'deleted'],
];

/** S3 reports "null" as the version id of objects written while versioning was off or suspended. */
export function isRealVersionId(versionId: string | null | undefined): versionId is string {
  return typeof versionId === 'string' && versionId.length > 0 && versionId !== 'null';
}

export function keyDigest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The prefix under which every entry of one source key's timeline lives. */
export function timelinePrefix(ref: SourceObjectRef): string {
  return `${VAULT_PREFIXES.objects}${ref.account}/${ref.bucket}/${keyDigest(ref.key)}/`;
}

export function vaultKeyFor(ref: SourceObjectRef, token: string): string {
  return `${timelinePrefix(ref)}${token}`;
}

/** Opaque ids become key-safe without changing ordinary ones (S3 version ids are URL-safe already). */
function safe(part: string): string {
  return encodeURIComponent(part);
}

/** Strip the quotes S3 puts around ETags. */
export function bareEtag(etag: string): string {
  return etag.replace(/^"|"$/g, '');
}

/**
 * The token of a source version. Versioned sources name versions by id. Unversioned sources have
 * none: a version is its content at a time, so (last-modified second, ETag) names it, and the
 * event path and the reconciler's listing derive the same token.
 */
export function versionToken(source: { versionId?: string | null; etag: string; lastModified: Date }): string {
  if (isRealVersionId(source.versionId)) return `v.${safe(source.versionId)}`;
  return `c.${Math.floor(source.lastModified.getTime() / 1000)}.${safe(bareEtag(source.etag))}`;
}

/** A delete marker is itself a version in the source, with its own id. */
export function deleteMarkerToken(markerVersionId: string): string {
  return `m.${safe(markerVersionId)}`;
}

/** The permanent deletion of one version. */
export function destroyedToken(versionId: string): string {
  return `x.${safe(versionId)}`;
}

/**
 * A deletion in an unversioned source: identified by the event's sequencer, or, when the reconciler
 * finds a key gone, by the time it noticed.
 */
export function deletedToken(identity: { sequencer: string } | { detectedAt: Date }): string {
  return 'sequencer' in identity ? `d.s${safe(identity.sequencer)}` : `d.r${identity.detectedAt.getTime()}`;
}

/** The kind of entry a token names (the inverse of the token builders' prefixes). */
export function kindOfToken(token: string): EntryKind {
  const found = TOKEN_PREFIXES.find(([prefix]) => token.startsWith(`${prefix}.`));
  if (!found) throw new VaultKeyError(`not a vault entry token: ${JSON.stringify(token)}`);
  return found[1];
}

/** Journal segment keys sort by time within an account: `journal/<account>/<yyyy>/<mm>/<dd>/<time>-<id>.ndjson`. */
export function journalSegmentKey(account: string, writtenAt: Date, segmentId: string): string {
  const iso = writtenAt.toISOString();
  const [yyyy, mm, dd] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const time = iso.replace(/[-:]/g, '').replace('.', '');
  return `${VAULT_PREFIXES.journal}${account}/${yyyy}/${mm}/${dd}/${time}-${safe(segmentId)}.ndjson`;
}

export function journalPrefix(account: string): string {
  return `${VAULT_PREFIXES.journal}${account}/`;
}
