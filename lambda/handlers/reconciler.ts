import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { describeValue, StrongroomError } from '../../contract/errors';
import { once, onceWith, parseReconcilerEnv, type ReconcilerEnv } from '../adapters/env';
import { createS3Client, createVaultClient } from '../adapters/s3-client';
import { InputValidationError } from '../core/errors';
import { openJournal } from '../core/journal-reader';
import { type ReconcileCheckpoint, ReconcileCheckpointSchema, reconcile } from '../core/reconciler';
import { parseInput, ScheduledEventSchema } from './input';

/*
 * Reconciler: on a schedule, re-lists the sources and enqueues for the copier what the vault's
 * journal lacks (and what the sources lost: versions destroyed, unversioned objects deleted); when a pass outgrows one invocation it re-invokes itself asynchronously with its
 * checkpoint. The work is lambda/core/reconciler.ts; this adapter builds the clients.
 */

const EXPECTED = 'an EventBridge "Scheduled Event", or a continuation {checkpoint: {...}} from an earlier run';
export const ReconcilerInputSchema = z.union(
  [ScheduledEventSchema, z.strictObject({ checkpoint: ReconcileCheckpointSchema }, { error: EXPECTED })],
  { error: EXPECTED },
);

/** Stop listing with this much time left: one page of 1,000 versions plus its enqueueing fits easily. */
export const SAFETY_MARGIN_MS = 60_000;

export interface ReconcilerClients {
  /** Lists the sources as the reconciler's own role. */
  readonly source: S3Client;
  /** Reads the vault's journal as the auditor role. */
  readonly vault: S3Client;
  readonly sqs: SQSClient;
  readonly lambda: LambdaClient;
}

export interface ReconcilerRuntime {
  readonly env: () => ReconcilerEnv;
  readonly clients: (env: ReconcilerEnv) => ReconcilerClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function buildClients(env: ReconcilerEnv, region = process.env.AWS_REGION ?? 'us-east-1'): ReconcilerClients {
  return {
    source: createS3Client({ region, maxSockets: 4 }),
    vault: createVaultClient(env, { roleArn: env.auditorRoleArn, caller: 'reconciler' }, { region, maxSockets: 16 }),
    sqs: new SQSClient({ region }),
    lambda: new LambdaClient({ region }),
  };
}

const defaultRuntime: ReconcilerRuntime = {
  env: once(() => parseReconcilerEnv()),
  clients: onceWith((env: ReconcilerEnv) => buildClients(env)),
  logger: new Logger(),
  metrics: new Metrics(),
};

export interface ReconcileRunResult {
  readonly done: boolean;
  readonly checkpoint: ReconcileCheckpoint;
}

export async function runReconciler(
  input: unknown,
  context: Context,
  runtime: ReconcilerRuntime = defaultRuntime,
): Promise<ReconcileRunResult> {
  runtime.logger.addContext(context);
  try {
    const env = runtime.env();
    const parsed = parseInput(ReconcilerInputSchema, input, 'reconciler input');
    // Only the continuation has no `source`: a schedule's event that carries a `checkpoint` key matched the
    // loose schedule schema, and its checkpoint was never validated (found by fuzzing).
    const from = 'source' in parsed ? undefined : resumable(parsed.checkpoint as ReconcileCheckpoint, env.sources);
    const clients = runtime.clients(env);
    const result = await reconcile(
      {
        scope: { account: env.sourceAccountId, sources: env.sources },
        source: clients.source,
        openJournal: () => openJournal({ client: clients.vault, bucket: env.vaultBucket }, env.sourceAccountId),
        enqueue: (bodies) => enqueue(clients.sqs, env.queueUrl, bodies),
        remainingMs: () => context.getRemainingTimeInMillis(),
        marginMs: SAFETY_MARGIN_MS,
        newRunId: () => randomUUID(),
        now: () => new Date(),
      },
      from,
    );
    const { checkpoint } = result;
    runtime.metrics.addMetric('ReconcileEnqueued', MetricUnit.Count, checkpoint.enqueued - (from?.enqueued ?? 0));
    if (!result.done) {
      // Continue in a fresh invocation; the same pass (runId), from where this one stopped.
      await clients.lambda.send(
        new InvokeCommand({
          FunctionName: env.reconcilerFunctionName,
          InvocationType: 'Event',
          Payload: Buffer.from(JSON.stringify({ checkpoint })),
        }),
      );
      runtime.logger.info('reconcile pass continues in a new invocation', { ...checkpoint });
    } else {
      runtime.logger.info('reconcile pass complete', { ...checkpoint });
    }
    return result;
  } catch (error: unknown) {
    runtime.logger.error('reconciliation failed', error as Error);
    throw error;
  } finally {
    runtime.metrics.publishStoredMetrics();
  }
}

/**
 * A checkpoint this configuration can resume from. Fuzzing found a prefixIndex past a source's prefixes listing
 * the whole bucket, and enqueueing keys outside the prefixes that the copier then refuses.
 */
function resumable(checkpoint: ReconcileCheckpoint, sources: ReconcilerEnv['sources']): ReconcileCheckpoint {
  const source = sources[checkpoint.sourceIndex];
  const prefixes = source?.prefixes ?? [''];
  const problem =
    checkpoint.sourceIndex > sources.length
      ? {
          field: 'checkpoint.sourceIndex',
          expected: `an index of the ${sources.length} configured sources (at most ${sources.length}, done)`,
        }
      : source && checkpoint.prefixIndex >= prefixes.length
        ? {
            field: 'checkpoint.prefixIndex',
            expected: `an index of the ${prefixes.length} prefixes of ${source.bucket} (0 to ${prefixes.length - 1})`,
          }
        : undefined;
  if (!problem) return checkpoint;
  const received = checkpoint[problem.field === 'checkpoint.sourceIndex' ? 'sourceIndex' : 'prefixIndex'];
  throw new InputValidationError('reconciler input', [{ ...problem, received: describeValue(received) }]);
}

/** SQS refused some of the messages of a batch: the pass fails and is retried. */
export class EnqueueError extends StrongroomError {
  public override readonly name = 'EnqueueError';
}

/** SQS takes at most 10 messages per batch call; a partially failed batch is an error (the pass retries). */
async function enqueue(sqs: SQSClient, queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, j) => ({ Id: String(i + j), MessageBody: body }));
    const result = await sqs.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }));
    if (result.Failed?.length) {
      throw new EnqueueError(
        `could not enqueue ${result.Failed.length} of ${entries.length} messages: ${result.Failed[0]?.Code} ${result.Failed[0]?.Message ?? ''}`,
      );
    }
  }
}

export const handler = (input: unknown, context: Context): Promise<ReconcileRunResult> => runReconciler(input, context);
