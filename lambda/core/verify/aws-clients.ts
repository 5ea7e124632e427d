import type { BackupClient } from '@aws-sdk/client-backup';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';

/**
 * Clients of the AWS services the AWS-only checks read (no local server exists for them, so these checks
 * are proven with aws-sdk-client-mock only). Each holds the credentials named on its field.
 */
export interface AwsServiceClients {
  /** AWS Backup in the backup account, as the auditor role (DescribeBackupVault, ListRecoveryPointsByBackupVault). */
  readonly auditorBackup: BackupClient;
  /** KMS in the backup account, as the auditor role (DescribeKey, GetKeyPolicy of the vault key). */
  readonly auditorKms: KMSClient;
  /** The Resource Groups Tagging API in the primary account, as the verify function's own role (tag:GetResources). */
  readonly verifyTagging: ResourceGroupsTaggingAPIClient;
}
