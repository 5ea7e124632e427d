import { JournalIntegrityError, uniqueEntries } from './journal';
import { blocksFor, compareIndexed, decodeIndexBlock, type IndexBlock } from './journal-index';
import { isSegmentKey } from './journal-keys';
import { type Listed, listWithTimes, readSealChain, readSegment, type StoredSeal, type VaultAccess } from './journal-seal';
import { newSetAside, type SetAside, setAside, type TrustedEntry } from './journal-trust';
import { forEachLimited } from './streams';
import { compareEntries, compareKeys, type KeyTimeline } from './timeline';
import { getWhole } from './transient';

/*
 * The one journal reader (restore, verify, reconciler). It lists the account's segments and seals (keys
 * and server write times only), checks the seal chain, reads the unsealed tail, and then streams one
 * source bucket's timelines key by key, merging the sealed indexes (only the blocks that can hold the
 * prefix, fetched one ranged GET at a time) with the tail. Memory holds the tail, one block per seal and
 * the current key's entries, never the bucket.
 */

export interface OpenJournalOptions {
  /** Set aside (and report) every entry whose segment the server wrote after this instant. */
  readonly distrustWritesAfter?: Date;
  readonly concurrency?: number;
}

export interface JournalView {
  readonly account: string;
  /** Seals trusted by this read (written at or before distrust-writes-after, if given), chain-checked. */
  readonly seals: readonly StoredSeal[];
  /**
   * Entries of segments no trusted seal covers, each stamped with its segment's server write time; sorted
   * by bucket, then key (as S3 lists keys), then source order, so a query seeks into it instead of scanning.
   */
  readonly tail: readonly TrustedEntry[];
  /** Unsealed segments whose write time falls inside an interval already sealed: written after the seal. */
  readonly lateSegments: readonly Listed[];
  readonly segmentCount: number;
  /** What distrust-writes-after excluded, when given. */
  readonly setAside?: SetAside;
  readonly vault: VaultAccess;
}

export async function openJournal(vault: VaultAccess, account: string, options: OpenJournalOptions = {}): Promise<JournalView> {
  const concurrency = options.concurrency ?? 16;
  const distrust = options.distrustWritesAfter;
  const report = distrust ? newSetAside(distrust) : undefined;
  const [allSeals, listing] = await Promise.all([
    readSealChain(vault, account, concurrency),
    listWithTimes(vault, `journal/${account}/`),
  ]);
  // A seal written after the instant is itself a write the responder distrusts: its segments are read as tail.
  const seals = distrust ? allSeals.filter((s) => s.writtenAt <= distrust) : allSeals;
  const segments = listing.filter((l) => isSegmentKey(account, l.key));
  const listedAt = new Map(segments.map((s) => [s.key, s.writtenAt.toISOString()]));
  const sealed = new Set<string>();
  for (const seal of seals) {
    for (const s of seal.record.segments) {
      if (listedAt.get(s.key) !== s.writtenAt) {
        throw new JournalIntegrityError(
          seal.key,
          `seals ${s.key} written at ${s.writtenAt}, but the vault lists it ${listedAt.has(s.key) ? `written at ${listedAt.get(s.key)}` : 'nowhere'}`,
        );
      }
      sealed.add(s.key);
    }
  }
  const lastSealedEnd = seals.at(-1)?.record.intervalEnd;
  const unsealed = segments.filter((s) => !sealed.has(s.key));
  const lateSegments = lastSealedEnd ? unsealed.filter((s) => s.writtenAt.toISOString() <= lastSealedEnd) : [];

  const tail: TrustedEntry[] = [];
  await forEachLimited(unsealed, concurrency, async (listed) => {
    const segment = await readSegment(vault, listed);
    for (const entry of segment.entries) {
      if (distrust && listed.writtenAt > distrust && report) setAside(report, entry);
      else tail.push(entry);
    }
  });
  tail.sort(compareTail);
  return { account, seals, tail, lateSegments, segmentCount: segments.length, setAside: report, vault };
}

export interface TimelineQuery {
  readonly bucket: string;
  /** Only keys starting with this; default every key. */
  readonly prefix?: string;
  /** Resume after this key (exclusive). */
  readonly startAfter?: string;
}

/** One bucket's timelines in key order (as S3 lists keys), each entry once, in source order. */
export async function* readTimelines(view: JournalView, query: TimelineQuery): AsyncGenerator<KeyTimeline<TrustedEntry>> {
  const prefix = query.prefix ?? '';
  const wanted = (e: TrustedEntry) =>
    e.bucket === query.bucket &&
    e.key.startsWith(prefix) &&
    (query.startAfter === undefined || compareKeys(e.key, query.startAfter) > 0);
  const sources: Array<AsyncIterator<TrustedEntry>> = [];
  for (const seal of view.seals) {
    const index = seal.record.indexes.find((i) => i.bucket === query.bucket);
    if (index) sources.push(indexEntries(view, index.key, blocksFor(index.blocks, prefix, query.startAfter), wanted));
  }
  sources.push(tailEntries(view.tail, query.bucket, prefix, query.startAfter));

  const heads = await Promise.all(sources.map((s) => s.next()));
  for (;;) {
    let key: string | undefined;
    for (const head of heads) if (!head.done && (key === undefined || compareKeys(head.value.key, key) < 0)) key = head.value.key;
    if (key === undefined) return;
    const entries: TrustedEntry[] = [];
    for (let i = 0; i < heads.length; i++) {
      while (!heads[i].done && (heads[i].value as TrustedEntry).key === key) {
        entries.push(heads[i].value as TrustedEntry);
        heads[i] = await sources[i].next();
      }
    }
    yield { bucket: query.bucket, key, entries: uniqueEntries(entries).sort(compareEntries) };
  }
}

/** Every entry the view holds for a bucket (all keys), for tests and full scans. */
export async function readAllEntries(view: JournalView, bucket: string): Promise<TrustedEntry[]> {
  const out: TrustedEntry[] = [];
  for await (const timeline of readTimelines(view, { bucket })) out.push(...timeline.entries);
  return out;
}

const MAX_BLOCK_BYTES = 64 * 1024 * 1024;

async function* indexEntries(
  view: JournalView,
  indexKey: string,
  blocks: readonly IndexBlock[],
  wanted: (e: TrustedEntry) => boolean,
): AsyncGenerator<TrustedEntry> {
  for (const block of blocks) {
    const { body: bytes } = await getWhole(
      view.vault.client,
      { Bucket: view.vault.bucket, Key: indexKey, Range: `bytes=${block.offset}-${block.offset + block.length - 1}` },
      MAX_BLOCK_BYTES,
    );
    for (const entry of decodeIndexBlock(indexKey, block, bytes)) {
      if (!wanted(entry)) continue;
      if (view.setAside && new Date(entry.writtenAt) > new Date(view.setAside.distrustWritesAfter))
        setAside(view.setAside, entry);
      else yield entry;
    }
  }
}

function compareTail(a: TrustedEntry, b: TrustedEntry): number {
  return a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : compareIndexed(a, b);
}

/**
 * The tail's entries of one bucket under a prefix after a key, in index order: a binary search to the first
 * (the tail is sorted by compareTail), then a walk while keys stay under the prefix. Nothing is copied.
 */
async function* tailEntries(
  tail: readonly TrustedEntry[],
  bucket: string,
  prefix: string,
  startAfter: string | undefined,
): AsyncGenerator<TrustedEntry> {
  const atOrAfterStart = (e: TrustedEntry) =>
    e.bucket > bucket ||
    (e.bucket === bucket && compareKeys(e.key, prefix) >= 0 && (startAfter === undefined || compareKeys(e.key, startAfter) > 0));
  let lo = 0;
  let hi = tail.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (atOrAfterStart(tail[mid])) hi = mid;
    else lo = mid + 1;
  }
  for (let i = lo; i < tail.length && tail[i].bucket === bucket && tail[i].key.startsWith(prefix); i++) yield tail[i];
}
