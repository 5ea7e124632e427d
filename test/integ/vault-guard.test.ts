/**
 * Guards: proof that the live tests exercise the server's enforcement of the shared policy module, not
 * something that would hold anyway. Each guard provisions a vault whose bucket policy is lib/policy's output
 * with ONE protection removed, and shows that the attack the protection stops then succeeds — while the same
 * attack fails on a vault with the module's full policy.
 *
 * The attacker here is the backup tenant's admin, the vault bucket's owner: on RGW an owner holds rights
 * through ACLs that only the policy's denies take away. A role session (ingest, say) never gets ACL-based
 * access on RGW, so what confines it is the absence of grants, with or without the denies
 * (test/integ/rgw-adaptations.test.ts measures that).
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutBucketPolicyCommand,
  PutObjectTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PolicyDocument } from '../../lib/policy/document';
import type { VaultPolicyModel } from '../../lib/policy/model';
import { vaultBucketPolicy } from '../../lib/policy/vault-bucket';
import { accountSid } from '../../lib/policy/vault-roles';
import { attempt, describeOutcome } from '../../local/outcome';
import type { LocalDeployment } from '../../local/provision';
import { integLocalS3 } from './support/env';
import { Clients, DENIED, ingestWrite, provisionForTest, testKey, vaultPut } from './support/vault';

jest.setTimeout(60_000);

const clients = new Clients();
afterAll(() => clients.destroy());

/** lib/policy's bucket policy without the statement `sid` (which must exist: a typo must not pass silently). */
const without =
  (sid: string) =>
  (m: VaultPolicyModel): PolicyDocument => {
    const doc = vaultBucketPolicy(m);
    if (!doc.Statement.some((s) => s.Sid === sid)) throw new Error(`no statement ${sid} to remove`);
    return { ...doc, Statement: doc.Statement.filter((s) => s.Sid !== sid) };
  };

/** The control: a vault with the module's full policy, shared by the guards (each attacks its own keys). */
let full: LocalDeployment;
beforeAll(async () => {
  full = await provisionForTest('gfull');
});

/** Runs an attack against the full vault and against one provisioned without `sid`; returns both outcomes. */
async function attackBoth(sid: string, label: string, attack: (d: LocalDeployment) => Promise<unknown>) {
  const weakened = await provisionForTest(label, { bucketPolicy: without(sid) });
  expect(weakened.bucketPolicy.applied.document.Statement.map((s) => s.Sid)).not.toContain(sid);
  expect(full.bucketPolicy.applied.document.Statement.map((s) => s.Sid)).toContain(sid);
  return {
    full: describeOutcome(await attempt(attack(full))),
    weakened: describeOutcome(await attempt(attack(weakened))),
  };
}

async function ingestSession(d: LocalDeployment) {
  return clients.assume(d, 'ingest');
}

test('without DenyDataReadsExceptRestoreReaders, the backup admin reads backed-up data', async () => {
  const outcomes = await attackBoth('DenyDataReadsExceptRestoreReaders', 'gowner', async (d) => {
    const key = testKey(d, 'objects', 'guard-owner-read');
    await ingestWrite(await ingestSession(d), d, key, 'backed-up bytes');
    const owner: S3Client = clients.as(d, d.backup.admin);
    return owner.send(new GetObjectCommand({ Bucket: d.vault.name, Key: key }));
  });
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

test('without DenyObjectDestructionExceptBreakGlass, the backup admin hides a version behind a delete marker', async () => {
  // Object Lock keeps versions, not keys: only the policy stops a delete marker.
  const outcomes = await attackBoth('DenyObjectDestructionExceptBreakGlass', 'gmarker', async (d) => {
    const key = testKey(d, 'objects', 'guard-marker');
    await ingestWrite(await ingestSession(d), d, key, 'backed-up bytes');
    return clients.as(d, d.backup.admin).send(new DeleteObjectCommand({ Bucket: d.vault.name, Key: key }));
  });
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

test('without DenyPolicyChangesExceptBreakGlassAndDeployer, the backup admin replaces the vault policy', async () => {
  const outcomes = await attackBoth('DenyPolicyChangesExceptBreakGlassAndDeployer', 'gpolicy', (d) =>
    clients.as(d, d.backup.admin).send(
      new PutBucketPolicyCommand({
        Bucket: d.vault.name,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: d.primary.admin.userArn },
              Action: 's3:*',
              Resource: `arn:aws:s3:::${d.vault.name}/*`,
            },
          ],
        }),
      }),
    ),
  );
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

/** The local Sid of a per-account statement: the tenant stands in for the account id. */
const forPrimary = (name: string) => accountSid(name, integLocalS3().tenants.primary.tenant);

test.each([
  ['objects', 'gobjects'],
  ['journal', 'gjournal'],
] as const)(
  'without DenyBackupWritesExceptIngest<account>, the backup admin forges a vault entry under %s/',
  async (area, label) => {
    const sid = forPrimary('DenyBackupWritesExceptIngest');
    const outcomes = await attackBoth(sid, label, (d) =>
      clients.as(d, d.backup.admin).send(vaultPut(d.vault.name, testKey(d, area, 'guard-forgery'), 'forged')),
    );
    expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
  },
);

test('without DenyReportWritesExceptEvidenceWriter<account>, the backup admin files a forged report', async () => {
  const outcomes = await attackBoth(forPrimary('DenyReportWritesExceptEvidenceWriter'), 'greport', (d) =>
    clients.as(d, d.backup.admin).send(vaultPut(d.vault.name, testKey(d, 'reports', 'guard-report'), 'all is well')),
  );
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

test('without DenyWritesOutsideAccountPrefixesExceptBreakGlass, the backup admin writes reports/forged.json', async () => {
  const outcomes = await attackBoth('DenyWritesOutsideAccountPrefixesExceptBreakGlass', 'goutside', (d) =>
    clients.as(d, d.backup.admin).send(vaultPut(d.vault.name, `reports/forged-${Date.now().toString(36)}.json`, 'forged')),
  );
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

test('without DenyObjectTaggingExceptBreakGlass, the backup admin tags a vault object', async () => {
  const outcomes = await attackBoth('DenyObjectTaggingExceptBreakGlass', 'gtagging', async (d) => {
    const key = testKey(d, 'objects', 'guard-tagging');
    await ingestWrite(await ingestSession(d), d, key, 'backed-up bytes');
    return clients
      .as(d, d.backup.admin)
      .send(
        new PutObjectTaggingCommand({ Bucket: d.vault.name, Key: key, Tagging: { TagSet: [{ Key: 'expire', Value: 'now' }] } }),
      );
  });
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

test('without DenyBucketReconfigurationExceptBreakGlass, the backup admin opens the vault to any origin (CORS)', async () => {
  const outcomes = await attackBoth('DenyBucketReconfigurationExceptBreakGlass', 'gcors', (d) =>
    clients.as(d, d.backup.admin).send(
      new PutBucketCorsCommand({
        Bucket: d.vault.name,
        CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] },
      }),
    ),
  );
  expect(outcomes).toEqual({ full: DENIED, weakened: 'ok' });
});

// DenyReplicationWritesExceptBreakGlass has no live guard: pacific knows none of its actions (the
// mapping drops it) and cannot replicate; test/policy/vault-bucket-writes.test.ts guards it offline.
