/**
 * The provisioned vault against its attackers, live on the local S3 (threats T1 and T4 of DESIGN.md):
 * the primary tenant's admin (an intruder with full admin in the primary account), the backup tenant's
 * admin (the bucket owner), the vault roles outside their grants, and the break-glass stand-in (exempt
 * from the policy, not from Object Lock).
 *
 * The file provisions one vault; each test writes its own vault objects (unique keys) through the ingest
 * role and attacks only those, so tests can run alone or in any order.
 */
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutBucketRequestPaymentCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { attempt, describeOutcome } from '../../local/outcome';
import type { LocalDeployment } from '../../local/provision';
import { assumeVaultRole, type VaultSession } from '../../local/sessions';
import { uniqueName } from './support/names';
import {
  Clients,
  DENIED,
  expectAllowed,
  expectDenied,
  ingestWrite,
  provisionForTest,
  sha256,
  testKey,
  vaultPut,
} from './support/vault';

jest.setTimeout(60_000);

const clients = new Clients();
let d: LocalDeployment;
let ingest: VaultSession;
let reader: VaultSession;
let primaryAdmin: S3Client;
let backupAdmin: S3Client;

beforeAll(async () => {
  d = await provisionForTest('protect');
  ingest = await clients.assume(d, 'ingest');
  reader = await clients.assume(d, 'restoreReader');
  primaryAdmin = clients.as(d, d.primary.admin);
  backupAdmin = clients.as(d, d.backup.admin);
});
afterAll(() => clients.destroy());

/** A vault object of this test's own, written by the ingest role. */
async function seed(name: string, top: 'objects' | 'journal' = 'objects') {
  const key = testKey(d, top, name);
  const body = `backed-up bytes of ${key}`;
  const versionId = await ingestWrite(ingest, d, key, body);
  return { key, versionId, body };
}

/** The version is still there with its bytes (read by the restore reader). */
async function expectIntact(v: { key: string; versionId: string; body: string }) {
  const got = await expectAllowed(
    reader.s3.send(new GetObjectCommand({ Bucket: d.vault.address, Key: v.key, VersionId: v.versionId })),
  );
  expect(sha256((await got.Body?.transformToString()) ?? '')).toBe(sha256(v.body));
  const listed = await expectAllowed(reader.s3.send(new ListObjectVersionsCommand({ Bucket: d.vault.address, Prefix: v.key })));
  expect(listed.DeleteMarkers ?? []).toEqual([]);
}

const soon = () => new Date(Date.now() + 60_000);
const openPolicy = () =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${d.vault.name}`, `arn:aws:s3:::${d.vault.name}/*`],
      },
    ],
  });

describe("the primary tenant's admin (an intruder with full admin in the primary account)", () => {
  it('cannot delete a vault version', async () => {
    const v = await seed('primary-delete-version');
    await expectDenied(
      primaryAdmin.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: v.key, VersionId: v.versionId })),
    );
    const batch = await attempt(
      primaryAdmin.send(
        new DeleteObjectsCommand({ Bucket: d.vault.address, Delete: { Objects: [{ Key: v.key, VersionId: v.versionId }] } }),
      ),
    );
    // refused as a whole, or key by key: either way nothing is deleted
    if (batch.ok) expect(batch.value.Deleted ?? []).toEqual([]);
    else expect(batch.status).toBe(403);
    await expectIntact(v);
  });

  it('cannot create a delete marker', async () => {
    const v = await seed('primary-delete-marker');
    await expectDenied(primaryAdmin.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: v.key })));
    await expectIntact(v);
  });

  it("cannot shorten a version's retention, nor switch it to GOVERNANCE", async () => {
    const v = await seed('primary-retention');
    for (const Mode of ['COMPLIANCE', 'GOVERNANCE'] as const) {
      await expectDenied(
        primaryAdmin.send(
          new PutObjectRetentionCommand({
            Bucket: d.vault.address,
            Key: v.key,
            VersionId: v.versionId,
            Retention: { Mode, RetainUntilDate: soon() },
          }),
        ),
      );
    }
  });

  it('cannot overwrite a vault object in place', async () => {
    const v = await seed('primary-overwrite');
    await expectDenied(
      primaryAdmin.send(
        new PutObjectCommand({ Bucket: d.vault.address, Key: v.key, Body: 'ransom', ACL: 'bucket-owner-full-control' }),
      ),
    );
    await expectIntact(v);
  });

  it("cannot change or delete the vault's bucket policy", async () => {
    await expectDenied(primaryAdmin.send(new PutBucketPolicyCommand({ Bucket: d.vault.address, Policy: openPolicy() })));
    await expectDenied(primaryAdmin.send(new DeleteBucketPolicyCommand({ Bucket: d.vault.address })));
  });

  it('cannot read a vault object, in any version', async () => {
    const v = await seed('primary-read');
    await expectDenied(primaryAdmin.send(new GetObjectCommand({ Bucket: d.vault.address, Key: v.key })));
    await expectDenied(primaryAdmin.send(new GetObjectCommand({ Bucket: d.vault.address, Key: v.key, VersionId: v.versionId })));
    const j = await seed('primary-read-journal', 'journal');
    await expectDenied(primaryAdmin.send(new GetObjectCommand({ Bucket: d.vault.address, Key: j.key })));
  });

  it('cannot list the vault, even under its own prefix', async () => {
    await expectDenied(primaryAdmin.send(new ListObjectsV2Command({ Bucket: d.vault.address })));
    await expectDenied(
      primaryAdmin.send(new ListObjectsV2Command({ Bucket: d.vault.address, Prefix: d.primary.vaultPrefixes.objects })),
    );
    await expectDenied(primaryAdmin.send(new ListObjectVersionsCommand({ Bucket: d.vault.address })));
  });

  it('cannot change the lock or versioning, nor delete the vault', async () => {
    await expectDenied(
      primaryAdmin.send(
        new PutObjectLockConfigurationCommand({
          Bucket: d.vault.address,
          ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
        }),
      ),
    );
    await expectDenied(
      primaryAdmin.send(
        new PutBucketVersioningCommand({ Bucket: d.vault.address, VersioningConfiguration: { Status: 'Suspended' } }),
      ),
    );
    await expectDenied(primaryAdmin.send(new DeleteBucketCommand({ Bucket: d.vault.address })));
  });

  it('cannot assume any vault role (the trust names the function stand-ins only)', async () => {
    for (const kind of ['ingest', 'restoreReader', 'auditor'] as const) {
      // RGW's STS error body carries no code (the SDK names it Unknown): the status says it all
      expect((await attempt(assumeVaultRole(d, kind, { caller: d.primary.admin }))).status).toBe(403);
    }
  });
});

describe("the backup tenant's admin (the vault bucket's owner)", () => {
  it('cannot delete a locked version (COMPLIANCE binds the owner too), nor add a delete marker', async () => {
    const v = await seed('owner-delete');
    await expectDenied(backupAdmin.send(new DeleteObjectCommand({ Bucket: d.vault.name, Key: v.key, VersionId: v.versionId })));
    await expectDenied(
      backupAdmin.send(
        new DeleteObjectCommand({ Bucket: d.vault.name, Key: v.key, VersionId: v.versionId, BypassGovernanceRetention: true }),
      ),
    );
    await expectDenied(backupAdmin.send(new DeleteObjectCommand({ Bucket: d.vault.name, Key: v.key })));
    await expectIntact(v);
  });

  it('cannot read backed-up data (it may read the journal, as on AWS)', async () => {
    const v = await seed('owner-read');
    await expectDenied(backupAdmin.send(new GetObjectCommand({ Bucket: d.vault.name, Key: v.key, VersionId: v.versionId })));
    const j = await seed('owner-read-journal', 'journal');
    await expectAllowed(backupAdmin.send(new GetObjectCommand({ Bucket: d.vault.name, Key: j.key })));
  });

  it('cannot shorten retention, replace or delete the policy, or weaken the lock', async () => {
    const v = await seed('owner-retention');
    await expectDenied(
      backupAdmin.send(
        new PutObjectRetentionCommand({
          Bucket: d.vault.name,
          Key: v.key,
          VersionId: v.versionId,
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: soon() },
        }),
      ),
    );
    await expectDenied(backupAdmin.send(new PutBucketPolicyCommand({ Bucket: d.vault.name, Policy: openPolicy() })));
    await expectDenied(backupAdmin.send(new DeleteBucketPolicyCommand({ Bucket: d.vault.name })));
    await expectDenied(
      backupAdmin.send(
        new PutObjectLockConfigurationCommand({
          Bucket: d.vault.name,
          ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
        }),
      ),
    );
    await expectDenied(backupAdmin.send(new DeleteBucketCommand({ Bucket: d.vault.name })));
  });
});

describe('only the pipeline writes the vault', () => {
  /** Where a forger would write: this account's three prefixes, and elsewhere in the bucket. */
  const forgeries = (label: string) => {
    const unique = `${label}-${Date.now().toString(36)}`;
    return {
      objects: testKey(d, 'objects', label),
      journal: testKey(d, 'journal', label),
      reports: testKey(d, 'reports', label),
      reportsTop: `reports/${unique}.json`,
      bucketRoot: `${unique}.json`,
      unconfiguredAccount: `objects/999999999999/${unique}`,
    };
  };
  const everywhere = (outcome: string, keys: Record<string, string>) =>
    Object.fromEntries(Object.keys(keys).map((where) => [where, outcome]));
  /** Outcomes of one write per key, by where it was aimed. */
  async function writeEach(keys: Record<string, string>, write: (key: string) => Promise<unknown>) {
    const outcomes: Record<string, string> = {};
    for (const [where, key] of Object.entries(keys)) outcomes[where] = describeOutcome(await attempt(write(key)));
    return outcomes;
  }

  it("the backup tenant's admin creates nothing, by PutObject, multipart upload or server-side copy, anywhere", async () => {
    const own = uniqueName('protect-admin-src');
    await expectAllowed(backupAdmin.send(new CreateBucketCommand({ Bucket: own })));
    await expectAllowed(backupAdmin.send(new PutObjectCommand({ Bucket: own, Key: 'seed', Body: 'forged bytes' })));
    const keys = forgeries('admin-forgery');
    const bucket = d.vault.name;
    expect({
      put: await writeEach(keys, (Key) => backupAdmin.send(vaultPut(bucket, Key, 'forged'))),
      multipart: await writeEach(keys, (Key) => backupAdmin.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key }))),
      copy: await writeEach(keys, (Key) =>
        backupAdmin.send(new CopyObjectCommand({ Bucket: bucket, Key, CopySource: `${own}/seed` })),
      ),
    }).toEqual({ put: everywhere(DENIED, keys), multipart: everywhere(DENIED, keys), copy: everywhere(DENIED, keys) });
    for (const key of Object.values(keys)) {
      const listed = await expectAllowed(backupAdmin.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key })));
      expect(listed.Versions ?? []).toEqual([]);
    }
  });

  it('no vault role but the account ingest role creates under objects/ or journal/; ingest nothing elsewhere', async () => {
    const auditor = await clients.assume(d, 'auditor');
    const keys = forgeries('role-forgery');
    const { objects, journal, ...elsewhere } = keys;
    for (const role of [reader, auditor]) {
      expect(await writeEach({ objects, journal }, (Key) => role.s3.send(vaultPut(d.vault.address, Key, 'forged')))).toEqual(
        everywhere(DENIED, { objects, journal }),
      );
    }
    expect(await writeEach(elsewhere, (Key) => ingest.s3.send(vaultPut(d.vault.address, Key, 'forged')))).toEqual(
      everywhere(DENIED, elsewhere),
    );
    // ...while its own two prefixes take its writes
    await ingestWrite(ingest, d, objects, 'backed-up bytes');
    await ingestWrite(ingest, d, journal, 'journal segment');
  });

  it("the primary tenant's admin creates nothing under reports/ or elsewhere either", async () => {
    const { reports, reportsTop, bucketRoot } = forgeries('primary-forgery');
    expect(
      await writeEach({ reports, reportsTop, bucketRoot }, (Key) => primaryAdmin.send(vaultPut(d.vault.address, Key, 'forged'))),
    ).toEqual(everywhere(DENIED, { reports, reportsTop, bucketRoot }));
  });

  it("the backup tenant's admin can neither tag a vault object nor set the vault's CORS or request payment", async () => {
    const v = await seed('owner-tagging');
    const tagging = { TagSet: [{ Key: 'expire', Value: 'now' }] };
    await expectDenied(backupAdmin.send(new PutObjectTaggingCommand({ Bucket: d.vault.name, Key: v.key, Tagging: tagging })));
    await expectDenied(
      backupAdmin.send(
        new PutObjectTaggingCommand({ Bucket: d.vault.name, Key: v.key, VersionId: v.versionId, Tagging: tagging }),
      ),
    );
    await expectDenied(backupAdmin.send(new DeleteObjectTaggingCommand({ Bucket: d.vault.name, Key: v.key })));
    await expectDenied(
      backupAdmin.send(
        new PutBucketCorsCommand({
          Bucket: d.vault.name,
          CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] },
        }),
      ),
    );
    await expectDenied(
      backupAdmin.send(
        new PutBucketRequestPaymentCommand({ Bucket: d.vault.name, RequestPaymentConfiguration: { Payer: 'Requester' } }),
      ),
    );
  });

  it('break-glass may still write where no one else may (a report, say)', async () => {
    const breakGlass = clients.as(d, d.backup.breakGlass);
    const { reports, reportsTop } = forgeries('break-glass-write');
    expect(
      await writeEach({ reports, reportsTop }, (Key) => breakGlass.send(vaultPut(d.vault.address, Key, 'evidence'))),
    ).toEqual(everywhere('ok', { reports, reportsTop }));
  });
});

describe('the break-glass stand-in (exempt from the policy denies, not from Object Lock)', () => {
  it('reads backed-up data, yet cannot delete a locked version or shorten its retention', async () => {
    const breakGlass = clients.as(d, d.backup.breakGlass);
    const v = await seed('break-glass');
    const got = await expectAllowed(
      breakGlass.send(new GetObjectCommand({ Bucket: d.vault.address, Key: v.key, VersionId: v.versionId })),
    );
    expect(await got.Body?.transformToString()).toBe(v.body);
    await expectDenied(breakGlass.send(new DeleteObjectCommand({ Bucket: d.vault.address, Key: v.key, VersionId: v.versionId })));
    await expectDenied(
      breakGlass.send(
        new PutObjectRetentionCommand({
          Bucket: d.vault.address,
          Key: v.key,
          VersionId: v.versionId,
          Retention: { Mode: 'COMPLIANCE', RetainUntilDate: soon() },
        }),
      ),
    );
    await expectIntact(v);
  });
});
