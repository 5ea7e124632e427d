import {
  type DeleteMarkerEntry,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  type ObjectVersion,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as z from 'zod';
import type { JournalEntry } from './journal';
import { type JournalView, readTimelines } from './journal-reader';
import { RECONCILER_EVENT_SOURCE, type SourceScope } from './source-change';
import { compareKeys, currentAt, type KeyTimeline } from './timeline';
import { bareEtag, deleteMarkerToken, isRealVersionId, versionToken } from './vault-keys';

/*
 * The reconciler lists every version of every configured source and enqueues, for the copier, what
 * the vault's journal does not record: lost events, a broken role fixed later, and the data that
 * existed before Strongroom was deployed. It reads the journal, never the vault's objects.
 *
 * For each source and prefix it walks two streams in S3's key order side by side: the version listing,
 * one page at a time, and the journal's timelines (journal-reader), one key at a time. A key in both is
 * checked version by version; a key only in the listing is entirely missing; a key only in the journal
 * is gone from the source. Memory holds one listing page and the current key's timeline (besides the
 * journal's unsealed tail, which the reader holds), never the bucket. It stops with a checkpoint at a key before its time runs out; the next invocation re-opens
 * the journal and seeks to that key instead of reading everything again.
 *
 * What is gone from the source is recorded as the copier records a deletion event:
 *  - a version or delete marker the journal has and the listing no longer shows was permanently
 *    deleted (an `x.` tombstone; its id comes from the journal);
 *  - a key of an unversioned source whose timeline says it is present now, and that the listing no
 *    longer shows, was deleted (a `d.r<ms>` tombstone at the time the listing page was requested).
 * The journal is opened before any listing, so whatever it records existed in the source before the
 * listing began: if the listing does not show it, it was removed before.
 *
 * Tens of millions of objects belong to S3 Inventory and S3 Batch Operations (see README); this
 * path serves small and medium buckets and is the one tested locally.
 */

export const ReconcileCheckpointSchema = z.strictObject({
  /** Identifies one reconciliation pass across its continuations. */
  runId: z.string().min(1),
  sourceIndex: z.number().int().nonnegative(),
  prefixIndex: z.number().int().nonnegative(),
  /** The listing and the journal resume after this key: every key up to it is reconciled. */
  keyMarker: z.string().optional(),
  /**
   * With keyMarker: resume inside that key, after this version (S3's NextVersionIdMarker). Only when
   * one key's versions outgrew an invocation; that key is then checked for missing entries only.
   */
  versionIdMarker: z.string().optional(),
  listed: z.number().int().nonnegative(),
  enqueued: z.number().int().nonnegative(),
});

export type ReconcileCheckpoint = z.output<typeof ReconcileCheckpointSchema>;

export interface ReconcilerDependencies {
  readonly scope: SourceScope;
  /** Lists the sources with the reconciler role's own credentials. */
  readonly source: S3Client;
  /** Opens this account's journal (read as the auditor role); called once per invocation, before any listing. */
  readonly openJournal: () => Promise<JournalView>;
  /** Put change messages on the copier's queue (bodies as the copier parses them). */
  readonly enqueue: (bodies: string[]) => Promise<void>;
  /** Milliseconds left in this invocation. */
  readonly remainingMs: () => number;
  /** Stop when less than this is left: a page of 1,000 versions and its enqueueing must fit. */
  readonly marginMs: number;
  readonly newRunId: () => string;
  /** The reconciler's clock: a key found gone is recorded as deleted when its listing page was requested. */
  readonly now: () => Date;
}

export interface ReconcileResult {
  readonly done: boolean;
  /** Where to continue when not done. */
  readonly checkpoint: ReconcileCheckpoint;
}

/** Versions per listing page (S3's maximum). */
export const LISTING_PAGE_SIZE = 1000;

export async function reconcile(deps: ReconcilerDependencies, from?: ReconcileCheckpoint): Promise<ReconcileResult> {
  let at: ReconcileCheckpoint = from ?? { runId: deps.newRunId(), sourceIndex: 0, prefixIndex: 0, listed: 0, enqueued: 0 };
  const view = await deps.openJournal();

  while (at.sourceIndex < deps.scope.sources.length) {
    if (deps.remainingMs() < deps.marginMs) return { done: false, checkpoint: at };
    const source = deps.scope.sources[at.sourceIndex];
    const prefixes = source.prefixes ?? [''];
    const pass = await new PrefixPass(deps, view, source.bucket, prefixes[at.prefixIndex], at).run();
    if (!pass.done) return { done: false, checkpoint: pass.checkpoint };
    const { runId } = at;
    const { listed, enqueued } = pass;
    at =
      at.prefixIndex + 1 < prefixes.length
        ? { runId, sourceIndex: at.sourceIndex, prefixIndex: at.prefixIndex + 1, listed, enqueued }
        : { runId, sourceIndex: at.sourceIndex + 1, prefixIndex: 0, listed, enqueued };
  }
  return { done: true, checkpoint: at };
}

type PassResult =
  | { readonly done: true; readonly listed: number; readonly enqueued: number }
  | { readonly done: false; readonly checkpoint: ReconcileCheckpoint };

/** One source prefix: the listing and the journal merged by key, from a checkpoint to the end or to the time limit. */
class PrefixPass {
  private readonly journal: Lookahead<KeyTimeline<JournalEntry>>;
  private listed: number;
  private enqueued: number;
  /** Messages of keys decided so far, enqueued after each page. */
  private out: string[] = [];
  /** The last key listed: its versions may continue on the next page. */
  private open: ListedKey | undefined;
  /** The greatest key reconciled completely, and how many were in this invocation. */
  private lastDone: string | undefined;
  private completed = 0;
  /** A key the checkpoint resumes inside of (its first versions were checked by the invocation before). */
  private resumedInside: string | undefined;

  public constructor(
    private readonly deps: ReconcilerDependencies,
    private readonly view: JournalView,
    private readonly bucket: string,
    private readonly prefix: string,
    private readonly at: ReconcileCheckpoint,
  ) {
    this.listed = at.listed;
    this.enqueued = at.enqueued;
    this.lastDone = at.keyMarker;
    if (at.keyMarker !== undefined && at.versionIdMarker !== undefined) this.resumedInside = at.keyMarker;
    this.journal = new Lookahead(readTimelines(view, { bucket, prefix: prefix || undefined, startAfter: at.keyMarker }));
  }

  public async run(): Promise<PassResult> {
    let keyMarker = this.at.keyMarker;
    let versionIdMarker = this.at.versionIdMarker;
    for (let pages = 0; ; pages++) {
      if (pages > 0 && this.deps.remainingMs() < this.deps.marginMs) return this.stop(keyMarker, versionIdMarker);
      // Taken before the request: whatever this page does not show was gone when it was asked for.
      const detectedAt = this.deps.now();
      const page = await this.deps.source.send(
        new ListObjectVersionsCommand({
          Bucket: this.bucket,
          Prefix: this.prefix || undefined,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
          MaxKeys: LISTING_PAGE_SIZE,
        }),
      );
      this.listed += (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
      for (const [key, listing] of listedKeys(page)) await this.listedKey(key, listing, detectedAt);
      if (!page.IsTruncated) {
        this.finishOpen();
        await this.goneBefore(undefined, detectedAt);
        await this.flush();
        return { done: true, listed: this.listed, enqueued: this.enqueued };
      }
      // Journal keys before the next page's first key fell in this page's range and were not listed.
      if (page.NextKeyMarker !== undefined) await this.goneBefore(page.NextKeyMarker, detectedAt);
      await this.flush();
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
  }

  private async listedKey(key: string, listing: Listing, detectedAt: Date): Promise<void> {
    if (this.open?.key === key) {
      this.open.add(listing);
      return;
    }
    // A later key was listed: the open one has all its versions, and journal keys before this one are gone.
    this.finishOpen();
    await this.goneBefore(key, detectedAt);
    let timeline: KeyTimeline<JournalEntry> | undefined;
    let complete = true;
    if (key === this.resumedInside) {
      timeline = await timelineOf(this.view, this.bucket, key);
      complete = false;
    } else if ((await this.journal.peek())?.key === key) {
      timeline = await this.journal.take();
    }
    this.resumedInside = undefined;
    this.open = new ListedKey(this.deps.scope.account, this.bucket, key, timeline, complete, detectedAt);
    this.open.add(listing);
  }

  private finishOpen(): void {
    if (!this.open) return;
    this.out.push(...this.open.finish());
    this.done(this.open.key);
    this.open = undefined;
  }

  /** Every journal key before `key` (or every one left) is not in the listing: record what it lost. */
  private async goneBefore(key: string | undefined, detectedAt: Date): Promise<void> {
    for (;;) {
      const next = await this.journal.peek();
      if (!next || (key !== undefined && compareKeys(next.key, key) >= 0)) return;
      await this.journal.take();
      this.out.push(...goneFromSource(this.deps.scope.account, this.bucket, next, detectedAt));
      this.done(next.key);
    }
  }

  private done(key: string): void {
    this.lastDone = key;
    this.completed++;
  }

  private async flush(): Promise<void> {
    if (this.out.length === 0) return;
    await this.deps.enqueue(this.out);
    this.enqueued += this.out.length;
    this.out = [];
  }

  /**
   * Out of time between two pages. Normally the checkpoint is the last complete key, and the open one
   * is listed again from its first version next time (its messages are not sent now, so none twice).
   * If not one key was completed in this invocation, one key outgrows it: resume inside it.
   */
  private async stop(keyMarker: string | undefined, versionIdMarker: string | undefined): Promise<PassResult> {
    const base = { runId: this.at.runId, sourceIndex: this.at.sourceIndex, prefixIndex: this.at.prefixIndex };
    if (this.open && this.completed > 0) {
      const checkpoint = { ...base, keyMarker: this.lastDone, listed: this.listed - this.open.count, enqueued: this.enqueued };
      return { done: false, checkpoint };
    }
    this.out.push(...(this.open?.pending() ?? []));
    await this.flush();
    return { done: false, checkpoint: { ...base, keyMarker, versionIdMarker, listed: this.listed, enqueued: this.enqueued } };
  }
}

interface Listing {
  readonly versions: ObjectVersion[];
  readonly markers: DeleteMarkerEntry[];
}

/** A page's versions and delete markers grouped by key, in S3's key order. */
function listedKeys(page: ListObjectVersionsCommandOutput): Array<[string, Listing]> {
  const byKey = new Map<string, Listing>();
  const of = (key: string) => byKey.get(key) ?? byKey.set(key, { versions: [], markers: [] }).get(key);
  for (const v of page.Versions ?? []) if (v.Key) of(v.Key)?.versions.push(v);
  for (const m of page.DeleteMarkers ?? []) if (m.Key) of(m.Key)?.markers.push(m);
  return [...byKey].sort(([a], [b]) => compareKeys(a, b));
}

/** One listed key against its timeline: what the journal lacks, and (once complete) what the source lost. */
class ListedKey {
  private readonly tokens: Set<string>;
  /** Version and marker ids the journal holds as standing, not listed yet. */
  private readonly unlisted: Set<string>;
  private readonly missing: string[] = [];
  public count = 0;

  public constructor(
    private readonly account: string,
    private readonly bucket: string,
    public readonly key: string,
    timeline: KeyTimeline<JournalEntry> | undefined,
    /** False when the listing of this key began in an earlier invocation: then it is never known whole. */
    private readonly complete: boolean,
    private readonly listedAt: Date,
  ) {
    this.tokens = new Set(timeline?.entries.map((e) => e.token));
    this.unlisted = new Set(timeline ? standingVersionIds(timeline) : []);
  }

  public add(listing: Listing): void {
    this.count += listing.versions.length + listing.markers.length;
    const change = (type: ChangeType, time: Date, object: Record<string, string>) =>
      this.missing.push(changeMessage(this.account, this.bucket, type, time, { key: this.key, ...object }));
    for (const version of listing.versions) {
      if (version.VersionId) this.unlisted.delete(version.VersionId);
      if (!version.ETag || !version.LastModified) continue;
      const versionId = isRealVersionId(version.VersionId) ? version.VersionId : null;
      if (this.tokens.has(versionToken({ versionId, etag: version.ETag, lastModified: version.LastModified }))) continue;
      change('created', version.LastModified, {
        etag: bareEtag(version.ETag),
        ...(versionId ? { 'version-id': versionId } : {}),
      });
    }
    for (const marker of listing.markers) {
      if (!isRealVersionId(marker.VersionId) || !marker.LastModified) continue;
      this.unlisted.delete(marker.VersionId);
      if (this.tokens.has(deleteMarkerToken(marker.VersionId))) continue;
      change('deleteMarker', marker.LastModified, { 'version-id': marker.VersionId });
    }
  }

  /** Messages for what the journal lacks, so far. */
  public pending(): string[] {
    return this.missing;
  }

  /** Every message for this key, now that all its versions were listed. */
  public finish(): string[] {
    if (!this.complete) return this.missing;
    return [
      ...this.missing,
      ...[...this.unlisted].map((id) => destroyedMessage(this.account, this.bucket, this.key, id, this.listedAt)),
    ];
  }
}

/** A key the journal has and the listing does not: its standing versions were destroyed, an unversioned object deleted. */
function goneFromSource(account: string, bucket: string, timeline: KeyTimeline<JournalEntry>, detectedAt: Date): string[] {
  const messages = standingVersionIds(timeline).map((id) => destroyedMessage(account, bucket, timeline.key, id, detectedAt));
  const current = currentAt(timeline, detectedAt);
  if (current && !isRealVersionId(current.sourceVersionId)) {
    // After the content it deletes, even if that content's time is this very millisecond.
    const deletedAt = new Date(Math.max(detectedAt.getTime(), Date.parse(current.sourceTime) + 1));
    messages.push(changeMessage(account, bucket, 'permanentlyDeleted', deletedAt, { key: timeline.key }));
  }
  return messages;
}

/** Ids of the versions and delete markers a timeline holds that no entry of it destroys. */
function standingVersionIds(timeline: KeyTimeline<JournalEntry>): string[] {
  const destroyed = new Set(timeline.entries.filter((e) => e.kind === 'destroyed').map((e) => e.destroys));
  return timeline.entries
    .filter((e) => (e.kind === 'version' || e.kind === 'deleteMarker') && isRealVersionId(e.sourceVersionId))
    .map((e) => e.sourceVersionId as string)
    .filter((id) => !destroyed.has(id));
}

function destroyedMessage(account: string, bucket: string, key: string, versionId: string, time: Date): string {
  return changeMessage(account, bucket, 'permanentlyDeleted', time, { key, 'version-id': versionId });
}

/** The timeline of exactly one key (one seek: the index blocks that can hold it). */
async function timelineOf(view: JournalView, bucket: string, key: string): Promise<KeyTimeline<JournalEntry> | undefined> {
  for await (const timeline of readTimelines(view, { bucket, prefix: key })) return timeline.key === key ? timeline : undefined;
  return undefined;
}

/** An async iterator that can be looked at one item ahead. */
class Lookahead<T> {
  private head: Promise<IteratorResult<T>> | undefined;

  public constructor(private readonly iterator: AsyncIterator<T>) {}

  public async peek(): Promise<T | undefined> {
    this.head ??= this.iterator.next();
    const head = await this.head;
    return head.done ? undefined : head.value;
  }

  public async take(): Promise<T | undefined> {
    const value = await this.peek();
    this.head = undefined;
    return value;
  }
}

type ChangeType = 'created' | 'deleteMarker' | 'permanentlyDeleted';

const EVENT_SHAPES: Record<ChangeType, { detailType: string; deletionType?: string }> = {
  created: { detailType: 'Object Created' },
  deleteMarker: { detailType: 'Object Deleted', deletionType: 'Delete Marker Created' },
  permanentlyDeleted: { detailType: 'Object Deleted', deletionType: 'Permanently Deleted' },
};

/**
 * A change in the shape of an S3 EventBridge event, marked as the reconciler's. It carries no sequencer:
 * a permanent deletion without a version id (an unversioned object found gone) becomes the tombstone
 * `d.r<time>` at `time`, the moment the reconciler's listing no longer showed the key.
 */
function changeMessage(account: string, bucket: string, type: ChangeType, time: Date, object: Record<string, string>): string {
  const { detailType, deletionType } = EVENT_SHAPES[type];
  return JSON.stringify({
    source: RECONCILER_EVENT_SOURCE,
    'detail-type': detailType,
    account,
    time: time.toISOString(),
    detail: { bucket: { name: bucket }, object, ...(deletionType ? { 'deletion-type': deletionType } : {}) },
  });
}
