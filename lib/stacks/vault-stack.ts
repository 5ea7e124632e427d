import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import type { StrongroomConfig } from '../config/schema';
import { LockedBackupVault } from '../constructs/locked-backup-vault';
import { VaultBucket } from '../constructs/vault-bucket';
import { strongroomNames } from '../naming';
import { backupVaultAccessPolicy } from '../policy/backup-vault';
import { asList } from '../policy/document';
import { vaultKeyPolicy } from '../policy/kms';
import { vaultPolicyModel } from '../policy/model';
import { vaultBucketPolicy, vaultLogBucketPolicyStatements } from '../policy/vault-bucket';
import { VAULT_ROLE_KINDS, type VaultRoleKind, vaultRolePermissions, vaultRoleTrust } from '../policy/vault-roles';

export interface VaultStackProps extends StackProps {
  readonly config: StrongroomConfig;
}

const ROLE_LABEL: Record<VaultRoleKind, string> = {
  ingest: 'Ingest',
  restoreReader: 'RestoreReader',
  auditor: 'Auditor',
  evidenceWriter: 'EvidenceWriter',
};

/**
 * Everything that lives in the backup account: the Object Lock vault bucket and its log bucket,
 * the AWS Backup vault under Vault Lock, and per primary account the four narrow roles its
 * functions assume. Every policy document comes from lib/policy.
 */
export class VaultStack extends Stack {
  public readonly vaultBucket: VaultBucket;
  public readonly backupVault: LockedBackupVault;
  /** Vault roles by primary account id, then kind. */
  public readonly roles: ReadonlyMap<string, Record<VaultRoleKind, iam.Role>>;

  public constructor(scope: Construct, id: string, props: VaultStackProps) {
    super(scope, id, props);
    const { config } = props;
    if (this.account !== config.backupAccount.accountId) {
      throw new Error(
        `VaultStack: env.account must be backupAccount.accountId (${config.backupAccount.accountId}), got ${this.account}`,
      );
    }
    const names = strongroomNames(config);
    const model = vaultPolicyModel(config);
    Tags.of(this).add('strongroom:component', 'vault');

    const encryptionKey =
      config.vault.encryption.type === 'SSE_KMS'
        ? new kms.Key(this, 'VaultKey', {
            alias: names.vaultKeyAlias,
            description: 'Strongroom vault key; its policy denies deletion and disabling to every principal',
            enableKeyRotation: true,
            policy: iam.PolicyDocument.fromJson(vaultKeyPolicy(model)),
            removalPolicy: RemovalPolicy.RETAIN,
          })
        : undefined;

    const roles = new Map<string, Record<VaultRoleKind, iam.Role>>();
    for (const account of config.primaryAccounts) {
      const byKind = {} as Record<VaultRoleKind, iam.Role>;
      for (const kind of VAULT_ROLE_KINDS) {
        const permissions = vaultRolePermissions(model, kind, account.accountId);
        const role = new iam.Role(this, `${ROLE_LABEL[kind]}Role${account.accountId}`, {
          roleName: model.roleNames[kind](account.accountId),
          description: `Strongroom ${ROLE_LABEL[kind]} for primary account ${account.name} (${account.accountId})`,
          // Replaced below by the shared trust document; CDK needs a principal to build the role.
          assumedBy: new iam.AccountPrincipal(account.accountId),
          maxSessionDuration: Duration.hours(1),
          inlinePolicies: { [ROLE_LABEL[kind]]: iam.PolicyDocument.fromJson(permissions) },
        });
        for (const resource of new Set(permissions.Statement.flatMap((st) => asList(st.Resource)))) {
          if (!resource.endsWith('/*')) continue;
          Validations.of(role).acknowledge({
            id: `AwsSolutions-IAM5[Resource::${resource}]`,
            reason: resource.includes(':kms:')
              ? "KMS key ids are random and the role is written from config alone: the auditor's key reads (DescribeKey, GetKeyPolicy) name the account's keys and are narrowed to the vault key by its alias (kms:ResourceAliases)."
              : "Object-level S3 actions are granted on this primary account's prefix of the vault; an object ARN can only be narrower by naming every key.",
          });
        }
        (role.node.defaultChild as iam.CfnRole).addPropertyOverride(
          'AssumeRolePolicyDocument',
          vaultRoleTrust(model, kind, account.accountId),
        );
        byKind[kind] = role;
      }
      roles.set(account.accountId, byKind);
    }
    this.roles = roles;

    this.vaultBucket = new VaultBucket(this, 'Vault', {
      bucketName: names.vaultBucket,
      logBucketName: names.vaultLogBucket,
      retentionDays: config.vault.objectLock.retentionDays,
      policy: vaultBucketPolicy(model),
      logBucketPolicyStatements: vaultLogBucketPolicyStatements(model),
      encryptionKey,
    });
    // The policy names the roles by ARN (a string, not a reference): S3 refuses a principal that
    // does not exist yet, so the roles must be created first.
    for (const byKind of roles.values()) {
      for (const role of Object.values(byKind)) this.vaultBucket.bucket.policy?.node.addDependency(role);
    }

    this.backupVault = new LockedBackupVault(this, 'BackupVault', {
      backupVaultName: names.backupVault,
      minRetentionDays: config.backupVault.lock.minRetentionDays,
      maxRetentionDays: config.backupVault.lock.maxRetentionDays,
      changeableForDays: config.backupVault.lock.changeableForDays,
      accessPolicy: backupVaultAccessPolicy(model),
      encryptionKey,
    });

    new CfnOutput(this, 'VaultBucketName', { value: this.vaultBucket.bucket.bucketName });
    new CfnOutput(this, 'VaultBucketArn', { value: this.vaultBucket.bucket.bucketArn });
    new CfnOutput(this, 'VaultLogBucketName', { value: this.vaultBucket.logBucket.bucketName });
    new CfnOutput(this, 'BackupVaultName', { value: this.backupVault.vault.backupVaultName });
    new CfnOutput(this, 'BackupVaultArn', { value: this.backupVault.vault.backupVaultArn });
    if (encryptionKey) new CfnOutput(this, 'VaultKeyArn', { value: encryptionKey.keyArn });
    for (const [accountId, byKind] of roles) {
      for (const kind of VAULT_ROLE_KINDS) {
        new CfnOutput(this, `${ROLE_LABEL[kind]}RoleArn${accountId}`, {
          value: byKind[kind].roleArn,
          description: `${ROLE_LABEL[kind]} role assumed from primary account ${accountId}`,
        });
      }
    }
  }
}
