import { CfnOutput, Duration, Stack, type StackProps, Tags, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { PrimaryAccountConfig, StrongroomConfig } from '../config/schema';
import { AlertTopic } from '../constructs/alert-topic';
import { CrossAccountBackupPlan } from '../constructs/cross-account-backup-plan';
import { EventQueue } from '../constructs/event-queue';
import { PipelineAlarms } from '../constructs/pipeline-alarms';
import { copierBatchingWindow, PipelineFunctions } from '../constructs/pipeline-functions';
import { PipelineSchedules } from '../constructs/pipeline-schedules';
import { RestoreStateMachine } from '../constructs/restore-state-machine';
import { SourceEvents } from '../constructs/source-events';
import type { StrongroomFunction } from '../constructs/strongroom-function';
import { strongroomNames } from '../naming';
import { arns, vaultPolicyModel } from '../policy/model';
import {
  assertPrimaryAccountScoped,
  type PrimaryRoleKind,
  primaryFunctionName,
  restoreStateMachineName,
} from '../policy/primary-roles';

export interface ProtectedAccountStackProps extends StackProps {
  readonly config: StrongroomConfig;
  /** The primary account this stack protects: one of config.primaryAccounts, and env.account. */
  readonly primaryAccountId: string;
}

/**
 * Everything that lives in one primary account: source events through EventBridge into an SQS
 * queue feeding the copier; the scheduled reconciler, verifier and journal sealer; the restore function
 * and, for large restores, its Step Functions state machine; an AWS Backup plan copying into the backup
 * account's locked vault; alarms to an SNS topic. Role and
 * function names are fixed (the vault's trust policies name them); every permission comes from
 * lib/policy/primary-roles.ts except what needs this stack's own resources (queue, log groups).
 *
 * PipelineFunctions, PipelineSchedules and PipelineAlarms create their resources in this stack's
 * scope, not under themselves: a resource's logical id is its construct path, and a new id for a
 * fixed-name role, function or alarm makes CloudFormation create the new one before deleting the
 * old (a name conflict for roles and functions; for an alarm, the delete removes the alarm just
 * re-put under the same name). Their resources keep the ids the stack gave them when it built them itself.
 */
export class ProtectedAccountStack extends Stack {
  public readonly primaryAccount: PrimaryAccountConfig;
  public readonly roles: Readonly<Record<PrimaryRoleKind, iam.Role>>;
  public readonly functions: Readonly<Record<PrimaryRoleKind, StrongroomFunction>>;
  public readonly events: EventQueue;
  public readonly sourceEvents: SourceEvents;
  public readonly alerts: AlertTopic;
  public readonly backupPlan: CrossAccountBackupPlan;
  public readonly alarms: PipelineAlarms['alarms'];
  public readonly restoreStateMachine: RestoreStateMachine;

  public constructor(scope: Construct, id: string, props: ProtectedAccountStackProps) {
    super(scope, id, props);
    const { config } = props;
    const account = config.primaryAccounts.find((a) => a.accountId === props.primaryAccountId);
    if (!account) {
      throw new Error(
        `ProtectedAccountStack: primaryAccountId ${JSON.stringify(props.primaryAccountId)} is not in config.primaryAccounts (${config.primaryAccounts.map((a) => a.accountId).join(', ')})`,
      );
    }
    if (Token.isUnresolved(this.account) || this.account !== account.accountId) {
      throw new Error(
        `ProtectedAccountStack: env.account must be set explicitly to the primary account ${account.accountId}, got ${Token.isUnresolved(this.account) ? '(not set)' : this.account}`,
      );
    }
    if (Token.isUnresolved(this.region) || this.region !== config.region) {
      throw new Error(
        `ProtectedAccountStack: env.region must be set explicitly to config.region (${config.region}), got ${Token.isUnresolved(this.region) ? '(not set)' : this.region}`,
      );
    }
    this.primaryAccount = account;
    const { pipeline } = config;
    const names = strongroomNames(config);
    const model = vaultPolicyModel(config);
    // loadConfig refuses each of these first, by field; the policy module keeps its own guard for other callers.
    assertPrimaryAccountScoped(model, account);
    Tags.of(this).add('strongroom:component', 'protected-account');

    const copierTimeout = Duration.seconds(pipeline.copierTimeoutSeconds);
    const batchingWindow = copierBatchingWindow(pipeline.queueBatchSize);
    this.events = new EventQueue(this, 'Events', {
      queueName: `${config.name}-events`,
      consumerTimeout: copierTimeout,
      consumerBatchingWindow: batchingWindow,
      maxReceiveCount: pipeline.maxReceiveCount,
    });

    const pipelineFunctions = new PipelineFunctions(this, 'Functions', {
      deploymentName: config.name,
      account,
      model,
      events: this.events,
      copierTimeout,
      copierMemoryMb: pipeline.copierMemoryMb,
      copierReservedConcurrency: pipeline.copierReservedConcurrency,
      queueBatchSize: pipeline.queueBatchSize,
      queueBatchingWindow: batchingWindow,
      rpoMinutes: pipeline.rpoMinutes,
      backupPlan: config.backupPlan,
      verify: { retentionDays: config.vault.objectLock.retentionDays, backupVaultLock: config.backupVault.lock },
      sealSettleSeconds: pipeline.sealSettleSeconds,
      logRetentionDays: pipeline.logRetentionDays,
    });
    this.roles = pipelineFunctions.roles;
    this.functions = pipelineFunctions.functions;
    const fn = (kind: PrimaryRoleKind) => this.functions[kind].function;

    new PipelineSchedules(this, 'Schedules', {
      reconciler: fn('reconciler'),
      reconcileSchedule: events.Schedule.expression(pipeline.reconcileSchedule),
      verify: fn('verify'),
      verifySchedule: events.Schedule.expression(pipeline.verifySchedule),
      sealer: fn('sealer'),
      sealSchedule: events.Schedule.expression(pipeline.sealSchedule),
    });

    this.restoreStateMachine = new RestoreStateMachine(this, 'RestoreStateMachine', {
      stateMachineName: restoreStateMachineName(config.name),
      account: account.accountId,
      restoreTargets: account.restoreTargets,
      restoreFunction: fn('restore'),
      restoreFunctionName: primaryFunctionName(config.name, 'restore'),
      maxConcurrency: pipeline.restoreMapConcurrency,
      logRetentionDays: pipeline.logRetentionDays,
      model,
    });

    this.sourceEvents = new SourceEvents(this, 'SourceEvents', {
      account: account.accountId,
      region: config.region,
      sources: account.sources,
      queue: this.events.queue,
      deadLetterQueue: this.events.deadLetterQueue,
    });

    this.backupPlan = new CrossAccountBackupPlan(this, 'Backup', {
      localVaultName: names.localBackupVault,
      planName: `${config.name}-plan`,
      schedule: config.backupPlan.schedule,
      localRetentionDays: config.backupPlan.localRetentionDays,
      destinationVaultArn: arns.backupVault(model, model.backupAccount, model.backupVault),
      copyRetentionDays: config.backupPlan.retentionDays,
      resourceTag: config.backupPlan.resourceTag,
    });

    this.alerts = new AlertTopic(this, 'Alerts', {
      topicName: `${config.name}-alerts`,
      email: config.alerts.email,
      alarmNamePrefix: `${config.name}-`,
    });
    this.alarms = new PipelineAlarms(this, 'Alarms', {
      alerts: this.alerts,
      events: this.events,
      copier: fn('copier'),
      reconciler: fn('reconciler'),
      verify: fn('verify'),
      sealer: fn('sealer'),
      rpoMinutes: pipeline.rpoMinutes,
      sources: account.sources.map((s) => s.bucket),
      changeRate: config.alerts.changeRate,
    }).alarms;

    new CfnOutput(this, 'EventQueueUrl', { value: this.events.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.events.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'RestoreFunctionName', { value: fn('restore').functionName });
    new CfnOutput(this, 'RestoreStateMachineArn', { value: this.restoreStateMachine.stateMachine.stateMachineArn });
    new CfnOutput(this, 'LocalBackupVaultName', { value: this.backupPlan.localVault.backupVaultName });
  }
}
