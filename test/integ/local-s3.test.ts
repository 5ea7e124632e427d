/**
 * The integ harness itself: the local S3 that global-setup.ts starts behaves like the two AWS accounts
 * and the Object Lock vault the other integ tests rely on.
 */

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import {
  type LocalS3,
  LocalS3StopError,
  radosgwAdmin,
  rgwClientConfig,
  s3ClientFor,
  startLocalS3,
  stopLocalS3,
  tenantBucket,
} from '../../local/local-s3';
import { integLocalS3 } from './support/env';
import { uniqueName } from './support/names';

jest.setTimeout(60_000);

/** Alive and not a zombie (a killed child stays a zombie until Node reaps it). */
function isRunning(pid: number | undefined): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
  } catch {
    return false;
  }
}

const contentMd5 = (body: string) => createHash('md5').update(body).digest('base64');

/** RGW's error bodies are mostly empty, so match on the error name and HTTP status, never the message. */
async function expectS3Error(promise: Promise<unknown>, name: string, status: number): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e as { name?: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(err).toBeDefined();
  expect({ name: err?.name, status: err?.$metadata?.httpStatusCode }).toEqual({ name, status });
}

let s3: LocalS3;
let primary: S3Client;
let backup: S3Client;

beforeAll(() => {
  s3 = integLocalS3();
  primary = s3ClientFor(s3.tenants.primary, s3.endpoint);
  backup = s3ClientFor(s3.tenants.backup, s3.endpoint);
});

afterAll(() => {
  primary?.destroy();
  backup?.destroy();
});

test('the global setup exports the instance to test files', () => {
  expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(s3.port).not.toBe(7480); // never the demo's default instance
  expect(s3.tenants.primary).toMatchObject({ tenant: 'primary', userArn: 'arn:aws:iam::primary:user/admin' });
  expect(s3.tenants.backup).toMatchObject({ tenant: 'backup', userArn: 'arn:aws:iam::backup:user/admin' });
  expect(existsSync(s3.cephConf)).toBe(true);
});

test('each tenant admin creates buckets in its own tenant only', async () => {
  const primaryBucket = uniqueName('harness-primary');
  const backupBucket = uniqueName('harness-backup');
  await primary.send(new CreateBucketCommand({ Bucket: primaryBucket }));
  await backup.send(new CreateBucketCommand({ Bucket: backupBucket }));

  const names = async (client: S3Client) => ((await client.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
  expect(await names(primary)).toContain(primaryBucket);
  expect(await names(primary)).not.toContain(backupBucket);
  expect(await names(backup)).toContain(backupBucket);
  expect(await names(backup)).not.toContain(primaryBucket);
  // a bare name means the caller's own tenant
  await expectS3Error(primary.send(new HeadBucketCommand({ Bucket: backupBucket })), 'NotFound', 404);
});

test('Object Lock COMPLIANCE: a locked version cannot be deleted, even by the bucket owner', async () => {
  const bucket = uniqueName('harness-lock');
  await backup.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
  const body = 'locked';
  const put = await backup.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: 'k',
      Body: body,
      ContentMD5: contentMd5(body),
      ObjectLockMode: 'COMPLIANCE',
      ObjectLockRetainUntilDate: new Date(Date.now() + 24 * 3600_000),
    }),
  );
  expect(put.VersionId).toBeTruthy();

  await expectS3Error(
    backup.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: put.VersionId })),
    'AccessDenied',
    403,
  );
  await expectS3Error(
    backup.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: put.VersionId, BypassGovernanceRetention: true })),
    'AccessDenied',
    403,
  );
  // a plain delete only adds a delete marker: the locked version stays readable
  await backup.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
  const got = await backup.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: put.VersionId }));
  expect(await got.Body?.transformToString()).toBe(body);
});

test('cross-tenant addressing: tenant:bucket reaches the other tenant, within its bucket policy', async () => {
  const bucket = uniqueName('harness-cross');
  await backup.send(new CreateBucketCommand({ Bucket: bucket }));
  const writer = { AWS: [s3.tenants.primary.userArn] };
  const policy = {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: writer, Action: 's3:PutObject', Resource: `arn:aws:s3:::${bucket}/*` },
      // RGW makes the writer the owner of what it writes (AWS with BucketOwnerEnforced makes the bucket owner),
      // and an owner may read its objects: only an explicit Deny makes the writer write-only, as on AWS.
      { Effect: 'Deny', Principal: writer, Action: 's3:GetObject*', Resource: `arn:aws:s3:::${bucket}/*` },
    ],
  };
  await backup.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));

  const remote = tenantBucket(s3.tenants.backup.tenant, bucket);
  expect(remote).toBe(`backup:${bucket}`);
  // the writer owns the object on RGW: it must grant the bucket owner access (AWS accepts the ACL too)
  await primary.send(new PutObjectCommand({ Bucket: remote, Key: 'from-primary', Body: 'x', ACL: 'bucket-owner-full-control' }));
  const got = await backup.send(new GetObjectCommand({ Bucket: bucket, Key: 'from-primary' }));
  expect(await got.Body?.transformToString()).toBe('x');
  // the policy grants writing only
  await expectS3Error(primary.send(new GetObjectCommand({ Bucket: remote, Key: 'from-primary' })), 'AccessDenied', 403);
  await expectS3Error(primary.send(new ListObjectsV2Command({ Bucket: remote })), 'AccessDenied', 403);
  // the owner may use the qualified name too
  await backup.send(new HeadBucketCommand({ Bucket: remote }));
});

test('radosgwAdmin reads the cluster: the admins exist with their keys and roles caps', async () => {
  const info = await radosgwAdmin<{ user_id: string; keys: { access_key: string }[]; caps: { type: string; perm: string }[] }>(
    s3,
    ['user', 'info', '--tenant', 'backup', '--uid', 'admin'],
  );
  expect(info.user_id).toBe('backup$admin');
  expect(info.keys.map((k) => k.access_key)).toContain(s3.tenants.backup.accessKeyId);
  expect(info.caps).toContainEqual({ type: 'roles', perm: '*' });
  await expect(radosgwAdmin(s3, ['user', 'info', '--tenant', 'backup', '--uid', 'nobody'])).rejects.toMatchObject({
    name: 'RadosgwAdminError',
  });
});

test('IAM and STS: the backup admin creates a role that the primary admin can assume', async () => {
  const roleName = uniqueName('harness-role');
  const bucket = uniqueName('harness-sts');
  await backup.send(new CreateBucketCommand({ Bucket: bucket }));
  const iam = new IAMClient(rgwClientConfig(s3.tenants.backup, s3.endpoint));
  const sts = new STSClient(rgwClientConfig(s3.tenants.primary, s3.endpoint));
  let session: S3Client | undefined;
  try {
    const trust = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: [s3.tenants.primary.userArn] }, Action: 'sts:AssumeRole' }],
    };
    const role = await iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust) }));
    expect(role.Role?.Arn).toBe(`arn:aws:iam::backup:role/${roleName}`);
    const access = {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${bucket}` }],
    };
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'list', PolicyDocument: JSON.stringify(access) }));

    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: role.Role?.Arn, RoleSessionName: 'harness' }));
    const creds = assumed.Credentials;
    if (!creds?.AccessKeyId || !creds.SecretAccessKey || !creds.SessionToken)
      throw new Error('AssumeRole returned no credentials');
    session = s3ClientFor(
      { accessKeyId: creds.AccessKeyId, secretAccessKey: creds.SecretAccessKey, sessionToken: creds.SessionToken },
      s3.endpoint,
    );
    // a role's bare bucket names resolve in the role's tenant
    await session.send(new HeadBucketCommand({ Bucket: bucket }));
  } finally {
    session?.destroy();
    await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: 'list' })).catch(() => undefined);
    await iam.send(new DeleteRoleCommand({ RoleName: roleName })).catch(() => undefined);
    iam.destroy();
    sts.destroy();
  }
});

test('starting again is idempotent and fast', async () => {
  const started = Date.now();
  const again = await startLocalS3({ port: s3.port, monPort: s3.monPort, dir: s3.dir });
  const elapsed = Date.now() - started;
  expect(again).toEqual(s3);
  expect(elapsed).toBeLessThan(2_000);
  // still the same cluster: earlier data is there
  expect((await primary.send(new ListBucketsCommand({}))).Buckets?.length).toBeGreaterThan(0);
});

test('a second instance on other ports runs beside the first and stops cleanly', async () => {
  const port = s3.port + 10;
  const second = await startLocalS3({ port });
  const client = s3ClientFor(second.tenants.primary, second.endpoint);
  try {
    expect(second.endpoint).toBe(`http://127.0.0.1:${port}`);
    expect(second.dir).not.toBe(s3.dir);
    expect(second.monPort).not.toBe(s3.monPort);
    const bucket = uniqueName('harness-second');
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    // a separate cluster: the first one does not have that bucket
    await expectS3Error(primary.send(new HeadBucketCommand({ Bucket: bucket })), 'NotFound', 404);
  } finally {
    client.destroy();
    await stopLocalS3(second);
  }
  expect(existsSync(second.dir)).toBe(false);
  // the first instance is untouched
  await primary.send(new ListBucketsCommand({}));
});

test('stop refuses a directory that start.sh did not make', async () => {
  const stranger = mkdtempSync(path.join(tmpdir(), 'not-local-s3-'));
  try {
    await expect(stopLocalS3(stranger)).rejects.toBeInstanceOf(LocalS3StopError);
    expect(existsSync(stranger)).toBe(true);
  } finally {
    rmSync(stranger, { recursive: true });
  }
});

test('stop signals only its own daemons: a process that now holds a recorded PID survives', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'local-s3-pid-reuse-'));
  // named like a daemon, but not started with this state dir's ceph.conf, as after a PID reuse
  const impostorBin = path.join(dir, 'radosgw');
  copyFileSync('/bin/sleep', impostorBin);
  chmodSync(impostorBin, 0o755);
  const impostor = spawn(impostorBin, ['60'], { stdio: 'ignore' });
  try {
    mkdirSync(path.join(dir, 'run'));
    writeFileSync(path.join(dir, '.strongroom-local-s3'), ''); // the marker start.sh leaves in its state dirs
    writeFileSync(path.join(dir, 'run', 'client.rgw.a.pid'), String(impostor.pid));
    await stopLocalS3(dir);
    expect(isRunning(impostor.pid)).toBe(true);
    expect(existsSync(dir)).toBe(false);
  } finally {
    impostor.kill();
    rmSync(dir, { recursive: true, force: true });
    rmSync(`${dir}.lock`, { force: true }); // stop.sh's lock file, beside the state dir
  }
});
