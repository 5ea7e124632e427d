import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  RESTORE_BATCH_MAX_BYTES,
  RESTORE_BATCH_MAX_ITEMS,
  RESTORE_MANIFEST_FILE,
  RESTORE_RESULTS_DIR,
  RESTORE_WORK_PREFIX,
  type RestoreBatchRequest,
  type RestoreExecutionInput,
} from '../../contract/restore-orchestration';
import { policy } from '../policy/document';
import { arns, type VaultPolicyModel } from '../policy/model';
import { functionArn, stateMachineArn, stateMachineExecutionsArn } from '../policy/primary-roles';

/** The Distributed Map's state name and map run label: its child executions are `execution:<name>/<label>:<id>`. */
export const RESTORE_MAP_LABEL = 'RestoreBatches';

/**
 * Failed batches a map run tolerates: none. A batch fails (RestoreBatchError) when any of its objects could
 * not be restored, or when it could not run at all; it is retried first (BATCH_RETRY_ERRORS). One still
 * failing then fails the execution, so that an execution that SUCCEEDED means every object of the plan is in
 * place: a restore is never quietly partial. The restore is idempotent (a batch asks the target before each
 * write), so the run started again once the cause is fixed skips what is already there.
 */
export const RESTORE_TOLERATED_FAILURE_PERCENTAGE = 0;

/**
 * Errors of a batch that did not finish, retried a little later: some of its objects failed
 * (RestoreBatchError, thrown by the restore handler), or the invocation ran out of its 15 minutes. Retried,
 * the batch resumes: it skips every object the target already holds.
 */
export const BATCH_RETRY_ERRORS = ['RestoreBatchError', 'Sandbox.Timedout'];

/** Lambda errors a batch invocation retries: the service failing or its client timing out (no code ran or it may rerun safely). */
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.ClientExecutionTimeoutException',
];
/** ... and throttling: the account's concurrency is shared with the copier and every other function. */
export const LAMBDA_THROTTLING_ERRORS = ['Lambda.TooManyRequestsException'];

/** Actions Step Functions needs to deliver execution logs to CloudWatch Logs; none takes a resource narrower than "*". */
export const STATES_LOG_DELIVERY_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];

/**
 * A Distributed Map that states its failure tolerance even when it is zero: CDK tests the value for truth and
 * leaves a 0 out. The service's default is the same 0, but the definition should say it, not rely on it.
 */
class ExplicitToleranceDistributedMap extends sfn.DistributedMap {
  private readonly tolerance: number;

  public constructor(scope: Construct, id: string, props: sfn.DistributedMapProps & { toleratedFailurePercentage: number }) {
    super(scope, id, props);
    this.tolerance = props.toleratedFailurePercentage;
  }

  public override toStateJson(queryLanguage?: sfn.QueryLanguage): object {
    return { ...super.toStateJson(queryLanguage), ToleratedFailurePercentage: this.tolerance };
  }
}

export interface RestoreStateMachineProps {
  /** Fixed physical name (the restore function's role and environment name it by ARN). */
  readonly stateMachineName: string;
  /** The primary account it runs in. */
  readonly account: string;
  /** Buckets a restore may write to: the only ones whose manifests it reads and where it writes results. */
  readonly restoreTargets: readonly string[];
  /** The function each batch invokes; it must be the one named `restoreFunctionName`. */
  readonly restoreFunction: lambda.IFunction;
  readonly restoreFunctionName: string;
  /** Batches running at once (config `pipeline.restoreMapConcurrency`), 1 to 1000. */
  readonly maxConcurrency: number;
  /** Days CloudWatch Logs keeps the execution log. */
  readonly logRetentionDays: number;
  /** Partition and region of the ARNs (the policy model). */
  readonly model: VaultPolicyModel;
}

/**
 * Large restores on AWS's own engine: a Standard state machine whose Distributed Map reads the restore's
 * manifest (JSON Lines, one plan item per line) from the target bucket, groups the lines into batches and
 * invokes the restore function once per batch, at most `maxConcurrency` at a time, then writes the run's
 * results next to the manifest. Its input is a RestoreExecutionInput.
 *
 * The role holds exactly the statements written here: the construct passes it to the state machine without
 * policy updates, so CDK's own grants (a result writer given only a bucket path is granted s3:PutObject on
 * "*") never reach it.
 */
export class RestoreStateMachine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  public constructor(scope: Construct, id: string, props: RestoreStateMachineProps) {
    super(scope, id);
    const { model: m, account, stateMachineName } = props;
    if (!Number.isInteger(props.maxConcurrency) || props.maxConcurrency < 1 || props.maxConcurrency > 1000) {
      throw new Error(
        `RestoreStateMachine: maxConcurrency is ${props.maxConcurrency}; expected an integer from 1 to 1000 (a Distributed Map runs at most 1000 child executions at once)`,
      );
    }
    const work = (bucket: string, file: string) => `${arns.bucket(m, bucket)}/${RESTORE_WORK_PREFIX}*/${file}`;
    const targets = props.restoreTargets;

    this.role = new iam.Role(this, 'Role', {
      description: `Strongroom restore state machine ${stateMachineName}: reads restore manifests, invokes the restore function`,
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        RestoreStateMachine: iam.PolicyDocument.fromJson(
          policy(
            ...(targets.length > 0
              ? [
                  {
                    Sid: 'ReadRestoreManifests',
                    Effect: 'Allow' as const,
                    Action: 's3:GetObject',
                    Resource: targets.map((bucket) => work(bucket, RESTORE_MANIFEST_FILE)),
                  },
                  {
                    // What the result writer needs to put its (possibly multipart) result files, under results/ only.
                    Sid: 'WriteRestoreResults',
                    Effect: 'Allow' as const,
                    Action: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
                    Resource: targets.map((bucket) => work(bucket, `${RESTORE_RESULTS_DIR}/*`)),
                  },
                ]
              : []),
            {
              Sid: 'InvokeRestoreFunction',
              Effect: 'Allow',
              Action: 'lambda:InvokeFunction',
              Resource: functionArn(m, account, props.restoreFunctionName),
            },
            {
              // A Distributed Map runs each batch as a child execution of this very state machine.
              Sid: 'RunMapChildExecutions',
              Effect: 'Allow',
              Action: 'states:StartExecution',
              Resource: stateMachineArn(m, account, stateMachineName),
            },
            {
              Sid: 'TrackMapChildExecutions',
              Effect: 'Allow',
              Action: ['states:DescribeExecution', 'states:StopExecution'],
              Resource: stateMachineExecutionsArn(m, account, stateMachineName, RESTORE_MAP_LABEL),
            },
            {
              Sid: 'DeliverExecutionLogs',
              Effect: 'Allow',
              Action: STATES_LOG_DELIVERY_ACTIONS,
              Resource: '*',
            },
          ),
        ),
      },
    });
    Validations.of(this.role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'Only the CloudWatch Logs delivery actions Step Functions needs to log executions, none of which takes a resource narrower than "*"; they manage log deliveries, not log data.',
      },
      ...targets.flatMap((bucket) =>
        [RESTORE_MANIFEST_FILE, `${RESTORE_RESULTS_DIR}/*`].map((file) => ({
          id: `AwsSolutions-IAM5[Resource::${work(bucket, file)}]`,
          reason:
            'Restore ids are chosen at plan time, so the manifests and results of the restore targets can be named only by a wildcard over the id; nothing outside .strongroom/restores/<id>/ is covered.',
        })),
      ),
      {
        id: `AwsSolutions-IAM5[Resource::${stateMachineExecutionsArn(m, account, stateMachineName, RESTORE_MAP_LABEL)}]`,
        reason:
          'The ids of the child executions a Distributed Map starts are chosen by Step Functions; the ARN covers exactly the children of this state machine’s one map.',
      },
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetentionDays as logs.RetentionDays,
      // Like the functions' logs: the record of what a restore did outlives the stack (retention still expires it).
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const input = (field: keyof RestoreExecutionInput) => `{% $states.input.${field} %}`;
    const batch: { readonly [K in keyof RestoreBatchRequest]: string } = {
      action: 'batch',
      restoreId: '{% $states.input.BatchInput.restoreId %}',
      targetBucket: '{% $states.input.BatchInput.targetBucket %}',
      items: '{% $states.input.Items %}',
    };
    const invoke = tasks.LambdaInvoke.jsonata(this, 'RestoreBatch', {
      stateName: 'RestoreBatch',
      lambdaFunction: props.restoreFunction,
      payload: sfn.TaskInput.fromObject(batch),
      // The function's own answer, not the invocation's metadata.
      outputs: '{% $states.result.Payload %}',
      retryOnServiceExceptions: false,
    })
      .addRetry({
        errors: LAMBDA_SERVICE_ERRORS,
        interval: Duration.seconds(2),
        maxAttempts: 6,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      })
      .addRetry({
        errors: LAMBDA_THROTTLING_ERRORS,
        interval: Duration.seconds(5),
        maxAttempts: 10,
        backoffRate: 2,
        maxDelay: Duration.minutes(2),
        jitterStrategy: sfn.JitterType.FULL,
      })
      .addRetry({
        errors: BATCH_RETRY_ERRORS,
        interval: Duration.seconds(30),
        maxAttempts: 2,
        backoffRate: 2,
        jitterStrategy: sfn.JitterType.FULL,
      });

    const map = new ExplicitToleranceDistributedMap(this, 'Map', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      stateName: RESTORE_MAP_LABEL,
      label: RESTORE_MAP_LABEL,
      comment: 'Every line of the restore manifest, in batches, each restored by one invocation of the restore function',
      itemReader: new sfn.S3JsonLItemReader({ bucketNamePath: input('targetBucket'), key: input('manifestKey') }),
      itemBatcher: new sfn.ItemBatcher({
        maxItemsPerBatch: RESTORE_BATCH_MAX_ITEMS,
        maxInputBytesPerBatch: RESTORE_BATCH_MAX_BYTES,
        batchInput: { restoreId: input('restoreId'), targetBucket: input('targetBucket') },
      }),
      maxConcurrency: props.maxConcurrency,
      // Standard child executions: a batch may run as long as the function's 15 minutes (Express stops at 5).
      mapExecutionType: sfn.StateMachineType.STANDARD,
      toleratedFailurePercentage: RESTORE_TOLERATED_FAILURE_PERCENTAGE,
      resultWriterV2: new sfn.ResultWriterV2({
        bucketNamePath: input('targetBucket'),
        prefix: `{% '${RESTORE_WORK_PREFIX}' & $states.input.restoreId & '/${RESTORE_RESULTS_DIR}' %}`,
      }),
    });
    // A DistributedMap renders its processor as DISTRIBUTED with mapExecutionType; CDK warns about a config given here.
    map.itemProcessor(invoke);

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      queryLanguage: sfn.QueryLanguage.JSONATA,
      comment: 'Strongroom: a large restore, batch by batch over its manifest',
      definitionBody: sfn.DefinitionBody.fromChainable(map),
      role: this.role.withoutPolicyUpdates(),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: false,
    });
    // CDK also builds a DistributedMapPolicy for the role (child executions, redrive); the role above holds
    // its own statements and takes no policy, so that unattached policy would only confuse a reader or a check.
    this.stateMachine.node.tryRemoveChild('DistributedMapPolicy');
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-SF2',
      reason:
        'X-Ray would add xray:* on "*" to the role for little: every batch is one synchronous invocation of the restore function, whose log and the execution log (level ALL) already show where time went.',
    });
  }
}
