import { HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { RESTORE_WORK_PREFIX } from '../../contract/restore-orchestration';
import type { JournalView } from './journal-reader';
import { readTimelines } from './journal-reader';
import type { SetAside, TrustedEntry } from './journal-trust';
import { isNotFound } from './s3-errors';
import { compareKeys, currentAt, type KeyTimeline } from './timeline';
import { bareEtag } from './vault-keys';

/*
 * The restore planner: for every key under a prefix, the version current at T (from the journal, read as
 * the restore reader, trusting only the server's write times) against what the target holds now.
 *   write       the target lacks the version at T, or holds other bytes
 *   skip        the target already holds exactly those bytes (same SHA-256, or the very same source object)
 *   extraneous  the target holds a key that did not exist at T (reported; removed only on request)
 * Both sides are read in key order and merged, so a plan over millions of keys holds one key at a time.
 */

export type RestoreMode =
  /** The whole state at T (default): every key as it was, extraneous keys reported. */
  | 'state'
  /** Only keys deleted or overwritten since T: keys created after T, and keys untouched since, are left alone. */
  | 'changed-since';

export interface PlanRequest {
  readonly bucket: string;
  readonly prefix?: string;
  readonly asOf: Date;
  readonly mode?: RestoreMode;
  readonly target: { readonly client: S3Client; readonly bucket: string };
  /** Write each key under this prefix of the target (a drill's scratch prefix); default the key itself. */
  readonly targetPrefix?: string;
}

export type PlanAction = 'write' | 'skip' | 'extraneous';

/** One line of the plan's manifest: what to do with one key, and (for write/skip) the vault version that is the state at T. */
export interface PlanItem {
  readonly action: PlanAction;
  /** The source key. */
  readonly key: string;
  /** Where it goes in the target: targetPrefix + key. */
  readonly targetKey: string;
  readonly size: number;
  /** write and skip: the journal entry of the version current at T. */
  readonly entry?: TrustedEntry;
  /** extraneous: what the target holds now. */
  readonly targetEtag?: string;
}

export interface PlanSummary {
  readonly sourceBucket: string;
  readonly prefix: string;
  readonly asOf: string;
  readonly mode: RestoreMode;
  readonly targetBucket: string;
  readonly counts: Record<PlanAction, number> & { readonly absentAtT: number };
  readonly bytes: Record<PlanAction, number>;
  /** Up to SAMPLE keys per action. */
  readonly samples: Record<PlanAction, string[]>;
  /** The earliest source time in the journal for this bucket and prefix (null: nothing was ever backed up). */
  readonly earliest: string | null;
  readonly setAside?: SetAside;
}

export const SAMPLE = 10;

export { RESTORE_WORK_PREFIX };

interface TargetObject {
  /** The source key the object stands for (its target key less the target prefix). */
  readonly key: string;
  readonly targetKey: string;
  readonly size: number;
  readonly etag: string;
}

/** The target's objects under targetPrefix + prefix, keyed by the source key they stand for. */
async function* listTarget(
  target: PlanRequest['target'],
  targetPrefix: string,
  prefix: string,
): AsyncGenerator<TargetObject & { targetKey: string }> {
  let token: string | undefined;
  do {
    const page = await target.client.send(
      new ListObjectsV2Command({ Bucket: target.bucket, Prefix: targetPrefix + prefix || undefined, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      if (o.Key && !o.Key.startsWith(RESTORE_WORK_PREFIX))
        yield { key: o.Key.slice(targetPrefix.length), targetKey: o.Key, size: o.Size ?? 0, etag: bareEtag(o.ETag ?? '') };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
}

/**
 * Is the target's object exactly the version at T? The very same source object (same ETag and size), or
 * an object a restore wrote, whose metadata records the SHA-256 the executor checked while writing it.
 */
export async function targetHolds(target: PlanRequest['target'], object: TargetObject, entry: TrustedEntry): Promise<boolean> {
  if (object.size !== entry.size) return false;
  if (entry.sourceEtag && object.etag === entry.sourceEtag) return true;
  try {
    const head = await target.client.send(new HeadObjectCommand({ Bucket: target.bucket, Key: object.targetKey }));
    return head.Metadata?.['strongroom-sha256'] === entry.sha256;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Plan a restore, yielding each item in key order; the summary is complete when the generator is done. */
export async function* planRestore(
  view: JournalView,
  request: PlanRequest,
  summary: { value?: PlanSummary } = {},
): AsyncGenerator<PlanItem> {
  const prefix = request.prefix ?? '';
  const mode = request.mode ?? 'state';
  const counts = { write: 0, skip: 0, extraneous: 0, absentAtT: 0 };
  const bytes = { write: 0, skip: 0, extraneous: 0 };
  const samples: Record<PlanAction, string[]> = { write: [], skip: [], extraneous: [] };
  let earliest: number | null = null;
  const record = (item: PlanItem) => {
    counts[item.action]++;
    bytes[item.action] += item.size;
    if (samples[item.action].length < SAMPLE) samples[item.action].push(item.key);
    return item;
  };
  const asOf = request.asOf.getTime();

  const timelines = readTimelines(view, { bucket: request.bucket, prefix });
  const targetPrefix = request.targetPrefix ?? '';
  const targets = listTarget(request.target, targetPrefix, prefix);
  let timeline = await timelines.next();
  let target = await targets.next();
  while (!timeline.done || !target.done) {
    const order = timeline.done ? 1 : target.done ? -1 : compareKeys(timeline.value.key, target.value.key);
    const t: KeyTimeline<TrustedEntry> | undefined = order <= 0 && !timeline.done ? timeline.value : undefined;
    const held: (TargetObject & { targetKey: string }) | undefined = order >= 0 && !target.done ? target.value : undefined;
    if (t) {
      for (const e of t.entries) {
        const time = Date.parse(e.sourceTime);
        if (earliest === null || time < earliest) earliest = time;
      }
    }
    const want = t ? currentAt(t, request.asOf) : null;
    const changedSince = t ? t.entries.some((e) => Date.parse(e.sourceTime) > asOf) : false;
    if (want) {
      if (mode === 'state' || changedSince) {
        const same = held ? await targetHolds(request.target, held, want) : false;
        yield record({
          action: same ? 'skip' : 'write',
          key: want.key,
          targetKey: targetPrefix + want.key,
          size: want.size,
          entry: want,
        });
      }
    } else {
      if (t) counts.absentAtT++;
      if (held && mode === 'state')
        yield record({ action: 'extraneous', key: held.key, targetKey: held.targetKey, size: held.size, targetEtag: held.etag });
    }
    if (t) timeline = await timelines.next();
    if (held) target = await targets.next();
  }
  summary.value = {
    sourceBucket: request.bucket,
    prefix,
    asOf: request.asOf.toISOString(),
    mode,
    targetBucket: request.target.bucket,
    counts,
    bytes,
    samples,
    earliest: earliest === null ? null : new Date(earliest).toISOString(),
    ...(view.setAside ? { setAside: view.setAside } : {}),
  };
}
