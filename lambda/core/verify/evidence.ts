import { ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeError } from '../../../contract/errors';
import { accountPrefix } from '../../../contract/vault-layout';
import { isSegmentKey, sealsPrefix } from '../journal-keys';
import { openJournal, readAllEntries } from '../journal-reader';
import { type Listed, listWithTimes, readSeal, readSegment, type StoredSeal } from '../journal-seal';
import type { TrustedEntry } from '../journal-trust';
import { forEachLimited } from '../streams';
import { bareEtag } from '../vault-keys';
import type { SourceSetting, VerifyContext } from './context';

/*
 * What several checks read, read once per run and shared: the vault's versions (the auditor's listing:
 * keys, version ids, server write times, no bytes), the journal in full (every segment read and hashed,
 * every seal read), and the sources' versions (the verify role's listing). Each is fetched on first use,
 * so a run of one check reads only what that check needs.
 */

export interface VaultVersion {
  readonly key: string;
  readonly versionId: string;
  readonly writtenAt: Date;
  readonly size: number;
  readonly isLatest: boolean;
}

export interface SourceVersion {
  readonly bucket: string;
  readonly key: string;
  /** "null" for objects written while versioning was off. */
  readonly versionId: string;
  readonly writtenAt: Date;
  readonly etag: string | null;
  readonly size: number;
  readonly isLatest: boolean;
  readonly deleteMarker: boolean;
}

export interface SegmentProblem {
  readonly key: string;
  readonly detail: string;
}

export interface JournalEvidence {
  readonly segments: readonly Listed[];
  readonly seals: readonly StoredSeal[];
  /** Seals that could not be read or parsed. */
  readonly unreadableSeals: readonly SegmentProblem[];
  /** Segments whose content does not hash to their recorded SHA-256, or does not parse. */
  readonly badSegments: readonly SegmentProblem[];
  /** Segment key -> the SHA-256 of its content as read now. */
  readonly segmentHashes: ReadonlyMap<string, string>;
  /** Every entry of every readable segment. */
  readonly entries: readonly TrustedEntry[];
}

/** Every page of ListObjectVersions under a prefix (the whole bucket for ''). */
async function* versionPages(s3: S3Client, bucket: string, prefix: string) {
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix || undefined, KeyMarker, VersionIdMarker }),
    );
    yield page;
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (KeyMarker);
}

/** Every version under a prefix: key, version id, server write time, size. */
export async function listVersions(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ versions: VaultVersion[]; markers: VaultVersion[] }> {
  const versions: VaultVersion[] = [];
  const markers: VaultVersion[] = [];
  for await (const page of versionPages(s3, bucket, prefix)) {
    for (const v of page.Versions ?? []) {
      if (v.Key && v.VersionId && v.LastModified)
        versions.push({
          key: v.Key,
          versionId: v.VersionId,
          writtenAt: v.LastModified,
          size: v.Size ?? 0,
          isLatest: v.IsLatest === true,
        });
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key && m.VersionId && m.LastModified)
        markers.push({ key: m.Key, versionId: m.VersionId, writtenAt: m.LastModified, size: 0, isLatest: m.IsLatest === true });
    }
  }
  return { versions, markers };
}

async function listSource(s3: S3Client, source: SourceSetting): Promise<SourceVersion[]> {
  const out: SourceVersion[] = [];
  for (const prefix of source.prefixes.length > 0 ? source.prefixes : ['']) {
    for await (const page of versionPages(s3, source.bucket, prefix)) {
      const entries = [
        ...(page.Versions ?? []).map((v) => ({ v, deleteMarker: false })),
        ...(page.DeleteMarkers ?? []).map((v) => ({ v, deleteMarker: true })),
      ];
      for (const { v, deleteMarker } of entries) {
        if (!v.Key || !v.LastModified) continue;
        const object = v as { ETag?: string; Size?: number };
        out.push({
          bucket: source.bucket,
          key: v.Key,
          versionId: v.VersionId ?? 'null',
          writtenAt: v.LastModified,
          etag: object.ETag ? bareEtag(object.ETag) : null,
          size: object.Size ?? 0,
          isLatest: v.IsLatest === true,
          deleteMarker,
        });
      }
    }
  }
  return out;
}

async function readJournalEvidence(context: VerifyContext): Promise<JournalEvidence> {
  const vault = { client: context.clients.auditorVault, bucket: context.settings.vaultBucket };
  const account = context.settings.primaryAccount;
  const listed = await listWithTimes(vault, accountPrefix('journal', account));
  const segments = listed.filter((l) => isSegmentKey(account, l.key));
  const sealListings = listed.filter((l) => l.key.startsWith(sealsPrefix(account))).sort((a, b) => (a.key < b.key ? -1 : 1));
  const seals: Array<StoredSeal | undefined> = new Array(sealListings.length);
  const unreadableSeals: SegmentProblem[] = [];
  await forEachLimited(sealListings, 16, async (l, i) => {
    try {
      seals[i] = await readSeal(vault, l);
    } catch (error: unknown) {
      unreadableSeals.push({ key: l.key, detail: describeError(error) });
    }
  });
  const badSegments: SegmentProblem[] = [];
  const segmentHashes = new Map<string, string>();
  const entries: TrustedEntry[] = [];
  await forEachLimited(segments, 16, async (l) => {
    try {
      const segment = await readSegment(vault, l);
      segmentHashes.set(l.key, segment.sha256);
      entries.push(...segment.entries);
    } catch (error: unknown) {
      badSegments.push({ key: l.key, detail: describeError(error) });
    }
  });
  return {
    segments,
    seals: seals.filter((s): s is StoredSeal => s !== undefined),
    unreadableSeals,
    badSegments,
    segmentHashes,
    entries,
  };
}

/** Where the run's journal entries were read from, for the checks' evidence. */
export interface JournalEntries {
  readonly entries: readonly TrustedEntry[];
  /** "sealed index" (what a restore reads), or "segments" with why. */
  readonly readFrom: string;
}

export interface EvidenceOptions {
  /**
   * The run checks the journal itself (journal.*): every segment is read and hashed anyway, and the entries
   * come from that read. Otherwise they come from the sealed index and the unsealed tail, as a restore reads
   * them: a block of 2,000 entries per request instead of a segment of one copier batch.
   */
  readonly readsEverySegment: boolean;
}

/** Fetch-once accessors over the run's shared evidence. */
export class Evidence {
  private vault?: Promise<{ versions: VaultVersion[]; markers: VaultVersion[] }>;
  private journalRead?: Promise<JournalEvidence>;
  private entriesRead?: Promise<JournalEntries>;
  private sources?: Promise<SourceVersion[]>;

  public constructor(
    private readonly context: VerifyContext,
    private readonly options: EvidenceOptions = { readsEverySegment: true },
  ) {}

  /** Every version (and delete marker) under the account's objects/, journal/ and reports/ prefixes. */
  public vaultVersions(): Promise<{ versions: VaultVersion[]; markers: VaultVersion[] }> {
    this.vault ??= (async () => {
      const { auditorVault } = this.context.clients;
      const areas = (['objects', 'journal', 'reports'] as const).map((area) =>
        listVersions(auditorVault, this.context.settings.vaultBucket, accountPrefix(area, this.context.settings.primaryAccount)),
      );
      const lists = await Promise.all(areas);
      return { versions: lists.flatMap((l) => l.versions), markers: lists.flatMap((l) => l.markers) };
    })();
    return this.vault;
  }

  public journal(): Promise<JournalEvidence> {
    this.journalRead ??= readJournalEvidence(this.context);
    return this.journalRead;
  }

  /** Every trusted entry of the sources' buckets (and, read from segments, of every bucket). */
  public journalEntries(): Promise<JournalEntries> {
    this.entriesRead ??= (async () => {
      if (this.options.readsEverySegment) return { entries: (await this.journal()).entries, readFrom: 'segments' };
      const vault = { client: this.context.clients.auditorVault, bucket: this.context.settings.vaultBucket };
      try {
        const view = await openJournal(vault, this.context.settings.primaryAccount);
        const buckets = [...new Set(this.context.settings.sources.map((s) => s.bucket))];
        const lists = await Promise.all(buckets.map((b) => readAllEntries(view, b)));
        return { entries: lists.flat(), readFrom: 'sealed index' };
      } catch (error: unknown) {
        // A broken seal chain or segment is the journal checks' finding; coverage reads what the segments hold.
        return {
          entries: (await this.journal()).entries,
          readFrom: `segments (the sealed index could not be read: ${describeError(error)})`,
        };
      }
    })();
    return this.entriesRead;
  }

  public sourceVersions(): Promise<SourceVersion[]> {
    this.sources ??= (async () => {
      const lists = await Promise.all(this.context.settings.sources.map((s) => listSource(this.context.clients.source, s)));
      return lists.flat();
    })();
    return this.sources;
  }
}

export interface VerifyRun extends VerifyContext {
  readonly evidence: Evidence;
}
