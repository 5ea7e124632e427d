/**
 * What the vault integ tests share: a fresh deployment from the ONE provisioner (local/provision.ts) on the
 * integ run's local S3, sessions that are destroyed afterwards, and outcome assertions that print
 * "AccessDenied (403)" rather than a stack trace.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { QueuedRecord } from '../../../lambda/core/copier';
import { loadConfig } from '../../../lib/config/load';
import type { StrongroomConfig } from '../../../lib/config/schema';
import type { VaultRoleKind } from '../../../lib/policy/vault-roles';
import type { LocalCopier } from '../../../local/local-copier';
import type { LocalS3Credentials } from '../../../local/local-s3';
import { attempt, describeOutcome } from '../../../local/outcome';
import { type LocalDeployment, type ProvisionOptions, provisionLocalVault } from '../../../local/provision';
import { type AssumeOptions, assumeVaultRole, clientAs, type VaultSession } from '../../../local/sessions';
import { integLocalS3 } from './env';

export const LOCAL_CONFIG_FILE = path.resolve(__dirname, '..', '..', '..', 'config', 'strongroom.local.json');

/** The demo's two-account config (one primary account, 1-day COMPLIANCE retention). */
export function localConfig(): StrongroomConfig {
  return loadConfig(LOCAL_CONFIG_FILE);
}

/** A fresh vault deployment with names no other test or run uses. */
export function provisionForTest(label: string, options: Omit<ProvisionOptions, 'label'> = {}): Promise<LocalDeployment> {
  return provisionLocalVault(integLocalS3(), localConfig(), { label, ...options });
}

/** Keeps the clients a test file opens, to destroy them in afterAll (keep-alive sockets would hold jest open). */
export class Clients {
  private readonly open: S3Client[] = [];

  as(deployment: LocalDeployment, who: LocalS3Credentials): S3Client {
    const client = clientAs(deployment, who);
    this.open.push(client);
    return client;
  }

  async assume(deployment: LocalDeployment, kind: VaultRoleKind, options?: AssumeOptions): Promise<VaultSession> {
    const session = await assumeVaultRole(deployment, kind, options);
    this.open.push(session.s3);
    return session;
  }

  destroy(): void {
    for (const client of this.open.splice(0)) client.destroy();
  }
}

/** Asserts the request's outcome: 'ok', or an error as "Name (status)". */
export async function expectOutcome(request: Promise<unknown>, expected: string): Promise<void> {
  expect(describeOutcome(await attempt(request))).toBe(expected);
}

export const DENIED = 'AccessDenied (403)';

export const expectDenied = (request: Promise<unknown>) => expectOutcome(request, DENIED);

/** Awaits a request that must succeed; on failure, says how it failed. */
export async function expectAllowed<T>(request: Promise<T>): Promise<T> {
  const outcome = await attempt(request);
  if (!outcome.ok) throw new Error(`expected the request to succeed, got ${describeOutcome(outcome)}`, { cause: outcome.error });
  return outcome.value;
}

export const sha256 = (body: string | Uint8Array) => createHash('sha256').update(body).digest('hex');
export const contentMd5 = (body: string | Uint8Array) => createHash('md5').update(body).digest('base64');

/**
 * A vault write as Strongroom makes them: bucket-owner-full-control (the writer owns what it writes on RGW),
 * Content-MD5 (validated by RGW), no lock headers (the bucket's default COMPLIANCE retention applies).
 */
export function vaultPut(bucket: string, key: string, body: string) {
  return new PutObjectCommand({
    Bucket: bucket,
    Key: key,
    Body: body,
    ContentMD5: contentMd5(body),
    ACL: 'bucket-owner-full-control',
  });
}

/** Writes one object into the vault as the ingest role and returns its version id. */
export async function ingestWrite(ingest: VaultSession, deployment: LocalDeployment, key: string, body: string): Promise<string> {
  const put = await expectAllowed(ingest.s3.send(vaultPut(deployment.vault.address, key, body)));
  if (!put.VersionId) throw new Error(`vault write of ${key} returned no version id`);
  return put.VersionId;
}

/** A key under this deployment's primary-account prefix that no other test writes. */
export function testKey(deployment: LocalDeployment, top: 'objects' | 'journal' | 'reports', name: string): string {
  return `${deployment.primary.vaultPrefixes[top]}${name.replace(/[^A-Za-z0-9._-]+/g, '-')}-${Date.now().toString(36)}`;
}

/** S3's LastModified has one-second resolution: wait until the server's clock has moved into the next second. */
export function nextSecond(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));
}

/** Hand queued records to the copier in batches of 10 (an SQS batch), expecting none to fail. */
export async function copyAll(copier: Pick<LocalCopier, 'copy'>, records: readonly QueuedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 10) expect((await copier.copy(records.slice(i, i + 10))).failedMessageIds).toEqual([]);
}
