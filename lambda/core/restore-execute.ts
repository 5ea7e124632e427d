import {
  DeleteObjectCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeError, StrongroomError } from '../../contract/errors';
import { writableHeaders } from './content-headers';
import { type CopyTuning, DEFAULT_TUNING } from './copy-version';
import type { TrustedEntry } from './journal-trust';
import { partSizeFor, uploadMultipart } from './multipart-upload';
import type { PlanItem } from './restore-plan';
import { isNotFound, SourceChangedError } from './s3-errors';
import { type ByteStream, discard, forEachLimited, md5Base64, readAll, sha256Base64, sha256Hex } from './streams';
import { retryTransient } from './transient';
import { metadataBytes, recordedSha256, S3_USER_METADATA_MAX_BYTES } from './vault-entry';

/*
 * The restore executor: each planned write reads its vault version (as the restore reader, pinned by version
 * id), refuses it if the server wrote it after the distrust instant or if its recorded SHA-256 disagrees with
 * the journal, and streams it into the target as the restore function's own role, checking the SHA-256 of
 * the bytes as they pass: a version whose bytes do not hash to the journal's value is never completed in the
 * target. Small objects go in one PUT, larger ones through the multipart upload the copier uses. Each
 * object written records its SHA-256 (`strongroom-sha256`), so a rerun finds it identical and skips it.
 */

/** Restores move bytes the way copies do: one PUT up to a size, then multipart parts a few at a time. */
export type RestoreTuning = CopyTuning;
export const DEFAULT_RESTORE_TUNING: RestoreTuning = DEFAULT_TUNING;

/**
 * Objects restored at once. Each holds at most one single-put buffer (16 MiB) or its multipart parts (40 MiB):
 * at worst 640 MiB of buffers, inside the restore function's 1,024 MB. The benchmark's point-in-time row
 * measures the rate it gives.
 */
export const RESTORE_OBJECTS_IN_FLIGHT = 16;

export interface ExecuteDependencies {
  /** The vault, read as the restore reader. */
  readonly vault: { readonly client: S3Client; readonly bucket: string };
  /** The target, written as the restore function's own role. */
  readonly target: { readonly client: S3Client; readonly bucket: string };
  readonly distrustWritesAfter?: Date;
  /**
   * Before each write, ask the target whether it already holds the object (the SHA-256 a restore records):
   * set on the first batch after a resume, where a crashed pass may have written objects it never recorded.
   */
  readonly recheckTarget?: boolean;
  /** Remove extraneous keys (a delete marker: the target must be versioned). */
  readonly removeExtraneous?: boolean;
  readonly tuning?: RestoreTuning;
  /** Objects restored at once. */
  readonly concurrency?: number;
  /** Milliseconds left; the executor stops starting new objects below `marginMs` and returns where it got to. */
  readonly remainingMs?: () => number;
  readonly marginMs?: number;
  /** Called after each object, for progress. */
  readonly onItem?: (item: PlanItem, outcome: ItemOutcome) => void;
}

export type ItemOutcome =
  | { readonly status: 'written'; readonly bytes: number }
  | { readonly status: 'skipped' }
  /** Found in the target already, written by an earlier pass that stopped before recording it. */
  | { readonly status: 'present'; readonly bytes: number }
  | { readonly status: 'removed' }
  | { readonly status: 'failed'; readonly reason: string };

export interface ExecuteResult {
  /** True when every item from `from` on was handled; false when the time budget ran out first. */
  readonly done: boolean;
  /** Index of the first item not handled: where a continuation starts. */
  readonly next: number;
  readonly written: number;
  readonly bytesWritten: number;
  readonly skipped: number;
  /** Objects an earlier, interrupted pass had written (found by recheckTarget). */
  readonly present: number;
  readonly bytesPresent: number;
  readonly removed: number;
  readonly failed: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
}

/** A vault version that must not be restored: missing, written after the distrust instant, or not the bytes the journal records. */
export class UntrustedVersionError extends StrongroomError {
  public override readonly name = 'UntrustedVersionError';
}

/** The request asks for something the target cannot do safely (removal in an unversioned target). */
export class RestoreRefusedError extends StrongroomError {
  public override readonly name = 'RestoreRefusedError';
}

export async function executeRestore(deps: ExecuteDependencies, items: readonly PlanItem[], from = 0): Promise<ExecuteResult> {
  const tuning = deps.tuning ?? DEFAULT_RESTORE_TUNING;
  const concurrency = deps.concurrency ?? RESTORE_OBJECTS_IN_FLIGHT;
  if (deps.removeExtraneous && items.some((i) => i.action === 'extraneous')) await assertVersioned(deps.target);
  const result = {
    written: 0,
    bytesWritten: 0,
    skipped: 0,
    present: 0,
    bytesPresent: 0,
    removed: 0,
    failed: [] as Array<{ key: string; reason: string }>,
  };
  // A sliding window: a new object starts as soon as any of the `concurrency` in flight is done. Objects start
  // in plan order and every started one is awaited, so when time runs out the handled ones are exactly
  // items[from, next) and a continuation starts at `next`.
  let next = from;
  let outOfTime = false;
  function* toStart(): Generator<PlanItem> {
    while (next < items.length) {
      if (deps.remainingMs && deps.remainingMs() < (deps.marginMs ?? 0)) {
        outOfTime = true;
        return;
      }
      yield items[next++] as PlanItem;
    }
  }
  await forEachLimited(toStart(), concurrency, async (item) => {
    const outcome = await handle(deps, tuning, item);
    if (outcome.status === 'written') {
      result.written++;
      result.bytesWritten += outcome.bytes;
    } else if (outcome.status === 'present') {
      result.present++;
      result.bytesPresent += outcome.bytes;
    } else if (outcome.status === 'skipped') result.skipped++;
    else if (outcome.status === 'removed') result.removed++;
    else result.failed.push({ key: item.key, reason: outcome.reason });
    deps.onItem?.(item, outcome);
  });
  return { done: !outOfTime, next, ...result };
}

async function handle(deps: ExecuteDependencies, tuning: RestoreTuning, item: PlanItem): Promise<ItemOutcome> {
  try {
    if (item.action === 'skip') return { status: 'skipped' };
    if (item.action === 'extraneous') {
      if (!deps.removeExtraneous) return { status: 'skipped' };
      await deps.target.client.send(new DeleteObjectCommand({ Bucket: deps.target.bucket, Key: item.targetKey }));
      return { status: 'removed' };
    }
    if (!item.entry) throw new RestoreRefusedError(`plan item ${item.key} has no journal entry to restore`);
    if (deps.recheckTarget && (await alreadyRestored(deps.target, item.targetKey, item.entry))) {
      return { status: 'present', bytes: item.entry.size };
    }
    const entry = item.entry;
    return { status: 'written', bytes: await retryTransient(() => restoreOne(deps, tuning, entry, item.targetKey)) };
  } catch (error: unknown) {
    return { status: 'failed', reason: describeError(error) };
  }
}

async function restoreOne(
  deps: ExecuteDependencies,
  tuning: RestoreTuning,
  entry: TrustedEntry,
  targetKey: string,
): Promise<number> {
  const vaultObject = await deps.vault.client.send(
    new GetObjectCommand({
      Bucket: deps.vault.bucket,
      Key: entry.vaultKey,
      ...(entry.vaultVersionId ? { VersionId: entry.vaultVersionId } : {}),
    }),
  );
  const body = vaultObject.Body as unknown as ByteStream;
  try {
    return await restoreBytes(deps, tuning, entry, targetKey, vaultObject, body);
  } catch (error) {
    discard(body);
    throw error;
  }
}

/** Check the vault version, then stream it into the target, completing the write only if its bytes hash to the journal's SHA-256. */
async function restoreBytes(
  deps: ExecuteDependencies,
  tuning: RestoreTuning,
  entry: TrustedEntry,
  targetKey: string,
  vaultObject: GetObjectCommandOutput,
  body: ByteStream,
): Promise<number> {
  checkTrusted(deps, entry, vaultObject);
  const sha256 = entry.sha256 as string;
  const object = targetFields(entry);
  if (entry.size <= tuning.singlePutMaxBytes) {
    const bytes = await readAll(body, tuning.singlePutMaxBytes);
    const actual = sha256Hex(bytes);
    if (actual !== sha256)
      throw new UntrustedVersionError(
        `${entry.vaultKey}: the vault's bytes hash to ${actual}, the journal records ${sha256}; not restored`,
      );
    await deps.target.client.send(
      new PutObjectCommand({
        Bucket: deps.target.bucket,
        Key: targetKey,
        Body: bytes,
        ContentLength: bytes.length,
        ContentMD5: md5Base64(bytes),
        ChecksumSHA256: sha256Base64(bytes),
        ...object,
      }),
    );
    return bytes.length;
  }
  try {
    const written = await uploadMultipart({
      client: deps.target.client,
      bucket: deps.target.bucket,
      key: targetKey,
      source: { name: `vault ${entry.vaultKey}`, open: async () => body },
      partBytes: partSizeFor(entry.size, tuning),
      partsInFlight: tuning.partsInFlight,
      object,
      ifNoneMatch: false,
      requireSha256: sha256,
    });
    return written.bytes;
  } catch (error) {
    // The upload was aborted: nothing of these bytes is left in the target.
    if (error instanceof SourceChangedError) throw new UntrustedVersionError(`${error.message}; not restored`, { cause: error });
    throw error;
  }
}

/**
 * Trust the vault's own clock and the journal's checksum, never the object's claims: a version written after
 * the distrust instant, one whose size is not the journal's, one whose recorded SHA-256 differs from the
 * journal's, and one that records none (nor says the journal holds it: recordedSha256) are refused. The bytes
 * are hashed against the journal's SHA-256 as they are restored, whatever the object records.
 */
function checkTrusted(deps: ExecuteDependencies, entry: TrustedEntry, vaultObject: GetObjectCommandOutput): void {
  if (entry.kind !== 'version' || entry.sha256 === null) {
    throw new UntrustedVersionError(`${entry.vaultKey} is a ${entry.kind} entry, not a version with bytes`);
  }
  const writtenAt = vaultObject.LastModified;
  if (deps.distrustWritesAfter && (!writtenAt || writtenAt > deps.distrustWritesAfter)) {
    throw new UntrustedVersionError(
      `${entry.vaultKey} was written by the vault at ${writtenAt?.toISOString() ?? '(unknown)'}, after distrust-writes-after ${deps.distrustWritesAfter.toISOString()}`,
    );
  }
  if (vaultObject.ContentLength !== entry.size) {
    throw new UntrustedVersionError(
      `${entry.vaultKey} holds ${vaultObject.ContentLength ?? '(unknown)'} bytes, the journal records ${entry.size}; not restored`,
    );
  }
  const recorded = recordedSha256(vaultObject.Metadata);
  if ('refused' in recorded) throw new UntrustedVersionError(`${entry.vaultKey} ${recorded.refused}; not restored`);
  if (recorded.in === 'metadata' && recorded.sha256 !== entry.sha256) {
    throw new UntrustedVersionError(
      `${entry.vaultKey} records SHA-256 ${recorded.sha256}, the journal ${entry.sha256}; not restored`,
    );
  }
}

/** Headers and metadata of the restored object: as the source had them, plus the SHA-256 a rerun checks. */
function targetFields(entry: TrustedEntry) {
  const headers = entry.headers ?? (entry.contentType ? { ContentType: entry.contentType } : {});
  const withSha = { ...entry.metadata, 'strongroom-sha256': entry.sha256 as string };
  // The source's own metadata comes first: if ours does not fit beside it, a rerun compares by ETag or rewrites.
  const Metadata = metadataBytes(withSha) <= S3_USER_METADATA_MAX_BYTES ? withSha : entry.metadata;
  // The target's owner must be able to read what a restore wrote: the default under S3's BucketOwnerEnforced,
  // and what this canned ACL asks of servers where the writer owns its objects (Ceph RGW, ACL-enabled buckets).
  return { ...writableHeaders(headers), Metadata, ACL: 'bucket-owner-full-control' as const };
}

async function alreadyRestored(target: ExecuteDependencies['target'], key: string, entry: TrustedEntry): Promise<boolean> {
  try {
    const head = await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: key }));
    return head.ContentLength === entry.size && head.Metadata?.['strongroom-sha256'] === entry.sha256;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function assertVersioned(target: ExecuteDependencies['target']): Promise<void> {
  const versioning = await target.client.send(new GetBucketVersioningCommand({ Bucket: target.bucket }));
  if (versioning.Status !== 'Enabled') {
    throw new RestoreRefusedError(
      `removeExtraneous: received true for target ${target.bucket}, whose versioning is ${versioning.Status ?? 'off'}; expected a versioned target (removal must leave a recoverable delete marker)`,
    );
  }
}
