/**
 * The deployment file, live: what provisionLocalVault saves can be loaded by another process and its keys,
 * roles and bucket names used as they are.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { GetObjectCommand, HeadBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { deploymentsDir, LocalDeploymentFileMissingError, loadLocalDeployment } from '../../local/deployment-file';
import type { LocalDeployment } from '../../local/provision';
import { comparable } from '../support/local-deployment';
import { integLocalS3 } from './support/env';
import { Clients, DENIED, expectAllowed, expectOutcome, ingestWrite, provisionForTest, testKey } from './support/vault';

jest.setTimeout(60_000);

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
