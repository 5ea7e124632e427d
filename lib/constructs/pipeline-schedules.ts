import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** EventBridge retries of a scheduled invocation Lambda refused (throttled, or the service failing). */
const RETRY_ATTEMPTS = 2;

export interface PipelineSchedulesProps {
  /** The function that re-lists the sources and enqueues what the vault lacks. */
  readonly reconciler: lambda.IFunction;
  /** When it runs (config `pipeline.reconcileSchedule`, validated there). */
  readonly reconcileSchedule: events.Schedule;
  /** The function that checks coverage, freshness and locks. */
  readonly verify: lambda.IFunction;
  /** When it runs (config `pipeline.verifySchedule`, validated there). */
  readonly verifySchedule: events.Schedule;
  /** The function that seals and indexes the journal segments written since the last seal. */
  readonly sealer: lambda.IFunction;
  /** When it runs (config `pipeline.sealSchedule`, validated there). */
  readonly sealSchedule: events.Schedule;
}

/**
 * The three scheduled runs of the pipeline: the reconciler, which finds what events missed; verify,
 * which proves the backups complete, fresh and locked; and the sealer, which chains and indexes the journal.
 *
 * Like the stack's other parts, it creates its rules in `scope`, under the ids they had when the stack
 * created them itself (see ProtectedAccountStack): this construct groups them, it is not their parent.
 */
export class PipelineSchedules extends Construct {
  public readonly reconcile: events.Rule;
  public readonly verify: events.Rule;
  public readonly seal: events.Rule;

  public constructor(scope: Construct, id: string, props: PipelineSchedulesProps) {
    super(scope, id);
    this.reconcile = new events.Rule(scope, 'ReconcileSchedule', {
      description: 'Strongroom: re-list the sources and enqueue what the vault lacks',
      schedule: props.reconcileSchedule,
      targets: [new targets.LambdaFunction(props.reconciler, { retryAttempts: RETRY_ATTEMPTS })],
    });
    this.verify = new events.Rule(scope, 'VerifySchedule', {
      description: 'Strongroom: verify coverage, freshness and locks',
      schedule: props.verifySchedule,
      targets: [new targets.LambdaFunction(props.verify, { retryAttempts: RETRY_ATTEMPTS })],
    });
    this.seal = new events.Rule(scope, 'SealSchedule', {
      description: 'Strongroom: seal and index the journal segments written since the last seal',
      schedule: props.sealSchedule,
      targets: [new targets.LambdaFunction(props.sealer, { retryAttempts: RETRY_ATTEMPTS })],
    });
  }
}
