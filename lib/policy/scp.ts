import { type PolicyDocument, policy } from './document';
import { arns, type VaultPolicyModel } from './model';

/** AWS refuses SCPs longer than this (characters, whitespace included). */
export const SCP_MAX_CHARACTERS = 5120;

/**
 * The service control policy to attach to the backup account (or its OU) from the
 * Organization's management account. It stops what no resource policy can: the account root
 * replacing the vault bucket's policy, the account leaving the organization (and with it the
 * SCP), Vault Lock removal during its grace period, and key deletion. Strongroom cannot apply it
 * itself: SCPs live in the management account (docs/deploy-time-behaviours.md, item 9).
 */
export function backupAccountScp(m: VaultPolicyModel): PolicyDocument {
  const breakGlass = arns.breakGlass(m);
  const exceptBreakGlass = { ArnNotLike: { 'aws:PrincipalArn': breakGlass } };
  const vaultBucket = arns.bucket(m, m.vaultBucket);
  // Wildcards over the per-account suffix keep the SCP under AWS's size limit however many accounts there are.
  // The vault's policy exempts the evidence writer's name from the deny on report writes, so creating a role of
  // that name (in an account where it was deleted, say) is as much tampering as rewriting an existing one.
  const vaultRoles = (['ingest', 'restoreReader', 'auditor', 'evidenceWriter'] as const).map((k) =>
    arns.role(m, m.backupAccount, m.roleNames[k]('*')),
  );
  return policy(
    {
      Sid: 'DenyLeavingOrganization',
      Effect: 'Deny',
      Action: 'organizations:LeaveOrganization',
      Resource: '*',
    },
    {
      // The log bucket too: its policy is its only protection (it cannot carry Object Lock).
      Sid: 'DenyVaultPolicyReplacementIncludingRoot',
      Effect: 'Deny',
      Action: ['s3:PutBucketPolicy', 's3:DeleteBucketPolicy'],
      Resource: [vaultBucket, arns.bucket(m, m.vaultLogBucket)],
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [breakGlass, arns.deployRole(m)] } },
    },
    {
      Sid: 'DenyVaultBucketReconfiguration',
      Effect: 'Deny',
      Action: [
        's3:PutBucketObjectLockConfiguration',
        's3:PutLifecycleConfiguration',
        's3:PutReplicationConfiguration',
        's3:DeleteBucket',
      ],
      Resource: vaultBucket,
      Condition: exceptBreakGlass,
    },
    {
      Sid: 'DenyVaultLockRemovalAndVaultDeletion',
      Effect: 'Deny',
      Action: [
        'backup:DeleteBackupVaultLockConfiguration',
        'backup:PutBackupVaultLockConfiguration',
        'backup:DeleteBackupVault',
        'backup:DeleteRecoveryPoint',
        'backup:UpdateRecoveryPointLifecycle',
      ],
      Resource: '*',
      Condition: exceptBreakGlass,
    },
    {
      Sid: 'DenyKeyDeletion',
      Effect: 'Deny',
      Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      Resource: '*',
    },
    {
      // A key policy that locks everyone out makes an SSE-KMS vault unreadable: encryption as a delete button.
      Sid: 'DenyKeyPolicyChanges',
      Effect: 'Deny',
      Action: 'kms:PutKeyPolicy',
      Resource: '*',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [breakGlass, arns.deployRole(m)] } },
    },
    {
      // The vault roles' trust decides who can read backups; rewriting it is an exfiltration path.
      Sid: 'DenyVaultRoleTampering',
      Effect: 'Deny',
      Action: [
        'iam:CreateRole',
        'iam:UpdateAssumeRolePolicy',
        'iam:PutRolePolicy',
        'iam:AttachRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:DetachRolePolicy',
        'iam:DeleteRole',
        'iam:PutRolePermissionsBoundary',
      ],
      Resource: vaultRoles,
      Condition: { ArnNotLike: { 'aws:PrincipalArn': [breakGlass, arns.deployRole(m)] } },
    },
  );
}

/** The SCP as AWS would store it, refusing one that AWS would refuse. */
export function renderScp(document: PolicyDocument): string {
  const text = JSON.stringify(document);
  if (text.length > SCP_MAX_CHARACTERS) {
    throw new Error(
      `the backup-account SCP is ${text.length} characters, above AWS's limit of ${SCP_MAX_CHARACTERS}; ` +
        'split the primary accounts across deployments or attach the statements as two SCPs',
    );
  }
  return text;
}
