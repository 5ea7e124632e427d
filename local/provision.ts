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
 * is what tests, the demo and benchmarks share.
 */
import { randomBytes } from 'node:crypto';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  CreateBucketCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectLockConfigurationCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { PrimaryAccountConfig, StrongroomConfig } from '../lib/config/schema';
import { type PolicyDocument, policy } from '../lib/policy/document';
import { arns, type VaultPolicyModel, vaultPolicyModel } from '../lib/policy/model';
import { PRIMARY_ROLE_KINDS, type PrimaryRoleKind, primaryRoleStatements } from '../lib/policy/primary-roles';
import { vaultBucketPolicy } from '../lib/policy/vault-bucket';
import {
  accountPrefix,
  VAULT_ROLE_KINDS,
  type VaultRoleKind,
  vaultRolePermissions,
  vaultRoleTrust,
} from '../lib/policy/vault-roles';
import {
  type LocalS3,
  type LocalS3Credentials,
  radosgwAdmin,
  rgwClientConfig,
  s3ClientFor,
  type TenantAdmin,
  tenantBucket,
} from './local-s3';
import { describeError } from './outcome';
import {
  type AppliedAdaptation,
  type LocalMapping,
  localPrimaryAccount,
  localVaultPolicyModel,
  type RgwDocument,
  standInUserArn,
  toRgwBucketPolicy,
  toRgwIdentityPolicy,
  toRgwTrust,
} from './rgw-policy-mapping';

export class ProvisionError extends Error {
  override name = 'ProvisionError';
  constructor(
    readonly step: string,
    readonly resource: string,
    cause: unknown,
  ) {
    super(`provisioning failed at step '${step}' for ${resource}: ${describeError(cause)}`, { cause });
  }
}

/** A user standing in for an AWS role that cannot exist here (a Lambda function's role, break-glass). */
export interface LocalUser extends LocalS3Credentials {
  readonly tenant: string;
  readonly user: string;
  /** arn:aws:iam::<tenant>:user/<user>: how policies name it. */
  readonly arn: string;
  /** The AWS role it stands in for, as the local documents name that role. */
  readonly standsInFor: string;
  /** Its identity policy as applied (after the RGW mapping). */
  readonly policy: RgwDocument;
}

export interface LocalBucket {
  /** The name in the config (what the deployed stacks would use). */
  readonly configured: string;
  /** The local, run-unique name. */
  readonly name: string;
  readonly tenant: string;
  /** `tenant:name`: how any caller addresses it (a bare name means the caller's own tenant). */
  readonly address: string;
}

export interface LocalSource extends LocalBucket {
  readonly prefixes?: readonly string[];
}

export interface LocalVaultRole {
  readonly kind: VaultRoleKind;
  readonly name: string;
  readonly arn: string;
  /** Trust and permissions as lib/policy writes them for the local model, and as applied. */
  readonly trust: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
  readonly permissions: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
}

export interface LocalPrimaryAccount {
  /** The configured AWS account id. */
  readonly accountId: string;
  /** Its tenant, which the local documents use wherever AWS ones use the account id (ARNs, vault prefixes). */
  readonly tenant: string;
  readonly name: string;
  /** The tenant's admin: stands in for whoever holds admin in the primary account (an intruder, say). */
  readonly admin: TenantAdmin;
  readonly sources: readonly LocalSource[];
  readonly restoreTargets: readonly LocalBucket[];
  /** The vault roles serving this account (in the backup tenant). */
  readonly vaultRoles: Readonly<Record<VaultRoleKind, LocalVaultRole>>;
  /** Stand-ins for the function roles, with access keys. */
  readonly functions: Readonly<Record<PrimaryRoleKind, LocalUser>>;
  /** This account's prefixes in the vault, e.g. `objects/primary/`. */
  readonly vaultPrefixes: { readonly objects: string; readonly journal: string; readonly reports: string };
}

export interface LocalDeployment {
  /** The deployment name: the config's `name` for this run, prefix of every role, user and bucket. */
  readonly name: string;
  readonly endpoint: string;
  readonly region: string;
  readonly externalId: string;
  /** The config as deployed here (the deployment name in place of the configured one). */
  readonly config: StrongroomConfig;
  readonly mapping: LocalMapping;
  /** The model every local document was built from (tenants for accounts, local bucket names). */
  readonly model: VaultPolicyModel;
  readonly backup: { readonly tenant: string; readonly admin: TenantAdmin; readonly breakGlass: LocalUser };
  readonly vault: LocalBucket & { readonly mode: 'COMPLIANCE'; readonly retentionDays: number };
  /** The vault bucket policy as lib/policy writes it for the local model, and as applied to RGW. */
  readonly bucketPolicy: { readonly policy: PolicyDocument; readonly applied: RgwDocument };
  readonly primaries: readonly LocalPrimaryAccount[];
  /** The first (locally: the only) primary account. */
  readonly primary: LocalPrimaryAccount;
  /** Every adaptation applied, across all documents. */
  readonly adaptations: readonly AppliedAdaptation[];
  /** Milliseconds per provisioning phase. */
  readonly timings: Readonly<Record<string, number>>;
}

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

const NAME = /^[a-z][a-z0-9-]{1,19}$/;

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

/** A local bucket name: `<deployment>-<configured>`, cut to S3's 63 characters. */
function localBucketName(deployment: string, configured: string): string {
  return `${deployment}-${configured}`.slice(0, 63).replace(/[.-]+$/, '');
}

/**
 * The default mapping onto a LocalS3: the backup account to its backup tenant, the primary account to its
 * primary tenant (the local S3 has one), every bucket to a name prefixed with the deployment name.
 */
export function defaultLocalMapping(config: StrongroomConfig, localS3: Pick<LocalS3, 'tenants'>): LocalMapping {
  assertProvisionable(config);
  const [primary] = config.primaryAccounts as [PrimaryAccountConfig];
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

interface Clients {
  readonly backupS3: S3Client;
  readonly primaryS3: S3Client;
  readonly backupIam: IAMClient;
  readonly primaryIam: IAMClient;
}

/** Runs one provisioning step, turning any failure into a ProvisionError naming the step and the resource. */
async function step<T>(name: string, resource: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (cause: unknown) {
    throw new ProvisionError(name, resource, cause);
  }
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
  if (!NAME.test(name)) {
    throw new ProvisionError(
      'name the deployment',
      `'${name}'`,
      new Error('expected 2-20 of a-z, 0-9 and "-", starting with a letter'),
    );
  }
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

  const deployed: StrongroomConfig = { ...config, name };
  const mapping = defaultLocalMapping(deployed, localS3);
  const m = localVaultPolicyModel(deployed, mapping);
  const [primaryConfig] = deployed.primaryAccounts as [PrimaryAccountConfig];
  const primaryLocal = localPrimaryAccount(primaryConfig, mapping);
  const backupTenant = m.backupAccount;
  const primaryTenant = primaryLocal.accountId;
  const clients: Clients = {
    backupS3: s3ClientFor(localS3.tenants.backup, localS3.endpoint, 16),
    primaryS3: s3ClientFor(localS3.tenants.primary, localS3.endpoint, 16),
    backupIam: new IAMClient(rgwClientConfig(localS3.tenants.backup, localS3.endpoint, 16)),
    primaryIam: new IAMClient(rgwClientConfig(localS3.tenants.primary, localS3.endpoint, 16)),
  };

  try {
    // Stand-ins first: the trust and bucket-policy mappings name them.
    progress(`creating stand-in users for the function roles and break-glass (${name})`);
    const breakGlassRole = arns.breakGlass(m);
    const functionRoles = Object.fromEntries(
      PRIMARY_ROLE_KINDS.map((kind) => [kind, arns.role(m, primaryTenant, m.roleNames[kind])]),
    ) as Record<PrimaryRoleKind, string>;
    const [functionKeys, breakGlassKeys] = await timed('users', () =>
      Promise.all([
        Promise.all(PRIMARY_ROLE_KINDS.map((kind) => createUser(localS3, primaryTenant, m.roleNames[kind], functionRoles[kind]))),
        createUser(localS3, backupTenant, `${name}-break-glass`, breakGlassRole),
      ]),
    );
    const standIns: Record<string, string> = { [breakGlassRole]: breakGlassKeys.arn };
    PRIMARY_ROLE_KINDS.forEach((kind, i) => {
      standIns[functionRoles[kind]] = (functionKeys[i] as CreatedUser).arn;
    });

    progress('attaching identity policies and creating the vault roles');
    const vaultObjects = arns.objects(m, m.vaultBucket);
    const [functionPolicies, breakGlassPolicy, vaultRoles] = await timed('identity', () =>
      Promise.all([
        Promise.all(
          PRIMARY_ROLE_KINDS.map((kind) => {
            const doc = toRgwIdentityPolicy(policy(...primaryRoleStatements(m, primaryLocal, kind, name)));
            return putUserPolicy(clients.primaryIam, primaryTenant, m.roleNames[kind], `strongroom-${kind}`, doc.document).then(
              () => doc,
            );
          }),
        ),
        (async () => {
          // The break-glass role is the customer's own, with administrator rights: its stand-in may do
          // anything to the vault that the policy's exemptions and Object Lock leave possible.
          const doc = toRgwIdentityPolicy(
            policy({
              Sid: 'BreakGlassVaultAdministration',
              Effect: 'Allow',
              Action: 's3:*',
              Resource: [arns.bucket(m, m.vaultBucket), vaultObjects],
            }),
          );
          await putUserPolicy(clients.backupIam, backupTenant, breakGlassKeys.user, 'strongroom-break-glass', doc.document);
          return doc;
        })(),
        Promise.all(VAULT_ROLE_KINDS.map((kind) => createVaultRole(clients.backupIam, m, kind, primaryTenant, standIns))),
      ]),
    );

    progress('creating the vault and the source and restore-target buckets');
    const vault: LocalDeployment['vault'] = {
      configured: vaultPolicyModel(deployed).vaultBucket,
      name: m.vaultBucket,
      tenant: backupTenant,
      address: tenantBucket(backupTenant, m.vaultBucket),
      mode: 'COMPLIANCE',
      retentionDays: deployed.vault.objectLock.retentionDays,
    };
    const sources: LocalSource[] = primaryConfig.sources.map((source, i) => ({
      configured: source.bucket,
      name: primaryLocal.sources[i]?.bucket as string,
      tenant: primaryTenant,
      address: tenantBucket(primaryTenant, primaryLocal.sources[i]?.bucket as string),
      ...(source.prefixes ? { prefixes: source.prefixes } : {}),
    }));
    const restoreTargets: LocalBucket[] = primaryConfig.restoreTargets.map((configured, i) => ({
      configured,
      name: primaryLocal.restoreTargets[i] as string,
      tenant: primaryTenant,
      address: tenantBucket(primaryTenant, primaryLocal.restoreTargets[i] as string),
    }));
    await timed('buckets', () =>
      Promise.all([
        createVaultBucket(clients.backupS3, vault),
        ...[...sources, ...restoreTargets].map((bucket) =>
          createSourceBucket(clients.primaryS3, bucket, !(options.unversionedSources ?? []).includes(bucket.configured)),
        ),
      ]),
    );

    // Last: the policy denies the backup admin the bucket settings the steps above needed.
    progress('applying the vault bucket policy');
    const awsShaped = (options.bucketPolicy ?? vaultBucketPolicy)(m);
    const bucketPolicy = toRgwBucketPolicy(awsShaped, {
      wholeTenants: [primaryTenant],
      principals: [
        localS3.tenants.backup.userArn,
        breakGlassKeys.arn,
        ...VAULT_ROLE_KINDS.map((kind) => arns.role(m, backupTenant, m.roleNames[kind](primaryTenant))),
      ],
      standIns,
    });
    await timed('bucket policy', () =>
      step('apply the vault bucket policy', `bucket ${vault.address}`, () =>
        clients.backupS3.send(new PutBucketPolicyCommand({ Bucket: vault.name, Policy: JSON.stringify(bucketPolicy.document) })),
      ),
    );

    const asUser = (created: CreatedUser, doc: RgwDocument): LocalUser => ({ ...created, policy: doc });
    const functions = Object.fromEntries(
      PRIMARY_ROLE_KINDS.map((kind, i) => [kind, asUser(functionKeys[i] as CreatedUser, functionPolicies[i] as RgwDocument)]),
    ) as Record<PrimaryRoleKind, LocalUser>;
    const primary: LocalPrimaryAccount = {
      accountId: primaryConfig.accountId,
      tenant: primaryTenant,
      name: primaryConfig.name,
      admin: localS3.tenants.primary,
      sources,
      restoreTargets,
      vaultRoles: Object.fromEntries(vaultRoles.map((role) => [role.kind, role])) as Record<VaultRoleKind, LocalVaultRole>,
      functions,
      vaultPrefixes: {
        objects: accountPrefix('objects', primaryTenant),
        journal: accountPrefix('journal', primaryTenant),
        reports: accountPrefix('reports', primaryTenant),
      },
    };
    const breakGlass = asUser(breakGlassKeys, breakGlassPolicy);
    const adaptations = [
      ...bucketPolicy.applied,
      ...vaultRoles.flatMap((r) => [...r.trust.applied.applied, ...r.permissions.applied.applied]),
      ...Object.values(functions).flatMap((f) => f.policy.applied),
      ...breakGlass.policy.applied,
    ];
    progress(`provisioned ${name}: vault ${vault.address}, ${sources.length} source bucket(s)`);
    return {
      name,
      endpoint: localS3.endpoint,
      region: localS3.region,
      externalId: deployed.externalId,
      config: deployed,
      mapping,
      model: m,
      backup: { tenant: backupTenant, admin: localS3.tenants.backup, breakGlass },
      vault,
      bucketPolicy: { policy: awsShaped, applied: bucketPolicy },
      primaries: [primary],
      primary,
      adaptations,
      timings,
    };
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}

interface CreatedUser extends LocalS3Credentials {
  readonly tenant: string;
  readonly user: string;
  readonly arn: string;
  readonly standsInFor: string;
}

interface RadosgwUserInfo {
  readonly keys?: readonly { readonly access_key: string; readonly secret_key: string }[];
}

async function createUser(localS3: LocalS3, tenant: string, user: string, standsInFor: string): Promise<CreatedUser> {
  const info = await step('create stand-in user', `user ${tenant}$${user}`, () =>
    radosgwAdmin<RadosgwUserInfo>(localS3, [
      'user',
      'create',
      '--tenant',
      tenant,
      '--uid',
      user,
      '--display-name',
      `stand-in for ${standsInFor}`,
    ]),
  );
  const key = info?.keys?.[0];
  if (!key)
    throw new ProvisionError('create stand-in user', `user ${tenant}$${user}`, new Error('radosgw-admin returned no access key'));
  return {
    tenant,
    user,
    arn: standInUserArn(tenant, user),
    standsInFor,
    accessKeyId: key.access_key,
    secretAccessKey: key.secret_key,
  };
}

/** RGW's IAM API names a user of a tenant `tenant$uid`; a bare uid is looked up outside any tenant (404). */
function putUserPolicy(iam: IAMClient, tenant: string, user: string, policyName: string, doc: PolicyDocument) {
  return step('attach user policy', `user ${tenant}$${user} (policy ${policyName})`, () =>
    iam.send(
      new PutUserPolicyCommand({ UserName: `${tenant}$${user}`, PolicyName: policyName, PolicyDocument: JSON.stringify(doc) }),
    ),
  );
}

async function createVaultRole(
  iam: IAMClient,
  m: VaultPolicyModel,
  kind: VaultRoleKind,
  primaryTenant: string,
  standIns: Readonly<Record<string, string>>,
): Promise<LocalVaultRole> {
  const roleName = m.roleNames[kind](primaryTenant);
  const trustPolicy = vaultRoleTrust(m, kind, primaryTenant);
  const permissionsPolicy = vaultRolePermissions(m, kind, primaryTenant);
  const trust = toRgwTrust(trustPolicy, standIns);
  const permissions = toRgwIdentityPolicy(permissionsPolicy);
  const created = await step('create vault role', `role ${m.backupAccount}/${roleName}`, () =>
    iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust.document) })),
  );
  await step('attach vault role permissions', `role ${m.backupAccount}/${roleName}`, () =>
    iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'strongroom',
        PolicyDocument: JSON.stringify(permissions.document),
      }),
    ),
  );
  const arn = arns.role(m, m.backupAccount, roleName);
  if (created.Role?.Arn !== arn) {
    throw new ProvisionError(
      'create vault role',
      `role ${roleName}`,
      new Error(`RGW returned ARN ${created.Role?.Arn}, expected ${arn}`),
    );
  }
  return {
    kind,
    name: roleName,
    arn,
    trust: { policy: trustPolicy, applied: trust },
    permissions: { policy: permissionsPolicy, applied: permissions },
  };
}

async function createVaultBucket(s3: S3Client, vault: LocalDeployment['vault']): Promise<void> {
  const resource = `bucket ${vault.address}`;
  // Object Lock turns versioning on with the bucket, as on AWS.
  await step('create the vault bucket', resource, () =>
    s3.send(new CreateBucketCommand({ Bucket: vault.name, ObjectLockEnabledForBucket: true })),
  );
  await step('set the default COMPLIANCE retention', resource, () =>
    s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: vault.name,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: vault.mode, Days: vault.retentionDays } },
        },
      }),
    ),
  );
  // No public access block: on RGW pacific it refuses the vault's own policy and writes (adaptation
  // public-access-block). Nothing here is public anyway: no Allow to "*", no public ACL.
  await step('sweep incomplete multipart uploads', resource, () =>
    s3.send(
      new PutBucketLifecycleConfigurationCommand({
        Bucket: vault.name,
        LifecycleConfiguration: {
          Rules: [
            {
              ID: 'AbortIncompleteMultipartUploads',
              Status: 'Enabled',
              Filter: { Prefix: '' },
              AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 },
            },
          ],
        },
      }),
    ),
  );
}

async function createSourceBucket(s3: S3Client, bucket: LocalBucket, versioned: boolean): Promise<void> {
  const resource = `bucket ${bucket.address}`;
  await step('create bucket', resource, () => s3.send(new CreateBucketCommand({ Bucket: bucket.name })));
  if (!versioned) return;
  await step('enable versioning', resource, () =>
    s3.send(new PutBucketVersioningCommand({ Bucket: bucket.name, VersioningConfiguration: { Status: 'Enabled' } })),
  );
}
