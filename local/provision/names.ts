/**
 * Naming a local deployment and mapping a config onto the local S3: the deployment name every resource
 * carries, the local bucket names, the tenants standing in for the accounts, and what the local S3 can host.
 */
import { randomBytes } from 'node:crypto';
import type { PrimaryAccountConfig, StrongroomConfig } from '../../lib/config/schema';
import { vaultPolicyModel } from '../../lib/policy/model';
import type { LocalS3 } from '../local-s3';
import type { LocalMapping } from '../rgw-policy-mapping';
import { ProvisionError } from './step';

/** A deployment name: 2-20 of [a-z0-9-], starting with a letter (it becomes the config's `name`, and a file name). */
export const DEPLOYMENT_NAME = /^[a-z][a-z0-9-]{1,19}$/;

/** A deployment name no earlier run used: `<label>-<time><random>` (at most 20 characters, as config names are). */
export function uniqueDeploymentName(label = 'sr'): string {
  const clean = label
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+|-+$/g, '')
    .slice(0, 9)
    .replace(/-+$/, '');
  const suffix = `${Date.now().toString(36).slice(-6)}${randomBytes(3).readUIntBE(0, 3).toString(36).padStart(4, '0').slice(-4)}`;
  return `${clean || 'sr'}-${suffix}`;
}

/** Throws unless `name` can be a deployment name (it becomes the config's `name`). */
export function assertDeploymentName(name: string): void {
  if (!DEPLOYMENT_NAME.test(name)) {
    throw new ProvisionError(
      'name the deployment',
      `'${name}'`,
      new Error('expected 2-20 of a-z, 0-9 and "-", starting with a letter'),
    );
  }
}

/** A local bucket name: `<deployment>-<configured>`, cut to S3's 63 characters. */
function localBucketName(deployment: string, configured: string): string {
  return `${deployment}-${configured}`.slice(0, 63).replace(/[.-]+$/, '');
}

/**
 * The default mapping onto a LocalS3: the backup account to its backup tenant, the primary account to its
 * primary tenant (the local S3 has one), every bucket to a name prefixed with the deployment name.
 */
export function defaultLocalMapping(config: StrongroomConfig, localS3: Pick<LocalS3, 'tenants'>): LocalMapping {
  const primary = onlyPrimaryAccount(config);
  const aws = vaultPolicyModel(config);
  const buckets: Record<string, string> = {
    [aws.vaultBucket]: `${config.name}-vault`,
    [aws.vaultLogBucket]: `${config.name}-vault-logs`,
  };
  for (const bucket of [...primary.sources.map((s) => s.bucket), ...primary.restoreTargets]) {
    buckets[bucket] = localBucketName(config.name, bucket);
  }
  return {
    tenants: {
      [config.backupAccount.accountId]: localS3.tenants.backup.tenant,
      [primary.accountId]: localS3.tenants.primary.tenant,
    },
    buckets,
  };
}

/**
 * Throws unless the local S3 can host this config: one primary account (the local S3 has one primary tenant)
 * and a COMPLIANCE vault. Cheap: callers check before starting anything.
 */
export function assertProvisionable(config: StrongroomConfig): void {
  if (config.primaryAccounts.length !== 1) {
    throw new ProvisionError(
      'map accounts to tenants',
      `config '${config.name}'`,
      new Error(
        `the local S3 has one primary tenant, the config lists ${config.primaryAccounts.length} primary accounts: use a config with one`,
      ),
    );
  }
  if (config.vault.objectLock.mode !== 'COMPLIANCE') {
    throw new ProvisionError('read the config', `config '${config.name}'`, new Error('vault.objectLock.mode must be COMPLIANCE'));
  }
}

/** The config's one primary account; throws (assertProvisionable) unless it has exactly one. */
export function onlyPrimaryAccount(config: StrongroomConfig): PrimaryAccountConfig {
  assertProvisionable(config);
  return config.primaryAccounts[0];
}
