/**
 * What a deployment will be, worked out before anything is created: the config as deployed, its mapping onto
 * the local S3, the model every document is built from, and the buckets with their local names. Pure.
 */
import type { PrimaryAccountConfig, StrongroomConfig } from '../../lib/config/schema';
import { type VaultPolicyModel, vaultPolicyModel } from '../../lib/policy/model';
import { type LocalS3, tenantBucket } from '../local-s3';
import { type LocalMapping, localPrimaryAccount, localVaultPolicyModel } from '../rgw-policy-mapping';
import { defaultLocalMapping, onlyPrimaryAccount } from './names';
import { ProvisionError } from './step';
import type { LocalBucket, LocalDeployment, LocalSource } from './types';

export interface DeploymentPlan {
  readonly name: string;
  /** The config as deployed here: the deployment name in place of the configured one. */
  readonly config: StrongroomConfig;
  readonly mapping: LocalMapping;
  /** The model every local document is built from (tenants for accounts, local bucket names). */
  readonly model: VaultPolicyModel;
  readonly backupTenant: string;
  readonly primaryTenant: string;
  /** The primary account as configured. */
  readonly primaryConfig: PrimaryAccountConfig;
  /** The same account with tenant and local bucket names: what its role statements are built from. */
  readonly primaryLocal: PrimaryAccountConfig;
  readonly vault: LocalDeployment['vault'];
  readonly sources: readonly LocalSource[];
  readonly restoreTargets: readonly LocalBucket[];
}

/** Plans deployment `name` of `config` on `localS3` (the name is checked by the caller). */
export function planLocalDeployment(localS3: Pick<LocalS3, 'tenants'>, config: StrongroomConfig, name: string): DeploymentPlan {
  const deployed: StrongroomConfig = { ...config, name };
  const mapping = defaultLocalMapping(deployed, localS3);
  const model = localVaultPolicyModel(deployed, mapping);
  const primaryConfig = onlyPrimaryAccount(deployed);
  const primaryLocal = localPrimaryAccount(primaryConfig, mapping);
  const backupTenant = model.backupAccount;
  const primaryTenant = primaryLocal.accountId;
  const primaryBucket = (configured: string): LocalBucket => {
    const local = localBucketOf(mapping, configured);
    return { configured, name: local, tenant: primaryTenant, address: tenantBucket(primaryTenant, local) };
  };
  return {
    name,
    config: deployed,
    mapping,
    model,
    backupTenant,
    primaryTenant,
    primaryConfig,
    primaryLocal,
    vault: {
      configured: vaultPolicyModel(deployed).vaultBucket,
      name: model.vaultBucket,
      tenant: backupTenant,
      address: tenantBucket(backupTenant, model.vaultBucket),
      mode: 'COMPLIANCE',
      retentionDays: deployed.vault.objectLock.retentionDays,
    },
    sources: primaryConfig.sources.map((source) => ({
      ...primaryBucket(source.bucket),
      ...(source.prefixes ? { prefixes: source.prefixes } : {}),
    })),
    restoreTargets: primaryConfig.restoreTargets.map(primaryBucket),
  };
}

function localBucketOf(mapping: LocalMapping, configured: string): string {
  const local: string | undefined = mapping.buckets[configured];
  if (local === undefined) {
    throw new ProvisionError('map buckets', `bucket ${configured}`, new Error('the mapping gives it no local name'));
  }
  return local;
}
