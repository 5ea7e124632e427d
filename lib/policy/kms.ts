import { type PolicyDocument, policy } from './document';
import { arns, type VaultPolicyModel } from './model';

/**
 * Key policy of the vault's customer key (only when `vault.encryption.type` is SSE_KMS).
 * Encryption must never become a delete button (threat T5): disabling or scheduling deletion of
 * the key is denied to every principal, break-glass included. The account statement is what KMS
 * requires to accept the policy at all (its lockout safety check).
 */
export function vaultKeyPolicy(m: VaultPolicyModel): PolicyDocument {
  const viaS3 = { StringEquals: { 'kms:ViaService': `s3.${m.region}.amazonaws.com` } };
  const roles = (kind: 'ingest' | 'restoreReader' | 'auditor') =>
    m.primaryAccounts.map((a) => arns.role(m, m.backupAccount, m.roleNames[kind](a)));
  return policy(
    {
      Sid: 'AccountAdministersKey',
      Effect: 'Allow',
      Principal: { AWS: arns.accountRoot(m, m.backupAccount) },
      Action: 'kms:*',
      Resource: '*',
    },
    {
      Sid: 'DenyKeyDeletionAndDisablingToEveryone',
      Effect: 'Deny',
      Principal: '*',
      Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      Resource: '*',
    },
    {
      // kms:Decrypt too: S3 needs it from the uploader to complete a multipart upload under SSE-KMS.
      // It opens no read path: the bucket policy denies the ingest role every object read.
      Sid: 'IngestEncryptsThroughS3',
      Effect: 'Allow',
      Principal: { AWS: roles('ingest') },
      Action: ['kms:GenerateDataKey', 'kms:Encrypt', 'kms:Decrypt'],
      Resource: '*',
      Condition: viaS3,
    },
    {
      Sid: 'RestoreReadersDecryptThroughS3',
      Effect: 'Allow',
      Principal: { AWS: roles('restoreReader') },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: viaS3,
    },
    {
      Sid: 'AuditorsInspectKey',
      Effect: 'Allow',
      Principal: { AWS: roles('auditor') },
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus'],
      Resource: '*',
    },
  );
}
