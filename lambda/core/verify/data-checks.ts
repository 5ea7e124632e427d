import { GetObjectCommand, GetObjectRetentionCommand } from '@aws-sdk/client-s3';
import { errorName } from '../../../contract/errors';
import { uniqueEntries } from '../journal';
import type { TrustedEntry } from '../journal-trust';
import { type ByteStream, forEachLimited, sha256OfStream } from '../streams';
import { isRealVersionId } from '../vault-keys';
import { type CheckGroup, pass } from './check';
import type { SourceVersion, VaultVersion, VerifyRun } from './evidence';

/*
 * The data itself: every vault version's lock (a full scan, or a uniform sample with its confidence), that
 * every current source object has a copy (and that its bytes hash to what the copy was journaled with),
 * and how old the oldest change not yet in the vault is. Write times are the servers' LastModified.
 */

const DAY_MS = 86_400_000;
/** LastModified has whole seconds; a retain-until computed from the exact write instant may lie up to 1 s later. */
const CLOCK_SLACK_MS = 1000;
/** Default number of vault versions whose retention is read one by one. */
export const DEFAULT_RETENTION_SAMPLE = 500;
/** Current source objects read and hashed for coverage.sha256 (all of them when there are fewer). */
export const SHA256_SAMPLE = 200;
const CONFIDENCE = 0.95;

/** A uniform sample of `size` items (all of them when there are fewer), by a partial Fisher-Yates shuffle. */
export function sample<T>(items: readonly T[], size: number, random: () => number): T[] {
  const pool = [...items];
  const n = Math.min(size, pool.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, n);
}

/**
 * With `n` sampled and none failing, the share of failures that is still possible at the given confidence:
 * the p for which (1 - p)^n = 1 - confidence (the "rule of three" is its approximation, 3 / n).
 */
export function undetectedShare(n: number, confidence = CONFIDENCE): number {
  return n === 0 ? 1 : 1 - (1 - confidence) ** (1 / n);
}

const percent = (share: number) => `${(share * 100).toPrecision(2)}%`;

async function retentionOf(run: VerifyRun, v: VaultVersion): Promise<{ mode: string | null; until: Date | null }> {
  try {
    const out = await run.clients.auditorVault.send(
      new GetObjectRetentionCommand({ Bucket: run.settings.vaultBucket, Key: v.key, VersionId: v.versionId }),
    );
    return { mode: out.Retention?.Mode ?? null, until: out.Retention?.RetainUntilDate ?? null };
  } catch (error: unknown) {
    // S3 answers "no retention" with a 404 of this name: a finding, not a failure to look.
    if (errorName(error) === 'NoSuchObjectLockConfiguration') return { mode: null, until: null };
    throw error;
  }
}

export const retentionCheck: CheckGroup<VerifyRun> = {
  name: 'version retention',
  ids: ['versions.retention'],
  ranAs: 'auditor',
  async run(run) {
    const { versions } = await run.evidence.vaultVersions();
    const days = run.settings.retentionDays;
    const wanted = run.settings.retention === 'full' ? versions.length : run.settings.retention;
    const checked = sample(versions, wanted, run.random);
    const full = checked.length === versions.length;
    const findings: string[] = [];
    await forEachLimited(checked, 16, async (v) => {
      const { mode, until } = await retentionOf(run, v);
      const floor = v.writtenAt.getTime() + days * DAY_MS - CLOCK_SLACK_MS;
      if (mode !== 'COMPLIANCE' || until === null || until.getTime() < floor) {
        findings.push(
          `${v.key} version ${v.versionId} written ${v.writtenAt.toISOString()}: ${mode ?? 'no lock'}${until ? ` until ${until.toISOString()}` : ''}, needs COMPLIANCE until at least ${new Date(floor + CLOCK_SLACK_MS).toISOString()}`,
        );
      }
    });
    const evidence = {
      versions: versions.length,
      checked: checked.length,
      scan: full ? 'full' : 'sample',
      configuredDays: days,
      short: findings.length,
      ...(full ? {} : { confidence: CONFIDENCE, undetectedShareBelow: percent(undetectedShare(checked.length)) }),
    };
    if (findings.length > 0) {
      return {
        'versions.retention': {
          status: 'FAIL',
          summary: `${findings.length} of ${checked.length} versions checked are not locked in COMPLIANCE for ${days} days from their write`,
          evidence,
          findings,
          remediation:
            'COMPLIANCE cannot be lengthened for the past by anyone but break-glass: extend these versions with break-glass, then find who wrote them with a weaker lock (CloudTrail)',
        },
      };
    }
    if (full) {
      return {
        'versions.retention': pass(
          `all ${versions.length} vault versions are locked in COMPLIANCE for at least ${days} days from their write`,
          'keep the default retention and the deny on retention headers',
          evidence,
        ),
      };
    }
    return {
      'versions.retention': {
        status: 'PASS',
        summary: `a uniform sample of ${checked.length} of ${versions.length} versions: all locked; with ${CONFIDENCE * 100}% confidence fewer than ${percent(undetectedShare(checked.length))} of all versions are not`,
        evidence,
        remediation: 'run verify with retention "full" for a complete scan (one request per version)',
      },
    };
  },
};

/** Source bucket + key -> its trusted journal entries. */
function entriesByKey(entries: readonly TrustedEntry[]): Map<string, TrustedEntry[]> {
  const out = new Map<string, TrustedEntry[]>();
  for (const e of uniqueEntries(entries)) {
    const id = `${e.bucket}\u0000${e.key}`;
    const list = out.get(id) ?? [];
    list.push(e);
    out.set(id, list);
  }
  return out;
}

/** The journal entry that records exactly this source version or delete marker, if any. */
function entryFor(byKey: Map<string, TrustedEntry[]>, v: SourceVersion): TrustedEntry | undefined {
  const entries = byKey.get(`${v.bucket}\u0000${v.key}`) ?? [];
  if (v.deleteMarker) return entries.find((e) => e.kind === 'deleteMarker' && e.sourceVersionId === v.versionId);
  if (isRealVersionId(v.versionId)) return entries.find((e) => e.kind === 'version' && e.sourceVersionId === v.versionId);
  // An unversioned source's object: the same content (ETag) written at the same second.
  return entries.find(
    (e) =>
      e.kind === 'version' &&
      e.sourceEtag === v.etag &&
      Math.abs(Date.parse(e.sourceTime) - v.writtenAt.getTime()) < CLOCK_SLACK_MS,
  );
}

const describeVersion = (v: SourceVersion) =>
  `${v.bucket}/${v.key}${isRealVersionId(v.versionId) ? ` version ${v.versionId}` : ''} written ${v.writtenAt.toISOString()}`;

export const coverageChecks: CheckGroup<VerifyRun> = {
  name: 'coverage and freshness',
  ids: ['coverage.copies', 'coverage.sha256', 'freshness.rpo'],
  ranAs: 'verify',
  async run(run) {
    const [sourceVersions, journal, vault] = await Promise.all([
      run.evidence.sourceVersions(),
      run.evidence.journalEntries(),
      run.evidence.vaultVersions(),
    ]);
    const inVault = new Set(vault.versions.map((v) => v.key));
    // Only entries whose vault object exists count as copies (an entry without one is journal.vault-objects).
    const byKey = entriesByKey(journal.entries.filter((e) => inVault.has(e.vaultKey)));
    const now = run.now();

    // coverage.copies: every current object.
    const current = sourceVersions.filter((v) => v.isLatest && !v.deleteMarker);
    const copies = new Map<SourceVersion, TrustedEntry>();
    const uncovered: SourceVersion[] = [];
    for (const v of current) {
      const entry = entryFor(byKey, v);
      if (entry) copies.set(v, entry);
      else uncovered.push(v);
    }

    // coverage.sha256: the bytes of a sample of covered objects, read from the source and hashed here.
    const hashed = sample([...copies.keys()], SHA256_SAMPLE, run.random);
    const mismatched: string[] = [];
    await forEachLimited(hashed, 8, async (v) => {
      const entry = copies.get(v) as TrustedEntry;
      const object = await run.clients.source.send(
        new GetObjectCommand({
          Bucket: v.bucket,
          Key: v.key,
          ...(isRealVersionId(v.versionId) ? { VersionId: v.versionId } : {}),
        }),
      );
      const { sha256 } = await sha256OfStream(object.Body as ByteStream);
      if (sha256 !== entry.sha256)
        mismatched.push(`${describeVersion(v)}: the source hashes to ${sha256}, its copy was journaled as ${entry.sha256}`);
    });

    // freshness.rpo: every change since backups began (versions and delete markers) that has no entry yet.
    const firstCopy = new Map<string, number>();
    for (const e of journal.entries) {
      const t = Date.parse(e.copiedAt);
      if (t < (firstCopy.get(e.bucket) ?? Number.POSITIVE_INFINITY)) firstCopy.set(e.bucket, t);
    }
    const pending = sourceVersions.filter(
      (v) =>
        !entryFor(byKey, v) && (v.isLatest || v.writtenAt.getTime() >= (firstCopy.get(v.bucket) ?? Number.POSITIVE_INFINITY)),
    );
    pending.sort((a, b) => a.writtenAt.getTime() - b.writtenAt.getTime());
    const oldest = pending[0];
    const rpoMs = run.settings.rpoMinutes * 60_000;
    const ageMs = oldest ? now.getTime() - oldest.writtenAt.getTime() : 0;
    const minutes = (ms: number) => `${(ms / 60_000).toFixed(1)} min`;
    const freshnessEvidence = {
      pendingChanges: pending.length,
      oldestPendingAt: oldest ? oldest.writtenAt.toISOString() : null,
      oldestPendingAgeMinutes: Number((ageMs / 60_000).toFixed(2)),
      rpoMinutes: run.settings.rpoMinutes,
    };

    const coverageEvidence = {
      currentObjects: current.length,
      copied: copies.size,
      uncopied: uncovered.length,
      uncopiedWithinRpo: uncovered.filter((v) => now.getTime() - v.writtenAt.getTime() <= rpoMs).length,
      journalReadFrom: journal.readFrom,
    };
    return {
      'coverage.copies':
        uncovered.length === 0
          ? pass(`all ${current.length} current source objects have a vault copy`, 'nothing to do', coverageEvidence)
          : {
              status: 'FAIL',
              summary: `${uncovered.length} of ${current.length} current source objects have no vault copy`,
              evidence: coverageEvidence,
              findings: uncovered.map(describeVersion),
              remediation:
                'objects written within the RPO may still be on their way; for the others run the reconciler (or wait for its schedule) and read the copier-errors alarm and the DLQ',
            },
      'coverage.sha256':
        mismatched.length === 0
          ? pass(
              hashed.length === copies.size
                ? `all ${hashed.length} copied objects hash to the SHA-256 their copy was journaled with`
                : `a uniform sample of ${hashed.length} of ${copies.size} copied objects: each hashes to the SHA-256 its copy was journaled with`,
              'nothing to do',
              { copied: copies.size, hashed: hashed.length },
            )
          : {
              status: 'FAIL',
              summary: `${mismatched.length} of ${hashed.length} objects hashed differ from the SHA-256 their vault copy was journaled with`,
              evidence: { copied: copies.size, hashed: hashed.length, mismatched: mismatched.length },
              findings: mismatched,
              remediation:
                'the vault copy is not the source version it claims to be: a forged copy or a damaged source; restore with distrust-writes-after before the copy was written, and investigate the ingest role',
            },
      'freshness.rpo':
        ageMs <= rpoMs
          ? pass(
              oldest
                ? `${pending.length} changes not yet copied; the oldest is ${minutes(ageMs)} old, within the RPO of ${run.settings.rpoMinutes} min`
                : 'every source change is in the vault',
              'nothing to do',
              freshnessEvidence,
            )
          : {
              status: 'FAIL',
              summary: `the oldest change not yet in the vault is ${minutes(ageMs)} old, beyond the RPO of ${run.settings.rpoMinutes} min (${pending.length} pending)`,
              evidence: freshnessEvidence,
              findings: pending.map(describeVersion),
              remediation:
                'backups have stalled: read the copier-errors and DLQ alarms, check the ingest role can still be assumed, and run the reconciler',
            },
    };
  },
};
