import type { StrongroomConfig } from './config/schema';

/**
 * Every physical name Strongroom gives a resource, derived from the config alone. VaultStack and
 * ProtectedAccountStack live in different accounts and cannot reference each other's outputs;
 * both compute names here, so a trust policy in one always names a role that the other creates.
 */
export interface VaultRoleNames {
  /** Append-only writer of vault objects and journal segments (assumed by the copier). */
  readonly ingest: string;
  /** Reader of one account's vault objects and journal (assumed by the restore function). */
  readonly restoreReader: string;
  /** Reader of the vault's settings, retention and journal, never of object data (verify, reconciler). */
  readonly auditor: string;
  /**
   * Writer of one account's compliance evidence under `reports/<account>/` (assumed by the verifier):
   * PutObject there and nothing else. The bucket policy exempts exactly this name from the deny on
   * report writes, and the SCP stops anyone but break-glass and the deploy role from creating or
   * changing a role of that name.
   */
  readonly evidenceWriter: string;
}

export interface StrongroomNames {
  readonly vaultBucket: string;
  readonly vaultLogBucket: string;
  /** AWS Backup vault in the backup account (Vault Lock, compliance mode). */
  readonly backupVault: string;
  /** AWS Backup vault in each primary account, the source of the cross-account copies. */
  readonly localBackupVault: string;
  /** Alias of the vault's customer key (SSE_KMS only): the primary account knows the key by it, not by its random id. */
  readonly vaultKeyAlias: string;
  /**
   * Roles in the backup account, one set per primary account (suffixed with its id), so that the
   * functions of one primary account can never reach another account's backups.
   */
  readonly vaultRoles: (primaryAccountId: string) => VaultRoleNames;
  /** Roles of the Lambda functions in each primary account. */
  readonly primaryRoles: {
    readonly copier: string;
    readonly reconciler: string;
    readonly restore: string;
    readonly verify: string;
    /** Seals and indexes the journal: reads it as the auditor, appends seals as the ingest role. */
    readonly sealer: string;
  };
  readonly breakGlassRole: string;
  /** The role CloudFormation deploys VaultStack as (exempt from the bucket-policy deny on s3:PutBucketPolicy). */
  readonly deployRole: string;
}

/** The CDK bootstrap's default qualifier; `cdk bootstrap --qualifier` changes it (then set backupAccount.deployRoleName). */
export const CDK_DEFAULT_QUALIFIER = 'hnb659fds';

export function strongroomNames(config: StrongroomConfig): StrongroomNames {
  const { name, region } = config;
  const backup = config.backupAccount.accountId;
  return {
    vaultBucket: `${name}-vault-${backup}-${region}`,
    vaultLogBucket: `${name}-vault-logs-${backup}-${region}`,
    backupVault: `${name}-vault`,
    localBackupVault: `${name}-local`,
    vaultKeyAlias: `alias/${name}-vault`,
    vaultRoles: (primaryAccountId) => ({
      ingest: `${name}-ingest-${primaryAccountId}`,
      restoreReader: `${name}-restore-reader-${primaryAccountId}`,
      auditor: `${name}-auditor-${primaryAccountId}`,
      evidenceWriter: `${name}-evidence-writer-${primaryAccountId}`,
    }),
    primaryRoles: {
      copier: `${name}-copier`,
      reconciler: `${name}-reconciler`,
      restore: `${name}-restore`,
      verify: `${name}-verify`,
      sealer: `${name}-sealer`,
    },
    breakGlassRole: config.backupAccount.breakGlassRoleName,
    deployRole: config.backupAccount.deployRoleName ?? `cdk-${CDK_DEFAULT_QUALIFIER}-cfn-exec-role-${backup}-${region}`,
  };
}

/** Names of every role Strongroom itself creates or reserves (none of them may double as break-glass). */
export function pipelineRoleNames(config: StrongroomConfig): string[] {
  const names = strongroomNames(config);
  return [
    ...config.primaryAccounts.flatMap((account) => Object.values(names.vaultRoles(account.accountId))),
    ...Object.values(names.primaryRoles),
  ];
}
