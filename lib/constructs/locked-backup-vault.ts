import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { MIN_CHANGEABLE_FOR_DAYS } from '../config/immutability-linter';
import type { PolicyDocument } from '../policy/document';

export interface LockedBackupVaultProps {
  readonly backupVaultName: string;
  readonly minRetentionDays: number;
  readonly maxRetentionDays: number;
  /** Grace period before the compliance-mode lock becomes immutable (at least 3). */
  readonly changeableForDays: number;
  readonly accessPolicy: PolicyDocument;
  /** @default the AWS-managed key for AWS Backup */
  readonly encryptionKey?: kms.IKey;
}

/**
 * An AWS Backup vault with Vault Lock in compliance mode. Once `changeableForDays` have passed,
 * nobody (root included) can delete the vault, remove the lock or change its retention range,
 * and CloudFormation can no longer delete it either: hence RETAIN.
 */
export class LockedBackupVault extends Construct {
  public readonly vault: backup.BackupVault;

  public constructor(scope: Construct, id: string, props: LockedBackupVaultProps) {
    super(scope, id);
    // Without ChangeableForDays the lock is in governance mode and can be removed at any time.
    if (!(props.changeableForDays >= MIN_CHANGEABLE_FOR_DAYS)) {
      throw new Error(
        `LockedBackupVault: changeableForDays must be at least ${MIN_CHANGEABLE_FOR_DAYS} for a compliance-mode lock, got ${props.changeableForDays}`,
      );
    }
    this.vault = new backup.BackupVault(this, 'Vault', {
      backupVaultName: props.backupVaultName,
      encryptionKey: props.encryptionKey,
      accessPolicy: iam.PolicyDocument.fromJson(props.accessPolicy),
      lockConfiguration: {
        minRetention: Duration.days(props.minRetentionDays),
        maxRetention: Duration.days(props.maxRetentionDays),
        changeableFor: Duration.days(props.changeableForDays),
      },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
