import type { StrongroomConfig } from '../config/schema';
import { strongroomNames } from '../naming';

/**
 * Everything the policy documents depend on, and nothing else. On AWS it comes from the config;
 * the local provisioner builds one with tenant names in place of account ids, so the local
 * vault is governed by the very same documents.
 */
export interface VaultPolicyModel {
  readonly partition: string;
  readonly region: string;
  /** Account id of the backup account (a tenant name on the local S3). */
  readonly backupAccount: string;
  readonly primaryAccounts: readonly string[];
  readonly vaultBucket: string;
  readonly vaultLogBucket: string;
  readonly backupVault: string;
  /** Alias of the vault's customer key in the backup account; null with SSE-S3 (no customer key). */
  readonly vaultKeyAlias: string | null;
  readonly externalId: string;
  readonly roleNames: {
    /** Per primary account, so one account's functions can never touch another account's backups. */
    readonly ingest: (primaryAccount: string) => string;
    readonly restoreReader: (primaryAccount: string) => string;
    readonly auditor: (primaryAccount: string) => string;
    /** Files verify reports (lib/naming.ts): the only role exempt from the report-write deny. */
    readonly evidenceWriter: (primaryAccount: string) => string;
    readonly copier: string;
    readonly reconciler: string;
    readonly restore: string;
    readonly verify: string;
    readonly sealer: string;
    readonly breakGlass: string;
    readonly deploy: string;
  };
}

export function vaultPolicyModel(config: StrongroomConfig): VaultPolicyModel {
  const names = strongroomNames(config);
  return {
    partition: partitionOf(config.region),
    region: config.region,
    backupAccount: config.backupAccount.accountId,
    primaryAccounts: config.primaryAccounts.map((a) => a.accountId),
    vaultBucket: names.vaultBucket,
    vaultLogBucket: names.vaultLogBucket,
    backupVault: names.backupVault,
    vaultKeyAlias: config.vault.encryption.type === 'SSE_KMS' ? names.vaultKeyAlias : null,
    externalId: config.externalId,
    roleNames: {
      ingest: (account) => names.vaultRoles(account).ingest,
      restoreReader: (account) => names.vaultRoles(account).restoreReader,
      auditor: (account) => names.vaultRoles(account).auditor,
      evidenceWriter: (account) => names.vaultRoles(account).evidenceWriter,
      copier: names.primaryRoles.copier,
      reconciler: names.primaryRoles.reconciler,
      restore: names.primaryRoles.restore,
      verify: names.primaryRoles.verify,
      sealer: names.primaryRoles.sealer,
      breakGlass: names.breakGlassRole,
      deploy: names.deployRole,
    },
  };
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** ARN builders; the only place account ids and names become ARNs. */
export const arns = {
  role: (m: VaultPolicyModel, account: string, roleName: string) => `arn:${m.partition}:iam::${account}:role/${roleName}`,
  accountRoot: (m: VaultPolicyModel, account: string) => `arn:${m.partition}:iam::${account}:root`,
  bucket: (m: VaultPolicyModel, bucket: string) => `arn:${m.partition}:s3:::${bucket}`,
  objects: (m: VaultPolicyModel, bucket: string, prefix = '') => `arn:${m.partition}:s3:::${bucket}/${prefix}*`,
  backupVault: (m: VaultPolicyModel, account: string, vault: string) =>
    `arn:${m.partition}:backup:${m.region}:${account}:backup-vault:${vault}`,
  kmsAlias: (m: VaultPolicyModel, account: string, alias: string) => `arn:${m.partition}:kms:${m.region}:${account}:${alias}`,
  /** Every KMS key of an account: key ids are random, so a key known by its alias is named by a condition. */
  kmsKeys: (m: VaultPolicyModel, account: string) => `arn:${m.partition}:kms:${m.region}:${account}:key/*`,
  breakGlass: (m: VaultPolicyModel) => arns.role(m, m.backupAccount, m.roleNames.breakGlass),
  deployRole: (m: VaultPolicyModel) => arns.role(m, m.backupAccount, m.roleNames.deploy),
};
