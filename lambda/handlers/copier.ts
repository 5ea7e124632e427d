import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import * as z from 'zod';
import { SOURCE_BUCKET_DIMENSION, SOURCE_DELETIONS_METRIC, SOURCE_WRITES_METRIC } from '../../contract/metrics';
import { type CopierEnv, once, onceWith, parseCopierEnv } from '../adapters/env';
import { createS3Client, createVaultClient } from '../adapters/s3-client';
import { type BatchResult, type CopierMetric, copyBatch, type QueuedRecord } from '../core/copier';
import { DEFAULT_TUNING } from '../core/copy-version';
import { parseInput } from './input';

/*
 * Copier: SQS batches of S3 change events (delivered through EventBridge, or queued by the
 * reconciler) in, partial batch failures out. The work is the copy engine's (lambda/core/copier.ts);
 * this adapter builds the clients once per container and maps logs and metrics to Powertools.
 */

/** Distinct changes copied at once. With 8 MiB parts, 4 in flight, this stays well inside 1 GB of memory. */
export const CHANGES_IN_FLIGHT = 8;

export interface CopierClients {
  /** Reads the sources as the copier's own role. */
  readonly source: S3Client;
  /** Writes the vault as the ingest role (assumed with the external id, cached). */
  readonly vault: S3Client;
  readonly sqs: SQSClient;
}

export interface CopierRuntime {
  readonly env: () => CopierEnv;
  readonly clients: (env: CopierEnv) => CopierClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** One set of clients per container: connections and cached credentials survive between invocations. */
export function buildClients(env: CopierEnv, region = process.env.AWS_REGION ?? 'us-east-1'): CopierClients {
  const maxSockets = CHANGES_IN_FLIGHT * (DEFAULT_TUNING.partsInFlight + 1);
  return {
    source: createS3Client({ region, maxSockets }),
    vault: createVaultClient(env, { roleArn: env.ingestRoleArn, caller: 'copier' }, { region, maxSockets }),
    sqs: new SQSClient({ region }),
  };
}

const defaultRuntime: CopierRuntime = {
  env: once(() => parseCopierEnv()),
  clients: onceWith((env: CopierEnv) => buildClients(env)),
  logger: new Logger(),
  metrics: new Metrics(),
};

const UNITS: Record<CopierMetric, (typeof MetricUnit)[keyof typeof MetricUnit]> = {
  Copied: MetricUnit.Count,
  AlreadyInVault: MetricUnit.Count,
  GoneBeforeCopy: MetricUnit.Count,
  Malformed: MetricUnit.Count,
  CopyFailures: MetricUnit.Count,
  ConfigurationFaults: MetricUnit.Count,
  BytesCopied: MetricUnit.Bytes,
};

/** What the SQS event source delivers: a direct invocation with anything else is refused, naming the field. */
export const CopierEventSchema = z.looseObject(
  {
    Records: z.array(
      z.looseObject(
        {
          messageId: z.string({ error: 'the SQS message id (a string)' }),
          body: z.string({ error: 'the SQS message body (a string)' }),
        },
        { error: 'an SQS record {messageId, body, ...}' },
      ),
      { error: 'the batch of SQS records the event source delivers' },
    ),
  },
  { error: 'an SQS event {Records: [...]} (the copier is invoked by its SQS event source)' },
);

export async function copyEvents(
  event: SQSEvent,
  context: Context,
  runtime: CopierRuntime = defaultRuntime,
): Promise<SQSBatchResponse> {
  runtime.logger.addContext(context);
  // An invalid environment fails the whole invocation (Errors alarm); the messages stay queued.
  const env = runtime.env();
  // Fuzzing found `event.Records.map` throwing a TypeError for a direct invocation with another event.
  const { Records } = parseInput(CopierEventSchema, event, 'copier event');
  const clients = runtime.clients(env);
  const records: QueuedRecord[] = Records.map((r) => ({ messageId: r.messageId, body: r.body }));
  // One data point per metric per invocation, whatever the batch size.
  const counts = new Map<CopierMetric, number>();
  let result: BatchResult | undefined;
  try {
    result = await copyBatch(
      {
        copy: {
          sourceAccount: env.sourceAccountId,
          source: clients.source,
          sourceRole: `the copier role ${context.functionName}`,
          vault: {
            client: clients.vault,
            bucket: env.vaultBucket,
            writerRole: `the ingest role ${env.ingestRoleArn}`,
            writeOnce: 'server',
          },
          tuning: DEFAULT_TUNING,
          now: () => new Date(),
        },
        scope: { account: env.sourceAccountId, sources: env.sources },
        log: {
          info: (message, fields) => runtime.logger.info(message, fields ?? {}),
          warn: (message, fields) => runtime.logger.warn(message, fields ?? {}),
          error: (message, fields) => runtime.logger.error(message, fields ?? {}),
        },
        count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
        deadLetter: async (record, reason) => {
          await clients.sqs.send(
            new SendMessageCommand({
              QueueUrl: env.deadLetterQueueUrl,
              MessageBody: record.body,
              MessageAttributes: {
                reason: { DataType: 'String', StringValue: reason.slice(0, 1024) },
                originalMessageId: { DataType: 'String', StringValue: record.messageId },
              },
            }),
          );
        },
        concurrency: CHANGES_IN_FLIGHT,
        segmentId: context.awsRequestId,
      },
      records,
    );
    return { batchItemFailures: result.failedMessageIds.map((id) => ({ itemIdentifier: id })) };
  } finally {
    for (const [metric, value] of counts) runtime.metrics.addMetric(metric, UNITS[metric], value);
    runtime.metrics.publishStoredMetrics();
    // One blob per source: every metric of an EMF blob shares its dimensions (publishing clears the bucket's).
    for (const c of result?.changeCounts ?? []) {
      runtime.metrics.addDimension(SOURCE_BUCKET_DIMENSION, c.bucket);
      runtime.metrics.addMetric(SOURCE_WRITES_METRIC, MetricUnit.Count, c.writes);
      runtime.metrics.addMetric(SOURCE_DELETIONS_METRIC, MetricUnit.Count, c.deletions);
      runtime.metrics.publishStoredMetrics();
    }
  }
}

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => copyEvents(event, context);
