import type { PrimaryAccountConfig, SourceConfig } from '../config/schema';
import type { PolicyStatement } from './document';
import { arns, type VaultPolicyModel } from './model';
import { assumingRoleName, VAULT_ROLE_KINDS, type VaultRoleKind } from './vault-roles';

/*
 * What each primary-account function role may do, as identity-policy statements built from config
 * alone. The stack adds only what needs CDK tokens (its own queue and log groups). Nothing here
 * deletes anything; the only path into the backup account is sts:AssumeRole on the vault roles that
 * the vault's trust policies (vault-roles.ts) admit this role to.
 */
export type PrimaryRoleKind = 'copier' | 'reconciler' | 'restore' | 'verify' | 'sealer';

export const PRIMARY_ROLE_KINDS: readonly PrimaryRoleKind[] = ['copier', 'reconciler', 'restore', 'verify', 'sealer'];

/** Characters IAM reads as wildcards or policy variables inside a Resource or a StringLike value. */
const IAM_SPECIAL = /[*?]|\$\{/;

/**
 * The vault roles a primary role assumes, read from the vault side's trust definitions
 * (`assumingRoleName`), so the two sides cannot disagree. Every primary role assumes at least one; only
 * the sealer assumes two (it reads as the auditor and appends as the ingest role).
 */
export function assumedVaultRoles(m: VaultPolicyModel, kind: PrimaryRoleKind): VaultRoleKind[] {
  const kinds = VAULT_ROLE_KINDS.filter((vaultKind) => assumingRoleName(m, vaultKind).includes(m.roleNames[kind]));
  if (kinds.length === 0) throw new Error(`primary role ${m.roleNames[kind]}: the vault trusts it for no vault role`);
  return kinds;
}

/**
 * The vault role `kind` assumes as `vaultKind`; without `vaultKind`, the one vault role it assumes (a role
 * assuming several must name which).
 */
export function assumedVaultRole(m: VaultPolicyModel, kind: PrimaryRoleKind, vaultKind?: VaultRoleKind): VaultRoleKind {
  const kinds = assumedVaultRoles(m, kind);
  if (vaultKind !== undefined && !kinds.includes(vaultKind)) {
    throw new Error(
      `primary role ${m.roleNames[kind]}: the vault does not trust it for the ${vaultKind} role (only ${kinds.join(', ')})`,
    );
  }
  if (vaultKind === undefined && kinds.length !== 1) {
    throw new Error(
      `primary role ${m.roleNames[kind]}: the vault trusts it for ${kinds.length} vault roles (${kinds.join(', ')}); name the one meant`,
    );
  }
  return vaultKind ?? (kinds[0] as VaultRoleKind);
}

/** ARN of a vault role that `kind` in `primaryAccount` assumes (in the backup account, named for that primary account). */
export function assumedVaultRoleArn(
  m: VaultPolicyModel,
  kind: PrimaryRoleKind,
  primaryAccount: string,
  vaultKind?: VaultRoleKind,
): string {
  return arns.role(m, m.backupAccount, m.roleNames[assumedVaultRole(m, kind, vaultKind)](primaryAccount));
}

/** ARN of a Lambda function in the primary account, built from its fixed name (no CDK reference, no cycle). */
export function functionArn(m: VaultPolicyModel, primaryAccount: string, functionName: string): string {
  return `arn:${m.partition}:lambda:${m.region}:${primaryAccount}:function:${functionName}`;
}

/** Object ARNs a source's data lives under: the configured prefixes, or the whole bucket. */
function sourceObjects(m: VaultPolicyModel, source: SourceConfig): string[] {
  return source.prefixes ? source.prefixes.map((p) => arns.objects(m, source.bucket, p)) : [arns.objects(m, source.bucket)];
}

/** Sid-safe suffix for a bucket name. */
function sidFor(bucket: string): string {
  return bucket.replace(/[^A-Za-z0-9]/g, '');
}

/**
 * Listing a source, scoped to its prefixes where configured (callers must then list with Prefix set
 * to one of them: S3 evaluates s3:prefix on the request).
 */
function listSources(m: VaultPolicyModel, account: PrimaryAccountConfig, sidPrefix: string): PolicyStatement[] {
  return account.sources.map((source) => ({
    Sid: `${sidPrefix}${sidFor(source.bucket)}`,
    Effect: 'Allow' as const,
    Action: ['s3:ListBucket', 's3:ListBucketVersions'],
    Resource: arns.bucket(m, source.bucket),
    ...(source.prefixes ? { Condition: { StringLike: { 's3:prefix': source.prefixes.map((p) => `${p}*`) } } } : {}),
  }));
}

/** kms:Decrypt of the sources' customer keys, through S3 only (none when no source has one). */
function decryptSourceObjects(m: VaultPolicyModel, account: PrimaryAccountConfig): PolicyStatement[] {
  const keys = [...new Set(account.sources.flatMap((s) => (s.kmsKeyArn ? [s.kmsKeyArn] : [])))];
  if (keys.length === 0) return [];
  return [
    {
      Sid: 'DecryptSourceObjectsThroughS3',
      Effect: 'Allow',
      Action: 'kms:Decrypt',
      Resource: keys,
      Condition: { StringEquals: { 'kms:ViaService': `s3.${m.region}.amazonaws.com` } },
    },
  ];
}

/** One sts:AssumeRole statement per vault role the trusts admit `kind` to, each on exactly that role. */
function assumeVaultRoles(m: VaultPolicyModel, kind: PrimaryRoleKind, account: PrimaryAccountConfig): PolicyStatement[] {
  return assumedVaultRoles(m, kind).map((vaultKind) => ({
    Sid: `Assume${vaultKind[0]?.toUpperCase()}${vaultKind.slice(1)}Role`,
    Effect: 'Allow',
    Action: 'sts:AssumeRole',
    Resource: assumedVaultRoleArn(m, kind, account.accountId, vaultKind),
  }));
}

/**
 * Refuse what would make these statements wider than the config says, or reach into the backup
 * account: a prefix IAM reads as a wildcard, a source or restore target that is a vault bucket, a
 * source key that lives in the backup account.
 */
export function assertPrimaryAccountScoped(m: VaultPolicyModel, account: PrimaryAccountConfig): void {
  const where = `primary account ${account.name} (${account.accountId})`;
  const vaultBuckets = [m.vaultBucket, m.vaultLogBucket];
  account.sources.forEach((source, i) => {
    for (const prefix of source.prefixes ?? []) {
      if (IAM_SPECIAL.test(prefix)) {
        throw new Error(
          `${where}: sources[${i}].prefixes has ${JSON.stringify(prefix)}; expected a prefix without "*", "?" or "\${" (IAM would read them as wildcards or variables and grant more than the prefix)`,
        );
      }
    }
    if (vaultBuckets.includes(source.bucket)) {
      throw new Error(
        `${where}: sources[${i}].bucket is ${JSON.stringify(source.bucket)}; expected a bucket other than the vault's own`,
      );
    }
    const keyAccount = source.kmsKeyArn?.split(':')[4];
    if (keyAccount === m.backupAccount) {
      throw new Error(
        `${where}: sources[${i}].kmsKeyArn is ${JSON.stringify(source.kmsKeyArn)}; expected a key outside the backup account (${m.backupAccount}): no primary role may use the backup account's resources`,
      );
    }
  });
  account.restoreTargets.forEach((target, i) => {
    if (vaultBuckets.includes(target)) {
      throw new Error(
        `${where}: restoreTargets[${i}] is ${JSON.stringify(target)}; expected a bucket other than the vault's own`,
      );
    }
  });
}

/**
 * Copier: read the configured objects (every version: an event names a version, and the copy must
 * be of exactly that one), list the sources (so a missing version reads as 404, not 403), decrypt
 * them through S3 with the configured keys, assume the ingest role.
 * Object tags are not backed up, so tagging reads are not granted. Queue consumption is granted by
 * the stack's event source mapping (the queue's ARN is a CDK token).
 */
export function copierStatements(m: VaultPolicyModel, account: PrimaryAccountConfig): PolicyStatement[] {
  assertPrimaryAccountScoped(m, account);
  return [
    {
      Sid: 'ReadSourceObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: account.sources.flatMap((source) => sourceObjects(m, source)),
    },
    {
      // Without s3:ListBucket, S3 answers a read of a version deleted before the copy with 403
      // AccessDenied instead of 404: the copier would report a permission fault and retry a change
      // that can never succeed. (Found on the local S3, which behaves as AWS documents.)
      Sid: 'TellMissingFromDenied',
      Effect: 'Allow',
      Action: 's3:ListBucket',
      Resource: account.sources.map((source) => arns.bucket(m, source.bucket)),
    },
    ...decryptSourceObjects(m, account),
    ...assumeVaultRoles(m, 'copier', account),
  ];
}

/**
 * Reconciler: list the sources (versions included), assume the auditor role to read the vault's
 * journal, re-invoke itself with a checkpoint. Enqueueing is granted by the stack (queue token).
 */
export function reconcilerStatements(
  m: VaultPolicyModel,
  account: PrimaryAccountConfig,
  reconcilerFunctionName: string,
): PolicyStatement[] {
  assertPrimaryAccountScoped(m, account);
  return [
    ...listSources(m, account, 'ListSource'),
    ...assumeVaultRoles(m, 'reconciler', account),
    {
      Sid: 'ContinueWithCheckpoint',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: functionArn(m, account.accountId, reconcilerFunctionName),
    },
  ];
}

/**
 * Restore: assume the restore-reader role; in the configured restore targets only, write (a multipart
 * write may need aborting), read what is there (a rerun skips objects already identical: HEAD needs
 * s3:GetObject), list them so a plan can show what a restore adds, overwrites or finds extraneous, and
 * read their versioning: extraneous keys are removed only on request and only in a versioned target, where
 * s3:DeleteObject places a delete marker and destroys nothing. s3:DeleteObjectVersion is never granted.
 * A long inline restore continues in a fresh invocation of this function (never another one); a large
 * one starts an execution of the restore state machine (no other) and reads the progress of its executions.
 */
export function restoreStatements(
  m: VaultPolicyModel,
  account: PrimaryAccountConfig,
  restoreFunctionName: string,
  stateMachineName: string,
): PolicyStatement[] {
  assertPrimaryAccountScoped(m, account);
  const targets = account.restoreTargets;
  const objects = targets.map((bucket) => arns.objects(m, bucket));
  const buckets = targets.map((bucket) => arns.bucket(m, bucket));
  return [
    ...assumeVaultRoles(m, 'restore', account),
    {
      Sid: 'ContinueInFreshInvocation',
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: functionArn(m, account.accountId, restoreFunctionName),
    },
    {
      Sid: 'StartLargeRestore',
      Effect: 'Allow',
      Action: 'states:StartExecution',
      Resource: stateMachineArn(m, account.accountId, stateMachineName),
    },
    {
      Sid: 'FollowLargeRestore',
      Effect: 'Allow',
      Action: 'states:DescribeExecution',
      Resource: stateMachineExecutionsArn(m, account.accountId, stateMachineName),
    },
    ...(targets.length > 0
      ? [
          {
            Sid: 'WriteRestoreTargets',
            Effect: 'Allow' as const,
            Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:GetObject'],
            Resource: objects,
          },
          {
            Sid: 'ListRestoreTargets',
            Effect: 'Allow' as const,
            Action: ['s3:ListBucket', 's3:GetBucketVersioning'],
            Resource: buckets,
          },
          {
            Sid: 'MarkExtraneousInRestoreTargets',
            Effect: 'Allow' as const,
            Action: 's3:DeleteObject',
            Resource: objects,
          },
        ]
      : []),
  ];
}

/** Source bucket settings verify checks: versioning (overwrites kept), lock, and that events still reach EventBridge. */
export const SOURCE_SETTINGS_READ_ACTIONS = [
  's3:GetBucketVersioning',
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketNotification',
];

/**
 * APIs that take no resource-level permission: a statement granting them must name Resource "*"
 * (pipeline-functions.ts acknowledges exactly these for cdk-nag).
 */
export const RESOURCELESS_ACTIONS = ['tag:GetResources'];

/**
 * Verify: assume the auditor role (and the evidence writer, to file its report), list the sources for
 * coverage and freshness, read a sample of source objects to hash them against the journal
 * (coverage.sha256), read the source buckets' settings, and list the resources carrying the backup plan's
 * tag (to compare them with the vault's recovery points; tag:GetResources reads tags and ARNs, nothing of
 * the resources themselves). Its metrics go out as EMF in its logs, so no cloudwatch:PutMetricData. It
 * writes nothing in this account.
 */
export function verifyStatements(
  m: VaultPolicyModel,
  account: PrimaryAccountConfig,
  restoreFunctionName?: string,
): PolicyStatement[] {
  assertPrimaryAccountScoped(m, account);
  return [
    ...assumeVaultRoles(m, 'verify', account),
    ...listSources(m, account, 'ListSource'),
    {
      Sid: 'HashSourceObjects',
      Effect: 'Allow',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: account.sources.flatMap((source) => sourceObjects(m, source)),
    },
    ...decryptSourceObjects(m, account),
    {
      Sid: 'ReadSourceSettings',
      Effect: 'Allow',
      Action: SOURCE_SETTINGS_READ_ACTIONS,
      Resource: account.sources.map((source) => arns.bucket(m, source.bucket)),
    },
    { Sid: 'ListTaggedBackupResources', Effect: 'Allow', Action: RESOURCELESS_ACTIONS, Resource: '*' },
    // The restore drill runs as the restore function (restore reader, target writes): verify only asks it to.
    ...(account.drill && restoreFunctionName
      ? [
          {
            Sid: 'AskRestoreForDrill',
            Effect: 'Allow' as const,
            Action: 'lambda:InvokeFunction',
            Resource: functionArn(m, account.accountId, restoreFunctionName),
          },
        ]
      : []),
  ];
}

/**
 * Sealer: assume the auditor role (to read the journal and the seal chain) and the ingest role (to append
 * seals and indexes under journal/<account>/); nothing in this account: it reads no source and writes no
 * restore target.
 */
export function sealerStatements(m: VaultPolicyModel, account: PrimaryAccountConfig): PolicyStatement[] {
  assertPrimaryAccountScoped(m, account);
  return assumeVaultRoles(m, 'sealer', account);
}

/** Physical name of a function: `<config name>-<kind>`, fixed so that ARNs can be written without references. */
export function primaryFunctionName(configName: string, kind: PrimaryRoleKind): string {
  return `${configName}-${kind}`;
}

/**
 * Physical name of the restore state machine, fixed like the functions': the restore function's role and
 * environment name it by ARN, and the state machine invokes that function, so a reference each way would be
 * a cycle.
 */
export function restoreStateMachineName(configName: string): string {
  return `${configName}-restore`;
}

/** ARN of a state machine in the primary account, built from its fixed name. */
export function stateMachineArn(m: VaultPolicyModel, primaryAccount: string, name: string): string {
  return `arn:${m.partition}:states:${m.region}:${primaryAccount}:stateMachine:${name}`;
}

/**
 * ARNs of a state machine's executions; with `mapRunLabel`, of the child executions a Distributed Map of
 * that label starts (`execution:<state machine>/<label>:<id>`).
 */
export function stateMachineExecutionsArn(
  m: VaultPolicyModel,
  primaryAccount: string,
  name: string,
  mapRunLabel?: string,
): string {
  return `arn:${m.partition}:states:${m.region}:${primaryAccount}:execution:${name}${mapRunLabel ? `/${mapRunLabel}` : ''}:*`;
}

export function primaryRoleStatements(
  m: VaultPolicyModel,
  account: PrimaryAccountConfig,
  kind: PrimaryRoleKind,
  configName: string,
): PolicyStatement[] {
  switch (kind) {
    case 'copier':
      return copierStatements(m, account);
    case 'reconciler':
      return reconcilerStatements(m, account, primaryFunctionName(configName, 'reconciler'));
    case 'restore':
      return restoreStatements(m, account, primaryFunctionName(configName, 'restore'), restoreStateMachineName(configName));
    case 'verify':
      return verifyStatements(m, account, primaryFunctionName(configName, 'restore'));
    case 'sealer':
      return sealerStatements(m, account);
  }
}
