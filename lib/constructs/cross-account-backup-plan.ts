import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { partitionOf } from '../policy/model';

/** The resource types Strongroom's AWS Backup plan covers, as ARN patterns of one account and region. */
export const BACKUP_RESOURCE_PATTERNS = [
  'ec2:{region}:{account}:volume/*',
  'ec2:{region}:{account}:instance/*',
  'rds:{region}:{account}:db:*',
  'rds:{region}:{account}:cluster:*',
  'dynamodb:{region}:{account}:table/*',
  'elasticfilesystem:{region}:{account}:file-system/*',
];

const BACKUP_VAULT_ARN = /^arn:aws[a-z-]*:backup:([a-z0-9-]+):(\d{12}):backup-vault:([\w.-]{2,50})$/;

export interface CrossAccountBackupPlanProps {
  /** Name of the local vault (in this account) where recovery points are made first. */
  readonly localVaultName: string;
  readonly planName: string;
  /** When backups start: a cron(...) expression in UTC (AWS Backup accepts no rate(...)). */
  readonly schedule: string;
  /** Days recovery points stay in the local vault. */
  readonly localRetentionDays: number;
  /** The backup account's locked vault every recovery point is copied into. */
  readonly destinationVaultArn: string;
  /** Days the copies stay in the destination vault (must lie within its Vault Lock range). */
  readonly copyRetentionDays: number;
  /** Resources carrying this tag are backed up. */
  readonly resourceTag: { readonly key: string; readonly value: string };
}

/**
 * An AWS Backup plan in a primary account: a local vault, one rule on the configured schedule
 * whose every recovery point is copied into the backup account's locked vault, and a selection by
 * tag over EBS volumes, EC2 instances, RDS instances and clusters, DynamoDB tables and EFS file
 * systems (resource ARN patterns AND the tag condition).
 */
export class CrossAccountBackupPlan extends Construct {
  public readonly localVault: backup.BackupVault;
  public readonly plan: backup.BackupPlan;
  public readonly selection: backup.CfnBackupSelection;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: CrossAccountBackupPlanProps) {
    super(scope, id);
    const stack = Stack.of(this);
    if (!/^cron\((\S+ ){5}\S+\)$/.test(props.schedule)) {
      throw new Error(
        `CrossAccountBackupPlan: schedule must be a cron(...) expression (AWS Backup accepts no rate(...)), got ${JSON.stringify(props.schedule)}`,
      );
    }
    const destination = BACKUP_VAULT_ARN.exec(props.destinationVaultArn);
    if (!destination) {
      throw new Error(
        `CrossAccountBackupPlan: destinationVaultArn must be an AWS Backup vault ARN, got ${JSON.stringify(props.destinationVaultArn)}`,
      );
    }
    if (destination[2] === stack.account) {
      throw new Error(
        `CrossAccountBackupPlan: destinationVaultArn ${props.destinationVaultArn} is in this account (${stack.account}); expected the backup account's vault`,
      );
    }
    if (destination[1] !== stack.region) {
      throw new Error(
        `CrossAccountBackupPlan: destinationVaultArn ${props.destinationVaultArn} is in region ${destination[1]}; expected ${stack.region} (Strongroom copies within one region)`,
      );
    }
    for (const [name, days] of [
      ['localRetentionDays', props.localRetentionDays],
      ['copyRetentionDays', props.copyRetentionDays],
    ] as const) {
      if (!Number.isInteger(days) || days < 1) {
        throw new Error(`CrossAccountBackupPlan: ${name} must be a whole number of days >= 1, got ${days}`);
      }
    }

    // Retained: a vault holding recovery points cannot be deleted, and a stack deletion must not fail on it.
    this.localVault = new backup.BackupVault(this, 'LocalVault', {
      backupVaultName: props.localVaultName,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.plan = new backup.BackupPlan(this, 'Plan', {
      backupPlanName: props.planName,
      backupVault: this.localVault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: 'ScheduledWithCrossAccountCopy',
          scheduleExpression: events.Schedule.expression(props.schedule),
          deleteAfter: Duration.days(props.localRetentionDays),
          copyActions: [
            {
              destinationBackupVault: backup.BackupVault.fromBackupVaultArn(this, 'DestinationVault', props.destinationVaultArn),
              deleteAfter: Duration.days(props.copyRetentionDays),
            },
          ],
        }),
      ],
    });

    // AWS Backup runs backup and copy jobs as this role. Its managed policy is AWS's, kept current as
    // AWS adds resource types; it grants backup:CopyIntoBackupVault on any vault. The inline statement
    // names the one destination, so the copy keeps working whatever AWS changes in its policy and the
    // template itself states which vault of the backup account this account may write to.
    this.role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('backup.amazonaws.com'),
      description: 'AWS Backup service role for the Strongroom plan (backup jobs and cross-account copies)',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSBackupServiceRolePolicyForBackup')],
      inlinePolicies: {
        CopyIntoBackupAccountVault: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'CopyIntoBackupAccountVault',
              actions: ['backup:CopyIntoBackupVault'],
              resources: [props.destinationVaultArn],
            }),
          ],
        }),
      },
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup needs per-service snapshot and copy permissions (including backup:CopyIntoBackupVault for the cross-account copy) that AWS maintains in this managed policy as services change; the role is assumable only by backup.amazonaws.com.',
    });

    const partition = partitionOf(stack.region);
    this.selection = new backup.CfnBackupSelection(this, 'Selection', {
      backupPlanId: this.plan.backupPlanId,
      backupSelection: {
        selectionName: `${props.planName}-tagged`,
        iamRoleArn: this.role.roleArn,
        resources: BACKUP_RESOURCE_PATTERNS.map(
          (pattern) => `arn:${partition}:${pattern.replace('{region}', stack.region).replace('{account}', stack.account)}`,
        ),
        // Conditions are ANDed with Resources: only resources of these types that carry the tag are selected.
        conditions: {
          StringEquals: [{ ConditionKey: `aws:ResourceTag/${props.resourceTag.key}`, ConditionValue: props.resourceTag.value }],
        },
      },
    });
  }
}
