/**
 * The local provisioner builds what VaultStack and ProtectedAccountStack deploy, with lib/policy's documents
 * as mapped by local/rgw-policy-mapping.ts, and hands back one LocalDeployment that says how to reach it.
 */
import { GetRoleCommand, GetRolePolicyCommand, GetUserPolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLockConfigurationCommand,
  HeadBucketCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { PRIMARY_ROLE_KINDS } from '../../lib/policy/primary-roles';
import { VAULT_ROLE_KINDS } from '../../lib/policy/vault-roles';
import { rgwClientConfig } from '../../local/local-s3';
import { attempt } from '../../local/outcome';
import { type LocalDeployment, ProvisionError, provisionLocalVault } from '../../local/provision';
import { integLocalS3 } from './support/env';
import { Clients, DENIED, expectAllowed, expectOutcome, localConfig, provisionForTest } from './support/vault';

jest.setTimeout(60_000);

const clients = new Clients();
let d: LocalDeployment;
let provisionMs: number;
let backupIam: IAMClient;
let primaryIam: IAMClient;

beforeAll(async () => {
  const started = performance.now();
  d = await provisionForTest('prov');
  provisionMs = performance.now() - started;
  const s3 = integLocalS3();
  backupIam = new IAMClient(rgwClientConfig(s3.tenants.backup, s3.endpoint, 4));
  primaryIam = new IAMClient(rgwClientConfig(s3.tenants.primary, s3.endpoint, 4));
});
afterAll(() => {
  clients.destroy();
  backupIam?.destroy();
  primaryIam?.destroy();
});

const decode = (doc: string | undefined) => JSON.parse(decodeURIComponent(doc ?? '{}'));

test('names everything after a fresh deployment name, recognisably', () => {
  expect(d.name).toMatch(/^prov-[a-z0-9]{10}$/);
  expect(d.config.name).toBe(d.name);
  expect(d.vault).toMatchObject({ tenant: 'backup', name: `${d.name}-vault`, address: `backup:${d.name}-vault` });
  expect(d.primary.sources.map((s) => s.name)).toEqual([`${d.name}-acme-invoices`]);
  expect(d.primary.restoreTargets.map((s) => s.address)).toEqual([`primary:${d.name}-acme-restore`]);
  expect(d.primary.vaultRoles.ingest.arn).toBe(`arn:aws:iam::backup:role/${d.name}-ingest-primary`);
  expect(d.primary.functions.copier.arn).toBe(`arn:aws:iam::primary:user/${d.name}-copier`);
  expect(d.externalId).toBe(localConfig().externalId);
  expect(d.primary.vaultPrefixes).toEqual({
    objects: 'objects/primary/',
    journal: 'journal/primary/',
    reports: 'reports/primary/',
  });
});

test('the vault: Object Lock COMPLIANCE with the configured default retention, versioned, the mapped policy', async () => {
  const owner = clients.as(d, d.backup.admin);
  const lock = await owner.send(new GetObjectLockConfigurationCommand({ Bucket: d.vault.name }));
  expect(lock.ObjectLockConfiguration).toEqual({
    ObjectLockEnabled: 'Enabled',
    Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: localConfig().vault.objectLock.retentionDays } },
  });
  expect((await owner.send(new GetBucketVersioningCommand({ Bucket: d.vault.name }))).Status).toBe('Enabled');
  const applied = await owner.send(new GetBucketPolicyCommand({ Bucket: d.vault.name }));
  expect(JSON.parse(applied.Policy ?? '{}')).toEqual(d.bucketPolicy.applied.document);
});

test('the vault roles carry the mapped trust and permissions', async () => {
  for (const kind of VAULT_ROLE_KINDS) {
    const role = d.primary.vaultRoles[kind];
    const got = await backupIam.send(new GetRoleCommand({ RoleName: role.name }));
    expect(got.Role?.Arn).toBe(role.arn);
    expect(decode(got.Role?.AssumeRolePolicyDocument)).toEqual(role.trust.applied.document);
    const permissions = await backupIam.send(new GetRolePolicyCommand({ RoleName: role.name, PolicyName: 'strongroom' }));
    expect(decode(permissions.PolicyDocument)).toEqual(role.permissions.applied.document);
  }
});

test('the function stand-ins carry their mapped identity statements, and the server enforces them', async () => {
  for (const kind of PRIMARY_ROLE_KINDS) {
    const user = d.primary.functions[kind];
    const got = await primaryIam.send(
      new GetUserPolicyCommand({ UserName: `primary$${user.user}`, PolicyName: `strongroom-${kind}` }),
    );
    expect(decode(got.PolicyDocument)).toEqual(user.policy.document);
  }
  const source = d.primary.sources[0]?.address as string;
  const target = d.primary.restoreTargets[0]?.address as string;
  await clients.as(d, d.primary.admin).send(new PutObjectCommand({ Bucket: source, Key: 'k', Body: 'source bytes' }));
  const copier = clients.as(d, d.primary.functions.copier);
  const got = await expectAllowed(copier.send(new GetObjectCommand({ Bucket: source, Key: 'k' })));
  expect(await got.Body?.transformToString()).toBe('source bytes');
  await expectOutcome(copier.send(new PutObjectCommand({ Bucket: source, Key: 'k', Body: 'x' })), DENIED);
  await expectOutcome(copier.send(new PutObjectCommand({ Bucket: target, Key: 'k', Body: 'x' })), DENIED);
  const restore = clients.as(d, d.primary.functions.restore);
  await expectAllowed(restore.send(new PutObjectCommand({ Bucket: target, Key: 'restored', Body: 'x' })));
  await expectOutcome(restore.send(new GetObjectCommand({ Bucket: source, Key: 'k' })), DENIED);
});

test('the source and restore-target buckets are versioned, in the primary tenant', async () => {
  const admin = clients.as(d, d.primary.admin);
  for (const bucket of [...d.primary.sources, ...d.primary.restoreTargets]) {
    await admin.send(new HeadBucketCommand({ Bucket: bucket.name }));
    expect((await admin.send(new GetBucketVersioningCommand({ Bucket: bucket.name }))).Status).toBe('Enabled');
  }
});

test('records every adaptation it applied', () => {
  const ids = new Set(d.adaptations.map((a) => a.adaptation));
  expect([...ids].sort()).toEqual(
    [
      'absent-service-statement',
      'assume-role-identity-statement',
      'exempting-deny',
      'trust-conditions',
      'trust-stand-in-principals',
      'unevaluated-condition-statement',
      'unknown-action',
    ].sort(),
  );
});

test('takes well under two seconds', () => {
  expect(provisionMs).toBeLessThan(2_000);
  expect(Object.keys(d.timings)).toEqual(['users', 'identity', 'buckets', 'bucket policy']);
});

test('a failure names the step and the resource', async () => {
  const again = await attempt(provisionLocalVault(integLocalS3(), localConfig(), { name: d.name }));
  expect(again.ok).toBe(false);
  const error = (again as { error: unknown }).error;
  expect(error).toBeInstanceOf(ProvisionError);
  expect((error as ProvisionError).step).toBe('create stand-in user');
  expect((error as Error).message).toMatch(
    new RegExp(`^provisioning failed at step 'create stand-in user' for user (primary|backup)\\$${d.name}-`),
  );
});
