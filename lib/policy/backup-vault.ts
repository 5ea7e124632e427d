import { type PolicyDocument, policy } from './document';
import { arns, type VaultPolicyModel } from './model';

/**
 * Access policy of the AWS Backup vault in the backup account. Primary accounts may copy recovery
 * points in; nobody but break-glass may delete one, shorten its lifecycle, or change this policy
 * (the deploy role keeps the right to put it, so that later deploys can update it).
 * Vault Lock in compliance mode enforces retention on top of this, root included.
 */
export function backupVaultAccessPolicy(m: VaultPolicyModel): PolicyDocument {
  const breakGlass = arns.breakGlass(m);
  return policy(
    {
      Sid: 'AllowCopyIntoVaultFromPrimaryAccounts',
      Effect: 'Allow',
      Principal: { AWS: m.primaryAccounts.map((a) => arns.accountRoot(m, a)) },
      Action: 'backup:CopyIntoBackupVault',
      Resource: '*',
    },
    {
      Sid: 'DenyRecoveryPointDeletionExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': breakGlass } },
    },
    {
      Sid: 'DenyVaultDeletionExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: ['backup:DeleteBackupVault', 'backup:DeleteBackupVaultAccessPolicy'],
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': breakGlass } },
    },
    {
      Sid: 'DenyAccessPolicyChangesExceptBreakGlassAndDeployer',
      Effect: 'Deny',
      Principal: '*',
      Action: 'backup:PutBackupVaultAccessPolicy',
      Resource: '*',
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [breakGlass, arns.deployRole(m)] } },
    },
  );
}
