import { join } from 'node:path';
import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { COMMON_ENV_VARS, EnvironmentOf } from '../../contract/environment';
import { MIN_COPIER_RESERVED_CONCURRENCY, type PrimaryAccountConfig } from '../config/schema';
import { asList, policy } from '../policy/document';
import { arns, type VaultPolicyModel } from '../policy/model';
import {
  assumedVaultRoleArn,
  PRIMARY_ROLE_KINDS,
  type PrimaryRoleKind,
  primaryFunctionName,
  primaryRoleStatements,
  RESOURCELESS_ACTIONS,
  restoreStateMachineName,
  stateMachineArn,
} from '../policy/primary-roles';
import type { VaultRoleKind } from '../policy/vault-roles';
import type { EventQueue } from './event-queue';
import { StrongroomFunction } from './strongroom-function';

/** Construct ids of each kind's function (`<Label>`) and role (`<Label>Role`). */
const LABEL: Record<PrimaryRoleKind, string> = {
  copier: 'Copier',
  reconciler: 'Reconciler',
  restore: 'Restore',
  verify: 'Verify',
  sealer: 'Sealer',
};

/** Time a long-running function (reconciler, restore, verify, sealer) may take per invocation; work beyond it is checkpointed. */
const LONG_RUNNING_TIMEOUT = Duration.minutes(15);
const LONG_RUNNING_MEMORY_MB = 1024;

/** SQS event sources take a maximum concurrency of at most 1000. */
const MAX_COPIER_RESERVED_CONCURRENCY = 1000;
/** Lambda refuses an SQS batch larger than this without a batching window. */
const MAX_BATCH_WITHOUT_WINDOW = 10;

/** The batching window a copier batch of `batchSize` records needs: none up to 10, one second above. */
export function copierBatchingWindow(batchSize: number): Duration | undefined {
  return batchSize > MAX_BATCH_WITHOUT_WINDOW ? Duration.seconds(1) : undefined;
}

/** Why a role's resource may end in a wildcard (cdk-nag asks); any other wildcard is refused. */
function wildcardReason(kind: PrimaryRoleKind, resource: string, actions: readonly string[]): string {
  // An API without resource-level permissions takes only Resource "*".
  if (resource === '*' && actions.length > 0 && actions.every((action) => RESOURCELESS_ACTIONS.includes(action))) {
    return `The ${kind} role's ${actions.join(', ')} supports no resource-level permission, so IAM takes only Resource "*"; it reads tags and ARNs, nothing of the resources.`;
  }
  // Object-level S3 actions on a prefix or a whole bucket: an object ARN is narrower only by naming every key.
  if (/^arn:[^:]+:s3:::/.test(resource)) {
    return `The ${kind} role's object-level S3 actions cover exactly the configured prefix or bucket; an object ARN can be narrower only by naming every key.`;
  }
  // Execution ids are chosen when an execution starts: its state machine's executions can be named only by a wildcard.
  if (/^arn:[^:]+:states:[^:]+:\d{12}:execution:[^:*]+:\*$/.test(resource)) {
    return `The ${kind} role reads the executions of one state machine, whose ids Step Functions chooses when each starts; the ARN covers no other state machine.`;
  }
  throw new Error(`PipelineFunctions: the ${kind} role's resource ${resource} ends in a wildcard no rule accounts for`);
}

/** Where the handlers' entry files are (by path: nothing under lib/ imports lambda/). */
const HANDLERS = join(__dirname, '..', '..', 'lambda', 'handlers');

export interface PipelineFunctionsProps {
  /** The deployment's name prefix (config `name`): the functions are `<name>-<kind>`. */
  readonly deploymentName: string;
  /** The primary account the functions run in, with its sources and restore targets. */
  readonly account: PrimaryAccountConfig;
  /** The vault side as the policies see it: fixed role names, vault bucket, backup vault, external id. */
  readonly model: VaultPolicyModel;
  /** The queue that feeds the copier, and its dead-letter queue. */
  readonly events: EventQueue;
  /** Copier timeout; `events` must have been sized for it. */
  readonly copierTimeout: Duration;
  readonly copierMemoryMb: number;
  /** The copier's reserved concurrency and its event source's maximum concurrency: from 2 to 1000. */
  readonly copierReservedConcurrency: number;
  /** Records per copier invocation. */
  readonly queueBatchSize: number;
  /** Required above 10 records per batch (see copierBatchingWindow); `events` must have been sized for it. @default - none */
  readonly queueBatchingWindow?: Duration;
  /** Verify's recovery point objective: the age beyond which it calls a source stale. */
  readonly rpoMinutes: number;
  /** The AWS Backup plan verify compares the vault's recovery points with: its selection tag and cron schedule. */
  readonly backupPlan: { readonly schedule: string; readonly resourceTag: { readonly key: string; readonly value: string } };
  /** The sealer leaves journal segments younger than this for the next seal (config `pipeline.sealSettleSeconds`). */
  readonly sealSettleSeconds: number;
  /** Days CloudWatch Logs keeps each function's log lines. */
  readonly logRetentionDays: number;
}

/**
 * The five functions of a primary account (copier, reconciler, restore, verify, sealer), each with its
 * fixed-name role holding exactly its lib/policy statements and its environment typed by the
 * contract (EnvironmentOf), and the copier fed by the queue.
 *
 * Like the stack's other parts, it creates its resources in `scope`, under the ids they had when the
 * stack created them itself (see ProtectedAccountStack): this construct groups them, it is not their parent.
 */
export class PipelineFunctions extends Construct {
  public readonly roles: Readonly<Record<PrimaryRoleKind, iam.Role>>;
  public readonly functions: Readonly<Record<PrimaryRoleKind, StrongroomFunction>>;

  public constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    const { account, model, events } = props;
    const concurrency = props.copierReservedConcurrency;
    if (
      !Number.isInteger(concurrency) ||
      concurrency < MIN_COPIER_RESERVED_CONCURRENCY ||
      concurrency > MAX_COPIER_RESERVED_CONCURRENCY
    ) {
      throw new Error(
        `PipelineFunctions: copierReservedConcurrency is ${concurrency}; expected at least ${MIN_COPIER_RESERVED_CONCURRENCY} and at most ${MAX_COPIER_RESERVED_CONCURRENCY} ` +
          '(the SQS event source needs a maximum concurrency of 2 or more, and a poller throttled by a lower reserved concurrency would push healthy messages into the DLQ)',
      );
    }
    if (props.queueBatchSize > MAX_BATCH_WITHOUT_WINDOW && !props.queueBatchingWindow) {
      throw new Error(
        `PipelineFunctions: queueBatchSize is ${props.queueBatchSize} with no queueBatchingWindow; expected a batching window for batches above ${MAX_BATCH_WITHOUT_WINDOW} (Lambda refuses them without one)`,
      );
    }

    const roles = {} as Record<PrimaryRoleKind, iam.Role>;
    for (const kind of PRIMARY_ROLE_KINDS) {
      const statements = primaryRoleStatements(model, account, kind, props.deploymentName);
      roles[kind] = new iam.Role(scope, `${LABEL[kind]}Role`, {
        roleName: model.roleNames[kind],
        description: `Strongroom ${kind} function of primary account ${account.name} (${account.accountId})`,
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        maxSessionDuration: Duration.hours(1),
        inlinePolicies: { [LABEL[kind]]: iam.PolicyDocument.fromJson(policy(...statements)) },
      });
      const wildcards = new Set(statements.flatMap((st) => asList(st.Resource)).filter((r) => r.endsWith('*')));
      for (const resource of wildcards) {
        const actions = statements.filter((st) => asList(st.Resource).includes(resource)).flatMap((st) => asList(st.Action));
        Validations.of(roles[kind]).acknowledge({
          id: `AwsSolutions-IAM5[Resource::${resource}]`,
          reason: wildcardReason(kind, resource, actions),
        });
      }
    }
    this.roles = roles;

    const functionName = (kind: PrimaryRoleKind) => primaryFunctionName(props.deploymentName, kind);
    const common: Pick<EnvironmentOf<'copier'>, (typeof COMMON_ENV_VARS)[number]> = {
      STRONGROOM_NAME: props.deploymentName,
      SOURCE_ACCOUNT_ID: account.accountId,
      VAULT_ACCOUNT_ID: model.backupAccount,
      VAULT_BUCKET: model.vaultBucket,
      EXTERNAL_ID: model.externalId,
      SOURCES: JSON.stringify(account.sources),
    };
    const vaultRoleArn = (kind: PrimaryRoleKind, vaultKind?: VaultRoleKind) =>
      assumedVaultRoleArn(model, kind, account.accountId, vaultKind);
    const environments: { readonly [K in PrimaryRoleKind]: EnvironmentOf<K> } = {
      copier: {
        ...common,
        INGEST_ROLE_ARN: vaultRoleArn('copier'),
        DEAD_LETTER_QUEUE_URL: events.deadLetterQueue.queueUrl,
      },
      reconciler: {
        ...common,
        AUDITOR_ROLE_ARN: vaultRoleArn('reconciler'),
        QUEUE_URL: events.queue.queueUrl,
        RECONCILER_FUNCTION_NAME: functionName('reconciler'),
      },
      restore: {
        ...common,
        RESTORE_READER_ROLE_ARN: vaultRoleArn('restore'),
        RESTORE_TARGETS: JSON.stringify(account.restoreTargets),
        RESTORE_FUNCTION_NAME: functionName('restore'),
        RESTORE_STATE_MACHINE_ARN: stateMachineArn(model, account.accountId, restoreStateMachineName(props.deploymentName)),
      },
      verify: {
        ...common,
        AUDITOR_ROLE_ARN: vaultRoleArn('verify', 'auditor'),
        EVIDENCE_WRITER_ROLE_ARN: vaultRoleArn('verify', 'evidenceWriter'),
        BACKUP_VAULT_ARN: arns.backupVault(model, model.backupAccount, model.backupVault),
        RPO_MINUTES: String(props.rpoMinutes),
        BACKUP_PLAN_TAG: JSON.stringify(props.backupPlan.resourceTag),
        BACKUP_PLAN_SCHEDULE: props.backupPlan.schedule,
        // The key's id is random and lives in the other stack: verify knows it by its alias (empty: SSE-S3).
        VAULT_KEY_ARN: model.vaultKeyAlias ? arns.kmsAlias(model, model.backupAccount, model.vaultKeyAlias) : '',
      },
      sealer: {
        ...common,
        AUDITOR_ROLE_ARN: vaultRoleArn('sealer', 'auditor'),
        INGEST_ROLE_ARN: vaultRoleArn('sealer', 'ingest'),
        SEAL_SETTLE_SECONDS: String(props.sealSettleSeconds),
      },
    };
    const longRunning = { timeout: LONG_RUNNING_TIMEOUT, memorySize: LONG_RUNNING_MEMORY_MB };
    const sizing: Record<PrimaryRoleKind, { timeout: Duration; memorySize: number; reservedConcurrentExecutions?: number }> = {
      copier: { timeout: props.copierTimeout, memorySize: props.copierMemoryMb, reservedConcurrentExecutions: concurrency },
      reconciler: longRunning,
      restore: longRunning,
      verify: longRunning,
      // One seal chain per account: a second run at the same time (a late or duplicated scheduled event) would
      // race the first for the next seal's key, and one of them would fail on the write-once check. Lambda
      // holds a throttled scheduled invocation and retries it; by then the first run has sealed.
      sealer: { ...longRunning, reservedConcurrentExecutions: 1 },
    };
    const functions = {} as Record<PrimaryRoleKind, StrongroomFunction>;
    for (const kind of PRIMARY_ROLE_KINDS) {
      functions[kind] = new StrongroomFunction(scope, LABEL[kind], {
        functionName: functionName(kind),
        entry: join(HANDLERS, `${kind}.ts`),
        role: roles[kind],
        serviceName: kind,
        environment: environments[kind],
        logRetentionDays: props.logRetentionDays,
        description: `Strongroom ${kind} (primary account ${account.name})`,
        ...sizing[kind],
      });
    }
    this.functions = functions;

    // Copier: fed by the queue; failed records go back one by one (partial batch response).
    functions.copier.function.addEventSource(
      new SqsEventSource(events.queue, {
        batchSize: props.queueBatchSize,
        maxBatchingWindow: props.queueBatchingWindow,
        reportBatchItemFailures: true,
        // Never more pollers than the function may run: a throttled receive still counts towards maxReceiveCount.
        maxConcurrency: concurrency,
      }),
    );
    // Reconciler: enqueues what the vault lacks (the queue's ARN is a token, hence granted here).
    events.queue.grantSendMessages(roles.reconciler);
    // Copier: a record that can never be processed goes straight to the DLQ instead of being retried.
    events.deadLetterQueue.grantSendMessages(roles.copier);
  }
}
