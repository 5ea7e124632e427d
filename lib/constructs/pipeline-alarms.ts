import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  SOURCE_DELETIONS_METRIC,
  SOURCE_WRITES_METRIC,
  serviceDimension,
  sourceDimensions,
  VERIFY_FAILURES_METRIC,
} from '../../contract/metrics';
import type { AlertTopic } from './alert-topic';
import type { EventQueue } from './event-queue';

/** Backup and copy job states that mean recovery points are missing (PARTIAL: some resources of a composite job failed). */
export const BACKUP_JOB_FAILURE_STATES = ['FAILED', 'ABORTED', 'EXPIRED', 'PARTIAL'];

const PERIOD = Duration.minutes(5);

export interface PipelineAlarmsProps {
  /** Where every alarm and every failed AWS Backup job is sent; alarm names take its `alarmNamePrefix`. */
  readonly alerts: AlertTopic;
  /** The copier's queue (its oldest message measures freshness) and dead-letter queue. */
  readonly events: EventQueue;
  readonly copier: lambda.IFunction;
  readonly reconciler: lambda.IFunction;
  readonly verify: lambda.IFunction;
  readonly sealer: lambda.IFunction;
  /** Recovery point objective: the freshness alarm fires when the oldest queued change is older. */
  readonly rpoMinutes: number;
  /** The source buckets: each gets a deletion-burst and a write-burst alarm on the copier's per-source counts. */
  readonly sources: readonly string[];
  readonly changeRate: ChangeRateProps;
}

export interface ChangeRateProps {
  /** Minutes the counts are summed over (a CloudWatch period). */
  readonly intervalMinutes: number;
  /** More deletions than this in one interval fire the source's deletion alarm. */
  readonly deletionsPerInterval: number;
  /** More writes (new keys and overwrites) than this in one interval fire the source's write alarm. */
  readonly writesPerInterval: number;
}

/** The change-rate alarms of one source bucket. */
export interface ChangeRateAlarms {
  readonly deletions: cloudwatch.Alarm;
  readonly writes: cloudwatch.Alarm;
}

/**
 * Everything that e-mails the alert topic: seven alarms on the pipeline (dead letters, copier errors,
 * freshness, reconciler errors, verify errors and failures, sealer errors; see the README's alarm table), two
 * change-rate alarms per source bucket (deletions, writes: over the configured interval) and a rule
 * forwarding AWS Backup backup and copy jobs that did not complete. Each alarm fires when one
 * period (5 minutes; the change-rate alarms' own interval) breaches its threshold; no data (an idle queue,
 * no invocations) is not a breach.
 *
 * Like the stack's other parts, it creates its alarms and rule in `scope`, under the ids they had when
 * the stack created them itself (see ProtectedAccountStack): this construct groups them, it is not their parent.
 */
export class PipelineAlarms extends Construct {
  public readonly alarms: Readonly<
    Record<
      'deadLetters' | 'copierErrors' | 'freshness' | 'reconcilerErrors' | 'verifyErrors' | 'verifyFailures' | 'sealerErrors',
      cloudwatch.Alarm
    >
  >;
  /** Per source bucket. */
  public readonly changeRate: ReadonlyMap<string, ChangeRateAlarms>;
  public readonly backupJobFailures: events.Rule;

  public constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    if (!Number.isInteger(props.rpoMinutes) || props.rpoMinutes < 1) {
      throw new Error(`PipelineAlarms: rpoMinutes is ${props.rpoMinutes}; expected a whole number of minutes, at least 1`);
    }
    const { intervalMinutes, deletionsPerInterval, writesPerInterval } = props.changeRate;
    for (const [field, value, min] of [
      ['intervalMinutes', intervalMinutes, 1],
      ['deletionsPerInterval', deletionsPerInterval, 1],
      ['writesPerInterval', writesPerInterval, 1],
    ] as const) {
      if (!Number.isInteger(value) || value < min) {
        throw new Error(`PipelineAlarms: changeRate.${field} is ${value}; expected a whole number, at least ${min}`);
      }
    }
    const { alerts, events: queues } = props;
    const notify = new cloudwatchActions.SnsAction(alerts.topic);
    const alarm = (alarmId: string, name: string, description: string, metric: cloudwatch.IMetric, threshold: number) => {
      const created = new cloudwatch.Alarm(scope, alarmId, {
        alarmName: `${alerts.alarmNamePrefix}${name}`,
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
    const errorsOf = (fn: lambda.IFunction) => fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
    this.alarms = {
      deadLetters: alarm(
        'DeadLettersAlarm',
        'dead-letters',
        'Source changes not backed up after every retry (or not deliverable to the queue) are waiting in the DLQ',
        queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
        0,
      ),
      copierErrors: alarm(
        'CopierErrorsAlarm',
        'copier-errors',
        'Copier invocations failed as a whole (crash, timeout, invalid environment)',
        errorsOf(props.copier),
        0,
      ),
      freshness: alarm(
        'FreshnessAlarm',
        'freshness',
        `The oldest source change waiting to be copied is older than the RPO (${props.rpoMinutes} minutes)`,
        queues.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        props.rpoMinutes * 60,
      ),
      reconcilerErrors: alarm(
        'ReconcilerErrorsAlarm',
        'reconciler-errors',
        'A reconcile run failed: gaps in the vault are not being found or filled',
        errorsOf(props.reconciler),
        0,
      ),
      verifyErrors: alarm('VerifyErrorsAlarm', 'verify-errors', 'The verify run failed', errorsOf(props.verify), 0),
      verifyFailures: alarm(
        'VerifyFailuresAlarm',
        'verify-failures',
        'The verify run could not prove the backups complete, fresh and locked',
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: VERIFY_FAILURES_METRIC,
          dimensionsMap: serviceDimension('verify'),
          period: PERIOD,
          statistic: 'Sum',
        }),
        0,
      ),
      sealerErrors: alarm(
        'SealerErrorsAlarm',
        'sealer-errors',
        'A seal run failed: new journal segments are not being chained and indexed',
        errorsOf(props.sealer),
        0,
      ),
    };

    // A source change burst: the copier's counts summed over the interval, per source bucket.
    const period = Duration.minutes(intervalMinutes);
    const perSource = (bucket: string, metricName: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: sourceDimensions(bucket),
        period,
        statistic: 'Sum',
      });
    const every = `${intervalMinutes} minute${intervalMinutes === 1 ? '' : 's'}`;
    this.changeRate = new Map(
      props.sources.map((bucket) => [
        bucket,
        {
          deletions: alarm(
            `DeletionBurstAlarm-${bucket}`,
            `deletions-${bucket}`,
            `More than ${deletionsPerInterval} objects or versions of ${bucket} were deleted in ${every}: a wipe? Run strongroom activity ${bucket}`,
            perSource(bucket, SOURCE_DELETIONS_METRIC),
            deletionsPerInterval,
          ),
          writes: alarm(
            `WriteBurstAlarm-${bucket}`,
            `writes-${bucket}`,
            `More than ${writesPerInterval} objects of ${bucket} were written or overwritten in ${every}: ransomware? Run strongroom activity ${bucket}`,
            perSource(bucket, SOURCE_WRITES_METRIC),
            writesPerInterval,
          ),
        },
      ]),
    );

    this.backupJobFailures = new events.Rule(scope, 'BackupJobFailures', {
      description: 'Strongroom: AWS Backup backup or cross-account copy jobs that did not complete',
      eventPattern: {
        source: ['aws.backup'],
        detailType: ['Backup Job State Change', 'Copy Job State Change'],
        detail: { state: BACKUP_JOB_FAILURE_STATES },
      },
      targets: [new targets.SnsTopic(alerts.topic)],
    });
  }
}
