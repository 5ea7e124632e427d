import type { BackupClient } from '@aws-sdk/client-backup';

/**
 * Clients of the AWS services the AWS-only checks read (no local server exists for them, so these checks
 * are proven with aws-sdk-client-mock only). Each holds the credentials named on its field.
 */
export interface AwsServiceClients {
  /** AWS Backup in the backup account, as the auditor role (DescribeBackupVault, ListRecoveryPointsByBackupVault). */
  readonly auditorBackup: BackupClient;
}
