import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import type { JournalEntry } from './journal';
import { RECONCILER_EVENT_SOURCE, type SourceScope } from './source-change';
import { bareEtag, deleteMarkerToken, isRealVersionId, versionToken } from './vault-keys';

/*
 * The reconciler lists every version of every configured source and enqueues, for the copier,
 * each one the vault's journal does not record: lost events, a broken role fixed later, and the
 * data that existed before Strongroom was deployed. It reads the journal, never the vault's
 * objects, and stops with a checkpoint before its time runs out, to be continued by a fresh
 * invocation; a bucket of any size is covered, one listing page at a time.
 *
 * Tens of millions of objects belong to S3 Inventory and S3 Batch Operations (see README); this
 * path serves small and medium buckets and is the one tested locally.
 */

export const ReconcileCheckpointSchema = z.strictObject({
  /** Identifies one reconciliation pass across its continuations. */
  runId: z.string().min(1),
  sourceIndex: z.number().int().nonnegative(),
  prefixIndex: z.number().int().nonnegative(),
  keyMarker: z.string().optional(),
  versionIdMarker: z.string().optional(),
  listed: z.number().int().nonnegative(),
  enqueued: z.number().int().nonnegative(),
});

export type ReconcileCheckpoint = z.output<typeof ReconcileCheckpointSchema>;

export interface ReconcilerDependencies {
  readonly scope: SourceScope;
  /** Lists the sources with the reconciler role's own credentials. */
  readonly source: S3Client;
  /** Every journal entry of this account (read as the auditor role). */
  readonly readJournal: () => Promise<JournalEntry[]>;
  /** Put change messages on the copier's queue (bodies as the copier parses them). */
  readonly enqueue: (bodies: string[]) => Promise<void>;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  /** Stop when less than this is left: a page of 1,000 versions and its enqueueing must fit. */
  readonly marginMs: number;
  readonly newRunId: () => string;
}

export interface ReconcileResult {
  readonly done: boolean;
  /** Where to continue when not done. */
  readonly checkpoint: ReconcileCheckpoint;
}

export async function reconcile(deps: ReconcilerDependencies, from?: ReconcileCheckpoint): Promise<ReconcileResult> {
  let at: ReconcileCheckpoint = from ?? { runId: deps.newRunId(), sourceIndex: 0, prefixIndex: 0, listed: 0, enqueued: 0 };
  const recorded = new Set((await deps.readJournal()).map((e) => recordedId(e.bucket, e.key, e.token)));

  while (at.sourceIndex < deps.scope.sources.length) {
    if (deps.remainingMs() < deps.marginMs) return { done: false, checkpoint: at };
    const source = deps.scope.sources[at.sourceIndex];
    const prefixes = source.prefixes ?? [''];
    const page = await deps.source.send(
      new ListObjectVersionsCommand({
        Bucket: source.bucket,
        Prefix: prefixes[at.prefixIndex] || undefined,
        KeyMarker: at.keyMarker,
        VersionIdMarker: at.versionIdMarker,
        MaxKeys: 1000,
      }),
    );
    const missing: string[] = [];
    for (const version of page.Versions ?? []) {
      if (!version.Key || !version.ETag || !version.LastModified) continue;
      const versionId = isRealVersionId(version.VersionId) ? version.VersionId : null;
      const token = versionToken({ versionId, etag: version.ETag, lastModified: version.LastModified });
      if (recorded.has(recordedId(source.bucket, version.Key, token))) continue;
      missing.push(
        changeMessage(deps.scope.account, source.bucket, 'Object Created', version.LastModified, {
          key: version.Key,
          etag: bareEtag(version.ETag),
          ...(versionId ? { 'version-id': versionId } : {}),
        }),
      );
    }
    for (const marker of page.DeleteMarkers ?? []) {
      if (!marker.Key || !isRealVersionId(marker.VersionId) || !marker.LastModified) continue;
      if (recorded.has(recordedId(source.bucket, marker.Key, deleteMarkerToken(marker.VersionId)))) continue;
      missing.push(
        changeMessage(
          deps.scope.account,
          source.bucket,
          'Object Deleted',
          marker.LastModified,
          { key: marker.Key, 'version-id': marker.VersionId },
          'Delete Marker Created',
        ),
      );
    }
    if (missing.length > 0) await deps.enqueue(missing);
    const listed = at.listed + (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
    const enqueued = at.enqueued + missing.length;
    if (page.IsTruncated) {
      at = { ...at, keyMarker: page.NextKeyMarker, versionIdMarker: page.NextVersionIdMarker, listed, enqueued };
    } else if (at.prefixIndex + 1 < prefixes.length) {
      at = { runId: at.runId, sourceIndex: at.sourceIndex, prefixIndex: at.prefixIndex + 1, listed, enqueued };
    } else {
      at = { runId: at.runId, sourceIndex: at.sourceIndex + 1, prefixIndex: 0, listed, enqueued };
    }
  }
  return { done: true, checkpoint: at };
}

function recordedId(bucket: string, key: string, token: string): string {
  return `${bucket}\u0000${key}\u0000${token}`;
}

/** A change in the shape of an S3 EventBridge event, marked as the reconciler's. */
function changeMessage(
  account: string,
  bucket: string,
  detailType: 'Object Created' | 'Object Deleted',
  time: Date,
  object: Record<string, string>,
  deletionType?: 'Delete Marker Created',
): string {
  return JSON.stringify({
    source: RECONCILER_EVENT_SOURCE,
    'detail-type': detailType,
    account,
    time: time.toISOString(),
    detail: { bucket: { name: bucket }, object, ...(deletionType ? { 'deletion-type': deletionType } : {}) },
  });
}
