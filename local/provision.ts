/**
 * The local provisioner: creates on any S3-compatible endpoint described by a LocalS3 what VaultStack and
 * ProtectedAccountStack deploy, governed by the same lib/policy documents (through the one mapping in
 * rgw-policy-mapping.ts):
 *   backup tenant   the vault bucket (Object Lock COMPLIANCE default retention from the config, hence
 *                   versioned), its bucket policy, the ingest / restore-reader / auditor roles (trust and
 *                   permissions), a break-glass stand-in user;
 *   primary tenant  stand-in users for the copier / reconciler / restore / verify function roles with their
 *                   identity statements as user policies, the source buckets (versioned) and restore targets.
 * Every name carries the deployment's unique name: COMPLIANCE-locked data can never be cleaned up, so each
 * test, demo run or benchmark provisions afresh beside the earlier ones. The result, one LocalDeployment,
 * is what tests, the demo and benchmarks share; it is also saved as a file beside the local S3
 * (local/deployment-file.ts), named by its `deploymentFile`, for other processes.
 *
 * This file runs the phases in order; each lives in local/provision/ under the name of what it creates.
 */
import { IAMClient } from '@aws-sdk/client-iam';
import type { StrongroomConfig } from '../lib/config/schema';
import type { PolicyDocument } from '../lib/policy/document';
import type { VaultPolicyModel } from '../lib/policy/model';
import { vaultBucketPolicy } from '../lib/policy/vault-bucket';
import { accountPrefix } from '../lib/policy/vault-roles';
import { saveLocalDeployment } from './deployment-file';
import { type LocalS3, rgwClientConfig, s3ClientFor } from './local-s3';
import { applyVaultBucketPolicy, createPrimaryBuckets, createVaultBucket } from './provision/buckets';
import { assertDeploymentName, assertProvisionable, uniqueDeploymentName } from './provision/names';
import { type DeploymentPlan, planLocalDeployment } from './provision/plan';
import { attachBreakGlassPolicy, attachFunctionPolicies, createStandInUsers } from './provision/stand-ins';
import { step } from './provision/step';
import type { LocalDeployment, LocalPrimaryAccount, LocalUser } from './provision/types';
import { createVaultRoles } from './provision/vault-roles';

export { assertProvisionable, defaultLocalMapping, uniqueDeploymentName } from './provision/names';
export { ProvisionError } from './provision/step';
export type {
  LocalBucket,
  LocalDeployment,
  LocalPrimaryAccount,
  LocalSource,
  LocalUser,
  LocalVaultRole,
} from './provision/types';

export interface ProvisionOptions {
  /**
   * The deployment name (becomes the config's `name`): 2-20 of [a-z0-9-], starting with a letter, never used
   * on this S3 before. @default uniqueDeploymentName(label)
   */
  readonly name?: string;
  /** Readable start of the generated name (at most 9 characters). @default 'sr' */
  readonly label?: string;
  /**
   * Builds the vault bucket policy from the local model, before the RGW mapping. @default vaultBucketPolicy
   * Guard tests pass lib/policy's output with one protection removed, to show the live tests notice.
   */
  readonly bucketPolicy?: (m: VaultPolicyModel) => PolicyDocument;
  /** Receives one line per phase. */
  readonly onProgress?: (line: string) => void;
  /**
   * Sources (by configured name) created WITHOUT versioning, to exercise the copier on unversioned
   * buckets. @default none: every source is versioned, as Strongroom recommends.
   */
  readonly unversionedSources?: readonly string[];
}

/**
 * Provisions a fresh local vault deployment for `config` on `localS3` and returns it. Nothing is reused or
 * deleted: every name is new (see uniqueDeploymentName).
 */
export async function provisionLocalVault(
  localS3: LocalS3,
  config: StrongroomConfig,
  options: ProvisionOptions = {},
): Promise<LocalDeployment> {
  const name = options.name ?? uniqueDeploymentName(options.label);
  assertDeploymentName(name);
  assertProvisionable(config);
  const progress = options.onProgress ?? (() => undefined);
  const timings: Record<string, number> = {};
  const timed = async <T>(phase: string, run: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      timings[phase] = Math.round(performance.now() - started);
    }
  };

  const plan = planLocalDeployment(localS3, config, name);
  const backupS3 = s3ClientFor(localS3.tenants.backup, localS3.endpoint, 16);
  const primaryS3 = s3ClientFor(localS3.tenants.primary, localS3.endpoint, 16);
  const backupIam = new IAMClient(rgwClientConfig(localS3.tenants.backup, localS3.endpoint, 16));
  const primaryIam = new IAMClient(rgwClientConfig(localS3.tenants.primary, localS3.endpoint, 16));

  try {
    progress(`creating stand-in users for the function roles and break-glass (${name})`);
    const standIns = await timed('users', () => createStandInUsers(localS3, plan));

    progress('attaching identity policies and creating the vault roles');
    const { functions, breakGlass, vaultRoles } = await timed('identity', async () => {
      // all three at once; each value is then taken by name (see step.ts)
      const attachingFunctions = attachFunctionPolicies(primaryIam, plan, standIns.functions);
      const attachingBreakGlass = attachBreakGlassPolicy(backupIam, plan, standIns.breakGlass);
      const creatingVaultRoles = createVaultRoles(backupIam, plan, standIns.byRole);
      await Promise.all([attachingFunctions, attachingBreakGlass, creatingVaultRoles]);
      return { functions: await attachingFunctions, breakGlass: await attachingBreakGlass, vaultRoles: await creatingVaultRoles };
    });

    progress('creating the vault and the source and restore-target buckets');
    await timed('buckets', () =>
      Promise.all([createVaultBucket(backupS3, plan.vault), createPrimaryBuckets(primaryS3, plan, options.unversionedSources)]),
    );

    progress('applying the vault bucket policy');
    const bucketPolicy = await timed('bucket policy', () =>
      applyVaultBucketPolicy(backupS3, plan, options.bucketPolicy ?? vaultBucketPolicy, {
        backupAdmin: localS3.tenants.backup.userArn,
        breakGlass: breakGlass.arn,
        vaultRoles: Object.values(vaultRoles).map((role) => role.arn),
        standIns: standIns.byRole,
      }),
    );

    const made = assembleDeployment(localS3, plan, { functions, breakGlass, vaultRoles, bucketPolicy, timings });
    const deploymentFile = await step('save the deployment file', `deployment ${name} in ${localS3.dir}`, () =>
      saveLocalDeployment(localS3.dir, made),
    );
    progress(
      `provisioned ${name}: vault ${plan.vault.address}, ${plan.sources.length} source bucket(s); saved in ${deploymentFile}`,
    );
    return { ...made, deploymentFile };
  } finally {
    for (const client of [backupS3, primaryS3, backupIam, primaryIam]) client.destroy();
  }
}

/** The deployment made by the phases above, as one value. */
function assembleDeployment(
  localS3: LocalS3,
  plan: DeploymentPlan,
  made: {
    readonly functions: LocalPrimaryAccount['functions'];
    readonly breakGlass: LocalUser;
    readonly vaultRoles: LocalPrimaryAccount['vaultRoles'];
    readonly bucketPolicy: LocalDeployment['bucketPolicy'];
    readonly timings: LocalDeployment['timings'];
  },
): Omit<LocalDeployment, 'deploymentFile'> {
  const { functions, breakGlass, vaultRoles, bucketPolicy } = made;
  const primary: LocalPrimaryAccount = {
    accountId: plan.primaryConfig.accountId,
    tenant: plan.primaryTenant,
    name: plan.primaryConfig.name,
    admin: localS3.tenants.primary,
    sources: plan.sources,
    restoreTargets: plan.restoreTargets,
    vaultRoles,
    functions,
    vaultPrefixes: {
      objects: accountPrefix('objects', plan.primaryTenant),
      journal: accountPrefix('journal', plan.primaryTenant),
      reports: accountPrefix('reports', plan.primaryTenant),
    },
  };
  return {
    name: plan.name,
    endpoint: localS3.endpoint,
    region: localS3.region,
    externalId: plan.config.externalId,
    config: plan.config,
    mapping: plan.mapping,
    model: plan.model,
    backup: { tenant: plan.backupTenant, admin: localS3.tenants.backup, breakGlass },
    vault: plan.vault,
    bucketPolicy,
    primaries: [primary],
    primary,
    adaptations: [
      ...bucketPolicy.applied.applied,
      ...Object.values(vaultRoles).flatMap((r) => [...r.trust.applied.applied, ...r.permissions.applied.applied]),
      ...Object.values(functions).flatMap((f) => f.policy.applied),
      ...breakGlass.policy.applied,
    ],
    timings: made.timings,
  };
}
