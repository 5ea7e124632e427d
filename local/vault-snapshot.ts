/**
 * A snapshot of what the vault holds for one primary account: every version under its prefixes with the
 * SHA-256 of its bytes, read through a session that may read them (the restore reader). Two snapshots
 * compared tell whether anything was lost or changed in between.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';

export interface VersionRecord {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  readonly sha256: string;
}

export interface VaultSnapshot {
  readonly takenAt: Date;
  /** Sorted by key, then version id. */
  readonly versions: readonly VersionRecord[];
  readonly deleteMarkers: readonly { readonly key: string; readonly versionId: string }[];
}

export interface SnapshotComparison {
  /** Present in both, same bytes. */
  readonly intact: readonly VersionRecord[];
  /** In the first snapshot, gone from the second. */
  readonly lost: readonly VersionRecord[];
  /** Same key and version id, different bytes (impossible on a real S3: a version is immutable). */
  readonly changed: readonly { readonly before: VersionRecord; readonly after: VersionRecord }[];
  /** New versions in the second snapshot. */
  readonly added: readonly VersionRecord[];
  readonly deleteMarkersAdded: number;
}

/** Lists every version under `prefixes` of `bucket` and hashes each (`concurrency` reads at a time). */
export async function snapshotVault(
  s3: S3Client,
  bucket: string,
  prefixes: readonly string[],
  concurrency = 8,
): Promise<VaultSnapshot> {
  const listed: { key: string; versionId: string; size: number }[] = [];
  const deleteMarkers: { key: string; versionId: string }[] = [];
  for (const prefix of prefixes) {
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }),
      );
      for (const v of page.Versions ?? []) {
        if (v.Key && v.VersionId) listed.push({ key: v.Key, versionId: v.VersionId, size: v.Size ?? 0 });
      }
      for (const m of page.DeleteMarkers ?? [])
        if (m.Key && m.VersionId) deleteMarkers.push({ key: m.Key, versionId: m.VersionId });
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
  }
  const versions: VersionRecord[] = new Array(listed.length);
  let next = 0;
  const worker = async () => {
    while (next < listed.length) {
      const i = next++;
      const v = listed[i] as (typeof listed)[number];
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: v.key, VersionId: v.versionId }));
      const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
      versions[i] = { ...v, sha256: createHash('sha256').update(bytes).digest('hex') };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, listed.length) }, worker));
  const order = (a: { key: string; versionId: string }, b: { key: string; versionId: string }) =>
    a.key === b.key ? a.versionId.localeCompare(b.versionId) : a.key.localeCompare(b.key);
  return { takenAt: new Date(), versions: versions.sort(order), deleteMarkers: deleteMarkers.sort(order) };
}

export function compareSnapshots(before: VaultSnapshot, after: VaultSnapshot): SnapshotComparison {
  const id = (v: { key: string; versionId: string }) => `${v.key}\u0000${v.versionId}`;
  const later = new Map(after.versions.map((v) => [id(v), v]));
  const earlier = new Set(before.versions.map(id));
  const intact: VersionRecord[] = [];
  const lost: VersionRecord[] = [];
  const changed: { before: VersionRecord; after: VersionRecord }[] = [];
  for (const v of before.versions) {
    const now = later.get(id(v));
    if (!now) lost.push(v);
    else if (now.sha256 !== v.sha256 || now.size !== v.size) changed.push({ before: v, after: now });
    else intact.push(v);
  }
  const markersBefore = new Set(before.deleteMarkers.map(id));
  return {
    intact,
    lost,
    changed,
    added: after.versions.filter((v) => !earlier.has(id(v))),
    deleteMarkersAdded: after.deleteMarkers.filter((m) => !markersBefore.has(id(m))).length,
  };
}
