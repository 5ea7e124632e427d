import { join } from 'node:path';
import { CfnOutput, Duration, Stack, type StackProps, Tags, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import type { COMMON_ENV_VARS, EnvironmentOf } from '../../contract/environment';
import { METRICS_NAMESPACE, serviceDimension, VERIFY_FAILURES_METRIC } from '../../contract/metrics';
import { MIN_COPIER_RESERVED_CONCURRENCY, type PrimaryAccountConfig, type StrongroomConfig } from '../config/schema';
import { AlertTopic } from '../constructs/alert-topic';
import { CrossAccountBackupPlan } from '../constructs/cross-account-backup-plan';
import { EventQueue } from '../constructs/event-queue';
import { SourceEvents } from '../constructs/source-events';
import { StrongroomFunction } from '../constructs/strongroom-function';
import { strongroomNames } from '../naming';
import { asList, policy } from '../policy/document';
import { arns, vaultPolicyModel } from '../policy/model';
import {
  assertPrimaryAccountScoped,
  assumedVaultRoleArn,
  PRIMARY_ROLE_KINDS,
  type PrimaryRoleKind,
  primaryFunctionName,
  primaryRoleStatements,
} from '../policy/primary-roles';

export interface ProtectedAccountStackProps extends StackProps {
  readonly config: StrongroomConfig;
  /** The primary account this stack protects: one of config.primaryAccounts, and env.account. */
  readonly primaryAccountId: string;
}

const LABEL: Record<PrimaryRoleKind, string> = {
  copier: 'Copier',
  reconciler: 'Reconciler',
  restore: 'Restore',
  verify: 'Verify',
};

/** Backup and copy job states that mean recovery points are missing (PARTIAL: some resources of a composite job failed). */
export const BACKUP_JOB_FAILURE_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'];

/** Time a long-running function (reconciler, restore, verify) may take per invocation; work beyond it is checkpointed. */
const LONG_RUNNING_TIMEOUT = Duration.minutes(15);

/**
 * Everything that lives in one primary account: source events through EventBridge into an SQS
 * queue feeding the copier; the scheduled reconciler and verifier; the restore function; an AWS
 * Backup plan copying into the backup account's locked vault; alarms to an SNS topic. Role and
 * function names are fixed (the vault's trust policies name them); every permission comes from
 * lib/policy/primary-roles.ts except what needs this stack's own resources (queue, log groups).
 */
export class ProtectedAccountStack extends Stack {
  public readonly primaryAccount: PrimaryAccountConfig;
  public readonly roles: Readonly<Record<PrimaryRoleKind, iam.Role>>;
  public readonly functions: Readonly<Record<PrimaryRoleKind, StrongroomFunction>>;
  public readonly events: EventQueue;
  public readonly sourceEvents: SourceEvents;
  public readonly alerts: AlertTopic;
  public readonly backupPlan: CrossAccountBackupPlan;
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;

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
    const { pipeline } = config;
    if (pipeline.copierReservedConcurrency < MIN_COPIER_RESERVED_CONCURRENCY) {
      throw new Error(
        `ProtectedAccountStack: pipeline.copierReservedConcurrency is ${pipeline.copierReservedConcurrency}; expected at least ${MIN_COPIER_RESERVED_CONCURRENCY} (the SQS event source ` +
          'needs a maximum concurrency of 2 or more, and a poller throttled by a lower reserved concurrency would push healthy messages into the DLQ)',
      );
    }
    this.primaryAccount = account;
    const names = strongroomNames(config);
    const model = vaultPolicyModel(config);
    assertPrimaryAccountScoped(model, account);
    Tags.of(this).add('strongroom:component', 'protected-account');

    // --- Event queue ---------------------------------------------------------------------------
    const copierTimeout = Duration.seconds(pipeline.copierTimeoutSeconds);
    // Lambda refuses an SQS batch size above 10 without a batching window.
    const batchingWindow = pipeline.queueBatchSize > 10 ? Duration.seconds(1) : undefined;
    this.events = new EventQueue(this, 'Events', {
      queueName: `${config.name}-events`,
      consumerTimeout: copierTimeout,
      consumerBatchingWindow: batchingWindow,
      maxReceiveCount: pipeline.maxReceiveCount,
    });

    // --- Roles (fixed names, exact permissions) ------------------------------------------------
    const roles = {} as Record<PrimaryRoleKind, iam.Role>;
    for (const kind of PRIMARY_ROLE_KINDS) {
      const statements = primaryRoleStatements(model, account, kind, config.name);
      roles[kind] = new iam.Role(this, `${LABEL[kind]}Role`, {
        roleName: names.primaryRoles[kind],
        description: `Strongroom ${kind} function of primary account ${account.name} (${account.accountId})`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        maxSessionDuration: Duration.hours(1),
        inlinePolicies: { [LABEL[kind]]: iam.PolicyDocument.fromJson(policy(...statements)) },
      });
      // Object-level S3 actions on a prefix or a whole bucket: an object ARN is narrower only by naming every key.
      const objectWildcards = new Set(
        statements
          .flatMap((st) => asList(st.Resource))
          .filter((r) => r.startsWith(`arn:${model.partition}:s3:::`) && r.endsWith('*')),
      );
      for (const resource of objectWildcards) {
        Validations.of(roles[kind]).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: `The ${kind} role's object-level S3 actions cover exactly the configured prefix or bucket; an object ARN can be narrower only by naming every key.`,
        });
      }
    }
    this.roles = roles;

    // --- Functions -----------------------------------------------------------------------------
    const functionName = (kind: PrimaryRoleKind) => primaryFunctionName(config.name, kind);
    const common: Pick<EnvironmentOf<'copier'>, (typeof COMMON_ENV_VARS)[number]> = {
      STRONGROOM_NAME: config.name,
      SOURCE_ACCOUNT_ID: account.accountId,
      VAULT_ACCOUNT_ID: model.backupAccount,
      VAULT_BUCKET: model.vaultBucket,
      EXTERNAL_ID: config.externalId,
      SOURCES: JSON.stringify(account.sources),
    };
    const vaultRoleArn = (kind: PrimaryRoleKind) => assumedVaultRoleArn(model, kind, account.accountId);
    const environments: { readonly [K in PrimaryRoleKind]: EnvironmentOf<K> } = {
      copier: {
        ...common,
        INGEST_ROLE_ARN: vaultRoleArn('copier'),
        DEAD_LETTER_QUEUE_URL: this.events.deadLetterQueue.queueUrl,
      },
      reconciler: {
        ...common,
        AUDITOR_ROLE_ARN: vaultRoleArn('reconciler'),
        QUEUE_URL: this.events.queue.queueUrl,
        RECONCILER_FUNCTION_NAME: functionName('reconciler'),
      },
      restore: {
        ...common,
        RESTORE_READER_ROLE_ARN: vaultRoleArn('restore'),
        RESTORE_TARGETS: JSON.stringify(account.restoreTargets),
      },
      verify: {
        ...common,
        AUDITOR_ROLE_ARN: vaultRoleArn('verify'),
        BACKUP_VAULT_ARN: arns.backupVault(model, model.backupAccount, model.backupVault),
        RPO_MINUTES: String(pipeline.rpoMinutes),
      },
    };
    const sizing: Record<PrimaryRoleKind, { timeout: Duration; memorySize: number; reservedConcurrentExecutions?: number }> = {
      copier: {
        timeout: copierTimeout,
        memorySize: pipeline.copierMemoryMb,
        reservedConcurrentExecutions: pipeline.copierReservedConcurrency,
      },
      reconciler: { timeout: LONG_RUNNING_TIMEOUT, memorySize: 1024 },
      restore: { timeout: LONG_RUNNING_TIMEOUT, memorySize: 1024 },
      verify: { timeout: LONG_RUNNING_TIMEOUT, memorySize: 1024 },
    };
    const functions = {} as Record<PrimaryRoleKind, StrongroomFunction>;
    for (const kind of PRIMARY_ROLE_KINDS) {
      functions[kind] = new StrongroomFunction(this, LABEL[kind], {
        functionName: functionName(kind),
        entry: join(__dirname, '..', '..', 'lambda', 'handlers', `${kind}.ts`),
        role: roles[kind],
        serviceName: kind,
        environment: environments[kind],
        logRetentionDays: pipeline.logRetentionDays,
        description: `Strongroom ${kind} (primary account ${account.name})`,
        ...sizing[kind],
      });
    }
    this.functions = functions;

    // Copier: fed by the queue; failed records go back one by one (partial batch response).
    functions.copier.function.addEventSource(
      new SqsEventSource(this.events.queue, {
        batchSize: pipeline.queueBatchSize,
        maxBatchingWindow: batchingWindow,
        reportBatchItemFailures: true,
        // Never more pollers than the function may run: a throttled receive still counts towards maxReceiveCount.
        maxConcurrency: pipeline.copierReservedConcurrency,
      }),
    );
    // Reconciler: enqueues what the vault lacks (the queue's ARN is a token, hence granted here).
    this.events.queue.grantSendMessages(roles.reconciler);
    // Copier: a record that can never be processed goes straight to the DLQ instead of being retried.
    this.events.deadLetterQueue.grantSendMessages(roles.copier);

    new events.Rule(this, 'ReconcileSchedule', {
      description: 'Strongroom: re-list the sources and enqueue what the vault lacks',
      schedule: events.Schedule.expression(pipeline.reconcileSchedule),
      targets: [new targets.LambdaFunction(functions.reconciler.function, { retryAttempts: 2 })],
    });
    new events.Rule(this, 'VerifySchedule', {
      description: 'Strongroom: verify coverage, freshness and locks',
      schedule: events.Schedule.expression(pipeline.verifySchedule),
      targets: [new targets.LambdaFunction(functions.verify.function, { retryAttempts: 2 })],
    });

    // --- Source events ---------------------------------------------------------------------------
    this.sourceEvents = new SourceEvents(this, 'SourceEvents', {
      account: account.accountId,
      region: config.region,
      sources: account.sources,
      queue: this.events.queue,
      deadLetterQueue: this.events.deadLetterQueue,
    });

    // --- AWS Backup: local plan, copies into the backup account's locked vault ------------------
    this.backupPlan = new CrossAccountBackupPlan(this, 'Backup', {
      localVaultName: names.localBackupVault,
      planName: `${config.name}-plan`,
      schedule: config.backupPlan.schedule,
      localRetentionDays: config.backupPlan.localRetentionDays,
      destinationVaultArn: arns.backupVault(model, model.backupAccount, model.backupVault),
      copyRetentionDays: config.backupPlan.retentionDays,
      resourceTag: config.backupPlan.resourceTag,
    });

    // --- Alerts ------------------------------------------------------------------------------------
    const alarmPrefix = `${config.name}-`;
    this.alerts = new AlertTopic(this, 'Alerts', {
      topicName: `${config.name}-alerts`,
      email: config.alerts.email,
      alarmNamePrefix: alarmPrefix,
    });
    const notify = new cloudwatchActions.SnsAction(this.alerts.topic);
    const fiveMinutes = Duration.minutes(5);
    /** Fires when one 5-minute period of `metric` is above `threshold`; no data (an idle queue, no invocations) is not a breach. */
    const alarm = (id: string, name: string, description: string, metric: cloudwatch.IMetric, threshold: number) => {
      const created = new cloudwatch.Alarm(this, id, {
        alarmName: `${alarmPrefix}${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(notify);
      return created;
    };
    const queues = this.events;
    this.alarms = {
      deadLetters: alarm(
        'DeadLettersAlarm',
        'dead-letters',
        'Source changes not backed up after every retry (or not deliverable to the queue) are waiting in the DLQ',
        queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum' }),
        0,
      ),
      copierErrors: alarm(
        'CopierErrorsAlarm',
        'copier-errors',
        'Copier invocations failed as a whole (crash, timeout, invalid environment)',
        functions.copier.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        0,
      ),
      freshness: alarm(
        'FreshnessAlarm',
        'freshness',
        `The oldest source change waiting to be copied is older than the RPO (${pipeline.rpoMinutes} minutes)`,
        queues.queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
        pipeline.rpoMinutes * 60,
      ),
      reconcilerErrors: alarm(
        'ReconcilerErrorsAlarm',
        'reconciler-errors',
        'A reconcile run failed: gaps in the vault are not being found or filled',
        functions.reconciler.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        0,
      ),
      verifyErrors: alarm(
        'VerifyErrorsAlarm',
        'verify-errors',
        'The verify run failed',
        functions.verify.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
        0,
      ),
      verifyFailures: alarm(
        'VerifyFailuresAlarm',
        'verify-failures',
        'The verify run could not prove the backups complete, fresh and locked',
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: VERIFY_FAILURES_METRIC,
          dimensionsMap: serviceDimension('verify'),
          period: fiveMinutes,
          statistic: 'Sum',
        }),
        0,
      ),
    };

    new events.Rule(this, 'BackupJobFailures', {
      description: 'Strongroom: AWS Backup backup or cross-account copy jobs that did not complete',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change'],
        detail: { state: BACKUP_JOB_FAILURE_STATES },
      },
      targets: [new targets.SnsTopic(this.alerts.topic)],
    });

    new CfnOutput(this, 'EventQueueUrl', { value: this.events.queue.queueUrl });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.events.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alerts.topic.topicArn });
    new CfnOutput(this, 'RestoreFunctionName', { value: functions.restore.function.functionName });
    new CfnOutput(this, 'LocalBackupVaultName', { value: this.backupPlan.localVault.backupVaultName });
  }
}
