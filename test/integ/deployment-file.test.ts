/**
 * The deployment file, live: what provisionLocalVault saves can be loaded by another process and its keys,
 * roles and bucket names used as they are; the CLI finds it.
 */
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { deploymentsDir, LocalDeploymentFileMissingError, loadLocalDeployment } from '../../local/deployment-file';
import type { LocalDeployment } from '../../local/provision';
import { comparable } from '../support/local-deployment';
import { integLocalS3 } from './support/env';
import { Clients, DENIED, expectAllowed, expectOutcome, ingestWrite, provisionForTest, testKey } from './support/vault';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '..', '..');
const clients = new Clients();
let provisioned: LocalDeployment;
let loaded: LocalDeployment;

beforeAll(async () => {
  provisioned = await provisionForTest('file');
  loaded = await loadLocalDeployment(provisioned.deploymentFile);
});
afterAll(() => clients.destroy());

test('provisioning saves the deployment beside the local S3, readable by its owner only', async () => {
  expect(provisioned.deploymentFile).toBe(path.join(integLocalS3().dir, 'deployments', `${provisioned.name}.json`));
  expect((await stat(provisioned.deploymentFile)).mode & 0o777).toBe(0o600);
});

test('the loaded deployment is the provisioned one', () => {
  expect(comparable(loaded)).toEqual(comparable(provisioned));
  expect(loaded.deploymentFile).toBe(provisioned.deploymentFile);
});

test("the loaded keys work: the primary admin's source, the copier's read, the ingest role's write, the restore reader's read", async () => {
  const source = loaded.primary.sources[0]?.address as string;
  const admin = clients.as(loaded, loaded.primary.admin);
  await expectAllowed(admin.send(new HeadBucketCommand({ Bucket: source })));
  await expectAllowed(admin.send(new PutObjectCommand({ Bucket: source, Key: 'from-the-file', Body: 'source bytes' })));
  const copier = clients.as(loaded, loaded.primary.functions.copier);
  const read = await expectAllowed(copier.send(new GetObjectCommand({ Bucket: source, Key: 'from-the-file' })));
  expect(await read.Body?.transformToString()).toBe('source bytes');
  await expectOutcome(copier.send(new PutObjectCommand({ Bucket: source, Key: 'from-the-file', Body: 'x' })), DENIED);

  // the vault roles through real STS AssumeRole, as the loaded stand-ins, with the loaded external id
  const ingest = await clients.assume(loaded, 'ingest');
  const key = testKey(loaded, 'objects', 'written-with-loaded-keys');
  const versionId = await ingestWrite(ingest, loaded, key, 'vault bytes');
  const reader = await clients.assume(loaded, 'restoreReader');
  const back = await expectAllowed(
    reader.s3.send(new GetObjectCommand({ Bucket: loaded.vault.address, Key: key, VersionId: versionId })),
  );
  expect(await back.Body?.transformToString()).toBe('vault bytes');
  await expectOutcome(ingest.s3.send(new GetObjectCommand({ Bucket: loaded.vault.address, Key: key })), DENIED);
});

test('a deployment file that is not there is named in the error', async () => {
  const missing = path.join(deploymentsDir(integLocalS3().dir), 'never-provisioned.json');
  await expect(loadLocalDeployment(missing)).rejects.toThrow(LocalDeploymentFileMissingError);
  await expect(loadLocalDeployment(missing)).rejects.toThrow(`no local deployment file at ${missing}`);
});

describe('npm run local-s3 -- deployment', () => {
  const cli = (args: string[]) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        path.join(ROOT, 'node_modules', '.bin', 'tsx'),
        [path.join(ROOT, 'local', 'local-s3-cli.ts'), 'deployment', ...args],
        { cwd: ROOT, env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' }, timeout: 30_000 },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  test('prints the path of the latest deployment file (other test files provision too: any of this run)', async () => {
    const run = await cli([]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const file = run.stdout.trim();
    expect(run.stdout).toBe(`${file}\n`);
    expect(path.dirname(file)).toBe(deploymentsDir(integLocalS3().dir));
    const latest = await loadLocalDeployment(file);
    expect(latest.endpoint).toBe(integLocalS3().endpoint);
  });

  test('--json prints the content, no secret key among it', async () => {
    const run = await cli(['--json']);
    expect(run.code).toBe(0);
    const content = JSON.parse(run.stdout);
    const latest = await loadLocalDeployment(path.join(deploymentsDir(integLocalS3().dir), `${content.name}.json`));
    const secrets = [
      latest.backup.admin.secretAccessKey,
      latest.backup.breakGlass.secretAccessKey,
      latest.primary.admin.secretAccessKey,
      ...Object.values(latest.primary.functions).map((f) => f.secretAccessKey),
    ];
    for (const secret of secrets) expect(run.stdout).not.toContain(secret);
    expect(content.primaries[0].functions.copier).toMatchObject({
      accessKeyId: latest.primary.functions.copier.accessKeyId,
      secretAccessKey: '(redacted)',
    });
  });
});
