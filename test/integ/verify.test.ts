/**
 * Verify on the real local S3. A correctly provisioned, backed-up vault passes every check the local S3
 * can evaluate (the rest are SKIPPED, each naming why: no AWS Backup, no EventBridge, an RGW adaptation).
 * Then deliberate faults, one at a time, each make exactly its own check FAIL, asserted by id: the set of
 * failing ids after each fault is the set before it plus that one id. Scratch buckets stand in where a fault
 * cannot be made on a locked vault (a GOVERNANCE default, a short default, suspended versioning).
 *
 * Every check reads as the role the verify Lambda uses (auditor; the verify function's stand-in for
 * sources; the restore function's stand-in and the restore reader for the drill); the report is filed as
 * the evidence writer and read back as the auditor.
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type CheckId, reportKeys, type VerifyReport, type VerifyRequest } from '../../contract/verify-report';
import { JOURNAL_FORMAT_VERSION, type JournalEntry } from '../../lambda/core/journal';
import { sealKey } from '../../lambda/core/journal-keys';
import { sealJournal, type VaultAccess } from '../../lambda/core/journal-seal';
import { appendJournalSegment } from '../../lambda/core/journal-store';
import { vaultKeyFor, versionToken } from '../../lambda/core/vault-keys';
import { renderReportHtml } from '../../lambda/core/verify/report-html';
import { localCopier } from '../../local/local-copier';
import { type LocalVerifyOptions, locallyUnavailable, openLocalVerifier } from '../../local/local-verify';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { Clients, copyAll, expectAllowed, nextSecond, provisionForTest, sha256, vaultPut } from './support/vault';

jest.setTimeout(240_000);

const clients = new Clients();
afterAll(() => clients.destroy());

const failing = (report: VerifyReport) => report.checks.filter((c) => c.status === 'FAIL').map((c) => c.id);
const NO_DRILL: VerifyRequest = { drill: false };
const LOCK_AND_VERSIONING: CheckId[] = ['vault.lock.enabled', 'vault.lock.mode', 'vault.lock.retention', 'vault.versioning'];

interface Fixture {
  readonly deployment: LocalDeployment;
  readonly admin: S3Client;
  readonly ingest: S3Client;
  readonly backupAdmin: S3Client;
  readonly breakGlass: S3Client;
  readonly source: string;
  readonly events: SourceEventLog;
  readonly copier: ReturnType<typeof localCopier>;
}

async function backedUp(): Promise<Fixture> {
  const deployment = await provisionForTest('verify');
  const { primary } = deployment;
  const admin = clients.as(deployment, primary.admin);
  const ingest = (await clients.assume(deployment, 'ingest')).s3;
  const auditor = (await clients.assume(deployment, 'auditor')).s3;
  const source = (primary.sources[0] as { name: string }).name;
  const events = new SourceEventLog(primary.tenant);
  const copier = localCopier(deployment);
  const bodies: string[] = [];
  for (let i = 0; i < 12; i++) {
    const Body = `invoice ${i} ${'x'.repeat(i * 97)}`;
    const out = await admin.send(new PutObjectCommand({ Bucket: source, Key: `invoices/${i}.txt`, Body }));
    bodies.push(
      events.created(source, { key: `invoices/${i}.txt`, versionId: out.VersionId, etag: out.ETag, size: Body.length }),
    );
  }
  await copyAll(copier, events.records(bodies));
  // Seal what is there, then add an unsealed tail: both halves of the journal are checked.
  await nextSecond();
  const vault: VaultAccess = { client: auditor, bucket: deployment.vault.address };
  const writer: VaultAccess = { client: ingest, bucket: deployment.vault.address };
  expect((await sealJournal({ reader: vault, writer, account: primary.tenant, now: () => new Date(), settleMs: 0 })).sealed).toBe(
    true,
  );
  const more: string[] = [];
  for (let i = 0; i < 3; i++) {
    const out = await admin.send(
      new PutObjectCommand({ Bucket: source, Key: `invoices/${i}.txt`, Body: `invoice ${i}, revised` }),
    );
    more.push(events.created(source, { key: `invoices/${i}.txt`, versionId: out.VersionId, etag: out.ETag }));
  }
  await copyAll(copier, events.records(more));
  return {
    deployment,
    admin,
    ingest,
    backupAdmin: clients.as(deployment, deployment.backup.admin),
    breakGlass: clients.as(deployment, deployment.backup.breakGlass),
    source,
    events,
    copier,
  };
}

/** A journal entry as the copier writes one, for a forged segment. */
function forgedEntry(f: Fixture, key: string, vaultKey: string, sha: string, size: number, versionId: string): JournalEntry {
  const now = new Date().toISOString();
  return {
    v: JOURNAL_FORMAT_VERSION,
    kind: 'version',
    account: f.deployment.primary.tenant,
    bucket: f.source,
    key,
    token: vaultKey.split('/').pop() as string,
    vaultKey,
    sourceVersionId: versionId,
    destroys: null,
    sourceEtag: null,
    sourceTime: now,
    sequencer: null,
    eventTime: now,
    copiedAt: now,
    size,
    sha256: sha,
    vaultVersionId: null,
    contentType: 'text/plain',
    metadata: {},
  };
}

/**
 * A scratch bucket in the backup tenant, read as its owner: with Object Lock and the given default, or
 * (lock omitted) without Object Lock and with versioning suspended — S3 refuses to suspend versioning on a
 * bucket with Object Lock, so that fault can only be shown on a bucket without it.
 */
async function scratchVault(f: Fixture, label: string, lock?: { mode: 'COMPLIANCE' | 'GOVERNANCE'; days: number }) {
  const Bucket = `${f.deployment.name}-scratch-${label}`.slice(0, 63);
  await f.backupAdmin.send(new CreateBucketCommand({ Bucket, ObjectLockEnabledForBucket: lock !== undefined }));
  if (lock) {
    await f.backupAdmin.send(
      new PutObjectLockConfigurationCommand({
        Bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: lock.mode, Days: lock.days } },
        },
      }),
    );
  } else {
    await f.backupAdmin.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    await f.backupAdmin.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status: 'Suspended' } }));
  }
  return `${f.deployment.backup.tenant}:${Bucket}`;
}

const COVERAGE = ['coverage.copies', 'coverage.sha256', 'freshness.rpo'] as const;

describe('verify on the local S3', () => {
  let f: Fixture;
  let verifier: Awaited<ReturnType<typeof openLocalVerifier>>;
  beforeAll(async () => {
    f = await backedUp();
    verifier = await openLocalVerifier(f.deployment);
  });
  afterAll(() => verifier?.close());

  const verify = (request: VerifyRequest = NO_DRILL, extra: Partial<LocalVerifyOptions> = {}) =>
    verifier.run({ request, renderHtml: renderReportHtml, file: false, ...extra });

  it('passes every check on a correctly provisioned, backed-up vault; the rest are SKIPPED with the reason; the report is filed', async () => {
    const report = await verifier.run({ renderHtml: renderReportHtml });
    const byStatus = (s: string) => report.checks.filter((c) => c.status === s).map((c) => c.id);
    expect(byStatus('FAIL')).toEqual([]);
    expect(byStatus('WARN')).toEqual([]);
    expect(byStatus('SKIPPED').sort()).toEqual(Object.keys(locallyUnavailable()).sort());
    expect(byStatus('PASS')).toHaveLength(report.checks.length - Object.keys(locallyUnavailable()).length);
    expect(report.summary.status).toBe('PASS');
    const retention = report.checks.find((c) => c.id === 'versions.retention');
    expect(retention?.evidence).toMatchObject({ scan: 'full', short: 0 });
    expect(Number(retention?.evidence.versions)).toBeGreaterThanOrEqual(15);
    const drill = report.checks.find((c) => c.id === 'drill.restore');
    expect(drill?.evidence).toMatchObject({ sampled: 12, matched: 12, failed: 0, mismatched: 0, cleanedUp: 12 });
    expect(report.checks.find((c) => c.id === 'journal.seals')?.evidence).toMatchObject({ seals: 1 });
    // Coverage alone reads the journal as a restore does (sealed index and tail), and finds the same copies.
    const coverageOnly = await verify({ checks: [...COVERAGE], drill: false });
    expect(coverageOnly.checks.map((c) => [c.id, c.status])).toEqual(COVERAGE.map((id) => [id, 'PASS']));
    const copies = (r: VerifyReport) => r.checks.find((c) => c.id === 'coverage.copies')?.evidence;
    expect(copies(coverageOnly)).toEqual({ ...copies(report), journalReadFrom: 'sealed index' });
    expect(copies(report)?.journalReadFrom).toBe('segments');

    // Filed by the evidence writer, read back by the auditor: the JSON is the report returned, the HTML names it.
    const keys = reportKeys(f.deployment.primary.tenant, report.reportId, new Date(report.startedAt));
    expect(report.filed).toEqual(keys);
    expect(report.filingError).toBeNull();
    const auditor = (await clients.assume(f.deployment, 'auditor')).s3;
    const read = async (Key: string) => {
      const got = await auditor.send(new GetObjectCommand({ Bucket: f.deployment.vault.address, Key }));
      return (await (got.Body as { transformToString(): Promise<string> }).transformToString()) as string;
    };
    expect(JSON.parse(await read(keys.json))).toEqual(report);
    expect(await read(keys.html)).toContain(report.reportId);
    // The scratch objects of the drill are gone from the target.
    const target = clients.as(f.deployment, f.deployment.primary.functions.restore);
    const left = await target.send(
      new ListObjectsV2Command({ Bucket: f.deployment.primary.restoreTargets[0]?.name, Prefix: '.strongroom/drills/' }),
    );
    expect(left.KeyCount ?? 0).toBe(0);
  });

  it('each deliberate fault makes exactly its own check FAIL', async () => {
    const account = f.deployment.primary.tenant;
    const vaultBucket = f.deployment.vault.address;
    const writer: VaultAccess = { client: f.ingest, bucket: vaultBucket };
    const table: string[] = [];
    let before = failing(await verify());
    expect(before).toEqual([]);
    /** Apply a fault, verify, and expect the failing set to grow by exactly `id`. */
    const expectOnly = async (id: CheckId, description: string, report: VerifyReport, baseline = before) => {
      const now = failing(report);
      table.push(`${id.padEnd(24)} ${description}: failing ${JSON.stringify(now)}`);
      expect({ fault: description, failing: now.sort() }).toEqual({
        fault: description,
        failing: [...new Set([...baseline, id])].sort(),
      });
      const check = report.checks.find((c) => c.id === id);
      expect(check?.remediation.length).toBeGreaterThan(10);
      return now;
    };

    // 1-3. Settings faults on scratch buckets (a locked vault cannot be weakened), read as their owner.
    const owner = { auditorVault: f.backupAdmin };
    const onScratch = (bucket: string, retentionDays = f.deployment.vault.retentionDays, checks = LOCK_AND_VERSIONING) =>
      verifier.run({
        request: { checks },
        renderHtml: renderReportHtml,
        file: false,
        settings: { vaultBucket: bucket, retentionDays },
        clients: owner,
      });
    await expectOnly(
      'vault.lock.mode',
      'default mode GOVERNANCE (scratch bucket)',
      await onScratch(await scratchVault(f, 'gov', { mode: 'GOVERNANCE', days: 1 })),
      [],
    );
    await expectOnly(
      'vault.lock.retention',
      'default retention 1 day, 30 configured (scratch bucket)',
      await onScratch(await scratchVault(f, 'short', { mode: 'COMPLIANCE', days: 1 }), 30),
      [],
    );
    await expectOnly(
      'vault.versioning',
      'versioning suspended (scratch bucket without Object Lock; versioning checked alone)',
      await onScratch(await scratchVault(f, 'susp'), undefined, ['vault.versioning']),
      [],
    );

    // 4. A failed restore drill: the drill target refuses the restore function's writes (a source bucket).
    const drillFault = await verifier.run({
      request: {},
      renderHtml: renderReportHtml,
      file: false,
      settings: { drill: { targetBucket: f.source, prefix: '.strongroom/drills/', sampleSize: 5 } },
    });
    await expectOnly('drill.restore', 'the drill target refuses writes', drillFault);

    // 5. A deny statement removed from the vault's policy (break-glass may), then put back.
    const applied = f.deployment.bucketPolicy.applied.document;
    const weakened = {
      ...applied,
      Statement: applied.Statement.filter((s) => s.Sid !== 'DenyObjectDestructionExceptBreakGlass'),
    };
    await f.breakGlass.send(new PutBucketPolicyCommand({ Bucket: vaultBucket, Policy: JSON.stringify(weakened) }));
    try {
      const report = await verify();
      await expectOnly('vault.policy.denies', 'DenyObjectDestructionExceptBreakGlass removed from the policy', report);
      expect(report.checks.find((c) => c.id === 'vault.policy.denies')?.findings).toEqual([
        'missing: DenyObjectDestructionExceptBreakGlass',
      ]);
    } finally {
      await f.breakGlass.send(new PutBucketPolicyCommand({ Bucket: vaultBucket, Policy: JSON.stringify(applied) }));
    }
    expect(failing(await verify())).toEqual(before);

    // 6. A vault version with a short lock (RGW lets a writer send lock headers: adaptation put-lock-headers).
    await f.ingest.send(
      new PutObjectCommand({
        Bucket: vaultBucket,
        Key: `objects/${account}/${f.source}/short-lock/x`,
        Body: 'short',
        ACL: 'bucket-owner-full-control',
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: new Date(Date.now() + 3_600_000),
      }),
    );
    before = await expectOnly('versions.retention', 'a version locked for one hour', await verify());

    // 7. A source object with no vault copy.
    await f.admin.send(new PutObjectCommand({ Bucket: f.source, Key: 'invoices/uncopied.txt', Body: 'never backed up' }));
    before = await expectOnly('coverage.copies', 'a source object never copied', await verify());

    // 8. A copy whose SHA-256 differs: the ingest role writes the copy (and its entry) before the copier does.
    const real = await f.admin.send(
      new PutObjectCommand({ Bucket: f.source, Key: 'invoices/pre-empted.txt', Body: 'the real bytes' }),
    );
    const ref = { account, bucket: f.source, key: 'invoices/pre-empted.txt' };
    const preempted = vaultKeyFor(
      ref,
      versionToken({ versionId: real.VersionId, etag: real.ETag ?? '', lastModified: new Date() }),
    );
    await expectAllowed(f.ingest.send(vaultPut(vaultBucket, preempted, 'forged bytes')));
    await appendJournalSegment(
      writer,
      account,
      [forgedEntry(f, ref.key, preempted, sha256('forged bytes'), 12, real.VersionId as string)],
      'forged-copy',
      new Date(),
    );
    before = await expectOnly('coverage.sha256', 'a copy whose bytes are not the source version', await verify());

    // 9. A forged journal entry with no vault object.
    const ghost = vaultKeyFor({ account, bucket: f.source, key: 'ghost.txt' }, 'v.ghost');
    await appendJournalSegment(
      writer,
      account,
      [forgedEntry(f, 'ghost.txt', ghost, sha256('x'), 1, 'ghost')],
      'forged-ghost',
      new Date(),
    );
    before = await expectOnly('journal.vault-objects', 'a forged entry without its vault object', await verify());

    // 11. A segment written inside an interval that was then sealed without it (a sealer that missed it).
    const auditor = (await clients.assume(f.deployment, 'auditor')).s3;
    const hidden = await appendJournalSegment(
      writer,
      account,
      [forgedEntry(f, 'invoices/2.txt', ghost, sha256('z'), 1, 'z')],
      'missed-by-seal',
      new Date(),
    );
    await nextSecond();
    const blind = hidingFromListings(auditor, hidden);
    const sealed = await sealJournal({
      reader: { client: blind, bucket: vaultBucket },
      writer,
      account,
      now: () => new Date(),
      settleMs: 0,
    });
    expect(sealed.sealed).toBe(true);
    before = await expectOnly('journal.late-segments', 'a segment written inside an interval sealed without it', await verify());

    // 12. A broken seal chain: the ingest role appends a seal that links to nothing.
    const forgedSeal = {
      ...(sealed as { record: Record<string, unknown> }).record,
      sequence: 2,
      segments: [],
      indexes: [],
      intervalStart: (sealed as { record: { intervalEnd: string } }).record.intervalEnd,
      previous: null,
      merkleRoot: createHash('sha256').update('').digest('hex'),
    };
    await expectAllowed(f.ingest.send(vaultPut(vaultBucket, sealKey(account, 2), JSON.stringify(forgedSeal))));
    before = await expectOnly('journal.seals', 'a seal that links to nothing', await verify());
    // Coverage alone cannot use a broken index: it reads the segments, and fails only where it did before.
    const coverageOnly = await verify({ checks: [...COVERAGE], drill: false });
    expect(coverageOnly.checks.find((c) => c.id === 'coverage.copies')?.evidence.journalReadFrom).toMatch(
      /^segments \(the sealed index could not be read: /,
    );
    expect(failing(coverageOnly).sort()).toEqual(before.filter((id) => (COVERAGE as readonly string[]).includes(id)).sort());

    // 12b. A segment whose content does not hash to its recorded SHA-256.
    const body = Buffer.from(`${JSON.stringify(forgedEntry(f, 'invoices/1.txt', ghost, sha256('y'), 1, 'y'))}\n`);
    await f.ingest.send(
      new PutObjectCommand({
        Bucket: vaultBucket,
        Key: `journal/${account}/2026/12/01/tampered.ndjson`,
        Body: body,
        ACL: 'bucket-owner-full-control',
        Metadata: { sha256: createHash('sha256').update('something else').digest('hex') },
      }),
    );
    before = await expectOnly('journal.segments', 'a segment that does not hash to its recorded SHA-256', await verify());

    // 13. Backups staler than the RPO: a source deletion never copied, verified two hours later.
    await f.admin.send(new DeleteObjectCommand({ Bucket: f.source, Key: 'invoices/5.txt' }));
    const later = new Date(Date.now() + 2 * 3_600_000);
    await expectOnly(
      'freshness.rpo',
      'a deletion not copied for two hours (RPO 60 min)',
      await verify(NO_DRILL, { now: () => later }),
    );

    process.stderr.write(`verify faults: ${table.length} faults, each failing exactly its check:\n  ${table.join('\n  ')}\n`);
    expect(table).toHaveLength(13);
  });
});

/** A client whose listings leave out one key: a sealer that raced a write. */
function hidingFromListings(client: S3Client, hidden: string): S3Client {
  return {
    send: async (command: { constructor: { name: string } }) => {
      const out = await (client.send as (c: unknown) => Promise<Record<string, unknown>>)(command);
      if (command.constructor.name === 'ListObjectsV2Command') {
        return { ...out, Contents: ((out.Contents as Array<{ Key?: string }>) ?? []).filter((o) => o.Key !== hidden) };
      }
      return out;
    },
  } as unknown as S3Client;
}
