import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { type CopierEnv, once, parseCopierEnv } from '../adapters/env';
import { describeValue, InputValidationError, NotAvailableError, type Problem, problemsFromIssues } from '../core/errors';
import { COPY_FAILURES_METRIC } from './metrics';

/*
 * Copier: SQS batches of S3 change events (delivered through EventBridge) in, partial batch
 * failures out. A record that fails goes back to the queue and, after maxReceiveCount attempts,
 * to the dead-letter queue (which alarms). The copy itself belongs to the copy engine; until it
 * lands, every record is returned as a failure, so nothing is ever acknowledged without a copy.
 */

/** What EventBridge delivers for an S3 change (only the fields the copier relies on). */
const S3ChangeEventSchema = z.looseObject({
  source: z.literal('aws.s3', { error: '"aws.s3"' }),
  'detail-type': z.enum(['Object Created', 'Object Deleted'], { error: '"Object Created" or "Object Deleted"' }),
  account: z.string({ error: 'the 12-digit id of the account owning the bucket' }),
  time: z.string({ error: 'the event time (ISO-8601)' }),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string({ error: 'a bucket name' }) }),
    object: z.looseObject({
      key: z.string({ error: 'an object key' }).min(1, { error: 'a non-empty object key' }),
      'version-id': z.string({ error: 'a version id' }).optional(),
    }),
  }),
});

export type S3ChangeEvent = z.output<typeof S3ChangeEventSchema>;

export interface CopierDependencies {
  readonly env: () => CopierEnv;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const defaultDependencies: CopierDependencies = {
  env: once(() => parseCopierEnv()),
  logger: new Logger(),
  metrics: new Metrics(),
};

/** Parse one record's body and check it concerns a configured source of this account. */
export function parseRecord(record: SQSRecord, env: CopierEnv): S3ChangeEvent {
  const subject = `SQS record ${record.messageId}`;
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (error) {
    throw new InputValidationError(
      subject,
      [{ field: 'body', received: describeValue(record.body), expected: 'an EventBridge S3 event, as JSON' }],
      { cause: error },
    );
  }
  const parsed = S3ChangeEventSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw new InputValidationError(subject, problemsFromIssues(parsed.error.issues, body, ['body']));
  const event = parsed.data;
  const problems: Problem[] = [];
  if (event.account !== env.sourceAccountId) {
    problems.push({
      field: 'body.account',
      received: describeValue(event.account),
      expected: `this account, SOURCE_ACCOUNT_ID (${env.sourceAccountId})`,
    });
  }
  const buckets = env.sources.map((s) => s.bucket);
  if (!buckets.includes(event.detail.bucket.name)) {
    problems.push({
      field: 'body.detail.bucket.name',
      received: describeValue(event.detail.bucket.name),
      expected: `one of the configured sources (${buckets.join(', ')})`,
    });
  }
  if (problems.length > 0) throw new InputValidationError(subject, problems);
  return event;
}

export async function copyBatch(event: SQSEvent, context: Context, deps = defaultDependencies): Promise<SQSBatchResponse> {
  deps.logger.addContext(context);
  // An invalid environment fails the whole invocation (Errors alarm); the messages stay queued.
  const env = deps.env();
  // Records are processed concurrently, so correlation keys go on each log line, not on the shared logger.
  const copyRecord = async (record: SQSRecord): Promise<void> => {
    let keys: Record<string, string | undefined> = { messageId: record.messageId };
    try {
      const change = parseRecord(record, env);
      keys = {
        ...keys,
        bucket: change.detail.bucket.name,
        key: change.detail.object.key,
        versionId: change.detail.object['version-id'],
      };
      throw new NotAvailableError('copier');
    } catch (error: unknown) {
      deps.logger.error('record not copied; returned to the queue', { ...keys, error: error as Error });
      throw error;
    }
  };
  // Even when every record fails the response lists them one by one (no FullBatchFailureError), so
  // Lambda returns exactly those to the queue and their receive counts advance towards the DLQ.
  const response = await processPartialResponse(event, copyRecord, new BatchProcessor(EventType.SQS), {
    context,
    throwOnFullBatchFailure: false,
  });
  deps.metrics.addMetric(COPY_FAILURES_METRIC, MetricUnit.Count, response.batchItemFailures.length);
  deps.metrics.publishStoredMetrics();
  return response;
}

export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => copyBatch(event, context);
