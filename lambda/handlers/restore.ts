import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { StrongroomError } from '../../contract/errors';
import { RESTORE_ID_PATTERN, RestoreRequestSchema, type RestoreStatusResponse } from '../../contract/restore-api';
import { type DrillRequest, DrillRequestSchema, type DrillResult } from '../../contract/verify-report';
import { once, onceWith, parseRestoreEnv, type RestoreEnv } from '../adapters/env';
import { createS3Client, createVaultClient } from '../adapters/s3-client';
import { type ActivityReport, activityOf } from '../core/activity';
import { TrustedEntrySchema } from '../core/journal-trust';
import { executeRestore, RestoreRefusedError } from '../core/restore-execute';
import type { PlanItem } from '../core/restore-plan';
import {
  createPlan,
  findRestore,
  markFinished,
  markHandedOver,
  type PlanResponse,
  RestoreRequestError,
  type RestoreServiceDependencies,
  runRestore,
} from '../core/restore-service';
import { runDrill } from '../core/verify/drill';
import { bucketName, parseInput } from './input';

/*
 * Restore: plan (a dry run: the summary, and the manifest written under .strongroom/restores/<id>/ in the
 * target), start, status; and activity (a source's change rate from the journal, lambda/core/activity.ts).
 * A restore of up to INLINE_MAX_OBJECTS objects runs here, in passes that each stop with a minute to spare
 * and continue in a fresh invocation of this function; a larger one is handed to the Step Functions Distributed Map, whose batches come back here as {action: "batch"} and run the same executor.
 */

/** Beyond this many objects to write, a restore runs on the Distributed Map. */
export const INLINE_MAX_OBJECTS = 5_000;
/** Stop starting objects with this much time left (a 16 MiB object at a slow 1 MiB/s fits). */
export const SAFETY_MARGIN_MS = 60_000;

const restoreId = z.string().regex(RESTORE_ID_PATTERN, { error: 'a restore id such as "r-4gmu3cyxrx0a"' });
/** What this function sends itself to continue an inline restore. */
const ContinueSchema = z.strictObject({ action: z.literal('continue'), restoreId, targetBucket: bucketName });
/**
 * One manifest line as a batch carries it: checked whole before anything is written, so a malformed line refuses
 * the batch naming its field (fuzzing found a mangled entry failing mid-batch with a bare TypeError, after the
 * lines before it were written).
 */
const PlanItemSchema = z
  .looseObject({
    action: z.enum(['write', 'skip', 'extraneous'], { error: '"write", "skip" or "extraneous"' }),
    key: z.string({ error: 'the source key' }).min(1, { error: 'the source key' }),
    targetKey: z.string({ error: 'the key in the target' }).min(1, { error: 'the key in the target' }),
    size: z.number({ error: 'a size in bytes' }).int({ error: 'a size in bytes' }).nonnegative({ error: 'a size in bytes' }),
    entry: TrustedEntrySchema.optional(),
    targetEtag: z.string({ error: "the target object's ETag" }).optional(),
  })
  .superRefine((item, ctx) => {
    if (item.action !== 'extraneous' && item.entry === undefined)
      ctx.addIssue({ code: 'custom', path: ['entry'], input: undefined, message: 'the journal entry of the version to restore' });
  });
/** What each batch of the Distributed Map sends (ItemBatcher: BatchInput plus the manifest lines). */
const BatchSchema = z.strictObject({
  action: z.literal('batch'),
  restoreId,
  targetBucket: bucketName,
  items: z.array(PlanItemSchema).min(1),
});
const InternalSchema = z.discriminatedUnion('action', [ContinueSchema, BatchSchema]);

/** Some objects of a Distributed Map batch failed: the Map retries the batch and counts it toward its threshold. */
export class RestoreBatchError extends StrongroomError {
  public override readonly name = 'RestoreBatchError';

  public constructor(
    message: string,
    /** The batch's items that were not restored (by source key), each with why; the others were. */
    public readonly failed: ReadonlyArray<{ readonly key: string; readonly reason: string }>,
  ) {
    super(message);
  }
}

export interface RestoreClients {
  readonly vault: S3Client;
  readonly target: S3Client;
  readonly lambda: LambdaClient;
  readonly sfn: SFNClient;
}

export interface RestoreDependencies {
  readonly env: () => RestoreEnv;
  readonly clients: (env: RestoreEnv) => RestoreClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

export function buildRestoreClients(env: RestoreEnv, region = process.env.AWS_REGION ?? 'us-east-1'): RestoreClients {
  return {
    vault: createVaultClient(env, { roleArn: env.restoreReaderRoleArn, caller: 'restore' }, { region, maxSockets: 40 }),
    target: createS3Client({ region, maxSockets: 40 }),
    lambda: new LambdaClient({ region }),
    sfn: new SFNClient({ region }),
  };
}

const defaultDependencies: RestoreDependencies = {
  env: once(() => parseRestoreEnv()),
  clients: onceWith((env: RestoreEnv) => buildRestoreClients(env)),
  logger: new Logger(),
  metrics: new Metrics(),
  now: () => new Date(),
};

export type RestoreResponse =
  | PlanResponse
  | ActivityReport
  | DrillResult
  | RestoreStatusResponse
  | {
      readonly restoreId: string;
      readonly batch: { readonly written: number; readonly skipped: number; readonly failed: number };
    };

export async function restore(input: unknown, context: Context, deps = defaultDependencies): Promise<RestoreResponse> {
  deps.logger.addContext(context);
  try {
    const env = deps.env();
    const clients = deps.clients(env);
    const service: RestoreServiceDependencies = {
      vault: { client: clients.vault, bucket: env.vaultBucket },
      account: env.sourceAccountId,
      target: clients.target,
      restoreTargets: env.restoreTargets,
      now: deps.now,
    };
    const action = typeof input === 'object' && input !== null ? (input as { action?: unknown }).action : undefined;
    if (action === 'drill') return await drill(service, env, parseInput(DrillRequestSchema, input, 'drill request'), deps);
    if (action === 'continue' || action === 'batch') {
      const internal = parseInput(InternalSchema, input, 'restore request');
      deps.logger.appendKeys({ restoreId: internal.restoreId, targetBucket: internal.targetBucket, action: internal.action });
      if (internal.action === 'batch') return await runBatch(service, internal, deps);
      return await runInline(service, env, clients, internal.targetBucket, internal.restoreId, context, deps);
    }
    const request = parseInput(RestoreRequestSchema, input, 'restore request');
    deps.logger.appendKeys({ action: request.action });
    if (request.action === 'plan') {
      deps.logger.appendKeys({ sourceBucket: request.sourceBucket, targetBucket: request.targetBucket, asOf: request.asOf });
      const plan = await createPlan(service, request);
      deps.logger.info('restore planned', { restoreId: plan.restoreId, counts: plan.summary.counts, bytes: plan.summary.bytes });
      return plan;
    }
    if (request.action === 'activity') {
      deps.logger.appendKeys({ sourceBucket: request.sourceBucket });
      return await activityOf(service.vault, service.account, request);
    }
    let found = await findRestore(service, request.restoreId);
    deps.logger.appendKeys({ restoreId: request.restoreId, targetBucket: found.request.targetBucket });
    if (found.engine === 'step-functions' && found.state === 'running' && found.executionArn) {
      // The Map's batches run the executor; whether the whole restore ended is the execution's to say.
      const execution = await clients.sfn.send(new DescribeExecutionCommand({ executionArn: found.executionArn }));
      if (execution.status && execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
        found = await markFinished(service, found.request.targetBucket, request.restoreId, {
          succeeded: execution.status === 'SUCCEEDED',
          ...(execution.status === 'SUCCEEDED'
            ? {}
            : { reason: `execution ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`.trim() }),
        });
      }
    }
    if (request.action === 'status' || found.state === 'succeeded' || found.state === 'running') return found;
    if (found.state === 'failed' && found.engine === 'step-functions') {
      throw new RestoreRefusedError(
        `restoreId: received ${request.restoreId}, a restore whose Distributed Map execution failed; expected a new plan with the same asOf (it skips every object already in place)`,
      );
    }
    if (found.progress.objects > INLINE_MAX_OBJECTS) {
      const execution = await clients.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: env.restoreStateMachineArn,
          name: request.restoreId,
          input: JSON.stringify({
            restoreId: request.restoreId,
            targetBucket: found.request.targetBucket,
            manifestKey: found.manifestKey,
          }),
        }),
      );
      deps.logger.info('restore handed to the Distributed Map', {
        executionArn: execution.executionArn,
        objects: found.progress.objects,
      });
      return await markHandedOver(service, found.request.targetBucket, request.restoreId, execution.executionArn as string);
    }
    return await runInline(service, env, clients, found.request.targetBucket, request.restoreId, context, deps);
  } catch (error: unknown) {
    deps.logger.error('restore failed', error as Error);
    throw error;
  } finally {
    // The logger outlives the invocation in a warm container: this request's keys must not tag the next one's lines.
    deps.logger.resetKeys();
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}

async function runInline(
  service: RestoreServiceDependencies,
  env: RestoreEnv,
  clients: RestoreClients,
  targetBucket: string,
  restoreId: string,
  context: Context,
  deps: RestoreDependencies,
): Promise<RestoreStatusResponse> {
  const status = await runRestore(service, targetBucket, restoreId, {
    remainingMs: () => context.getRemainingTimeInMillis(),
    marginMs: SAFETY_MARGIN_MS,
  });
  deps.metrics.addMetric('RestoredObjects', MetricUnit.Count, status.progress.objectsDone);
  if (status.state === 'running') {
    // Out of time, not done: the same restore continues in a fresh invocation from its saved cursor.
    await clients.lambda.send(
      new InvokeCommand({
        FunctionName: env.restoreFunctionName,
        InvocationType: 'Event',
        Payload: Buffer.from(JSON.stringify({ action: 'continue', restoreId, targetBucket })),
      }),
    );
    deps.logger.info('restore continues in a new invocation', { progress: status.progress });
  } else {
    deps.logger.info('restore finished', { state: status.state, progress: status.progress });
  }
  return status;
}

async function runBatch(
  service: RestoreServiceDependencies,
  batch: z.output<typeof BatchSchema>,
  deps: RestoreDependencies,
): Promise<RestoreResponse> {
  const found = await findRestore(service, batch.restoreId, batch.targetBucket);
  const result = await executeRestore(
    {
      vault: service.vault,
      target: { client: service.target, bucket: batch.targetBucket },
      ...(found.request.distrustWritesAfter ? { distrustWritesAfter: new Date(found.request.distrustWritesAfter) } : {}),
      ...(found.request.removeExtraneous ? { removeExtraneous: true } : {}),
      // A Map batch may be retried after a partial run: ask the target before each write.
      recheckTarget: true,
    },
    batch.items as unknown as PlanItem[],
  );
  deps.metrics.addMetric('RestoredObjects', MetricUnit.Count, result.written);
  if (result.failed.length > 0) {
    // Failing the batch lets the Map count it against its tolerated-failure threshold and retry it.
    throw new RestoreBatchError(
      `restore batch of ${batch.items.length}: ${result.failed.length} failed: ${result.failed
        .map((f) => `${f.key}: ${f.reason}`)
        .join('; ')
        .slice(0, 2000)}`,
      result.failed,
    );
  }
  return { restoreId: batch.restoreId, batch: { written: result.written + result.present, skipped: result.skipped, failed: 0 } };
}

export const handler = (input: unknown, context: Context): Promise<RestoreResponse> => restore(input, context);

/**
 * The restore drill, for the verify function (its only caller: verify's role may invoke this function): a
 * sample restored as of `asOfMinutesAgo` into `prefix` of a restore target, hashed, and removed again.
 */
async function drill(service: RestoreServiceDependencies, env: RestoreEnv, request: DrillRequest, deps: RestoreDependencies) {
  if (!env.restoreTargets.includes(request.targetBucket)) {
    throw new RestoreRequestError(
      'targetBucket',
      request.targetBucket,
      `one of the configured restore targets (${env.restoreTargets.join(', ') || 'none are configured'})`,
    );
  }
  deps.logger.appendKeys({ action: 'drill', targetBucket: request.targetBucket });
  const result = await runDrill({
    vault: service.vault,
    target: service.target,
    account: service.account,
    sources: env.sources.map((s) => ({ bucket: s.bucket, prefixes: s.prefixes ?? [] })),
    targetBucket: request.targetBucket,
    prefix: request.prefix,
    sampleSize: request.sampleSize,
    asOf: new Date(deps.now().getTime() - request.asOfMinutesAgo * 60_000),
    now: deps.now,
    random: Math.random,
  });
  deps.logger.info('drill done', {
    drillId: result.drillId,
    sampled: result.sampled,
    matched: result.matched,
    failed: result.failed.length,
    mismatched: result.mismatched.length,
    durationMs: result.durationMs,
  });
  return result;
}
