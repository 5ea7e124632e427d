import './powertools-env';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { parseCopierEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError, NotAvailableError } from '../../../lambda/core/errors';
import { copyBatch, handler } from '../../../lambda/handlers/copier';
import { COPY_FAILURES_METRIC } from '../../../lambda/handlers/metrics';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseCopierEnv({ ...COMMON_ENV, INGEST_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222' });

function s3Event(overrides: { bucket?: string; key?: string; account?: string; detailType?: string } = {}) {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': overrides.detailType ?? 'Object Created',
    source: 'aws.s3',
    account: overrides.account ?? '222222222222',
    time: '2024-05-01T12:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${overrides.bucket ?? 'acme-prod-invoices'}`],
    detail: {
      version: '0',
      bucket: { name: overrides.bucket ?? 'acme-prod-invoices' },
      object: { key: overrides.key ?? 'invoices/2024/0001.pdf', size: 5, 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e' },
      reason: 'PutObject',
    },
  };
}

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1714564800000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1714564800000',
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:222222222222:strongroom-events',
    awsRegion: 'eu-west-1',
  };
}

async function run(records: SQSRecord[]) {
  const o = observability('copier');
  const response = await copyBatch({ Records: records } satisfies SQSEvent, lambdaContext('strongroom-copier'), {
    env: () => env,
    logger: o.logger,
    metrics: o.metrics,
  });
  const errors = o.errors.map(([, attributes]) => (attributes as { error: Error }).error);
  return { response, errors, published: o.published };
}

describe('copier handler', () => {
  it('returns every valid record as a batch item failure, never as copied, because copying is not available yet', async () => {
    // Prepare
    const records = [
      record('m-1', s3Event()),
      record('m-2', s3Event({ bucket: 'acme-prod-uploads', key: 'customer/a.csv', detailType: 'Object Deleted' })),
    ];

    // Act
    const { response, errors } = await run(records);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }] });
    expect(errors).toHaveLength(2);
    for (const error of errors) {
      expect(error).toBeInstanceOf(NotAvailableError);
      expect(error.message).toBe('copier is not available in this version of Strongroom');
    }
  });

  it('publishes the number of failed records as CopyFailures', async () => {
    const { published } = await run([record('m-1', s3Event()), record('m-2', s3Event())]);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ [COPY_FAILURES_METRIC]: 2, service: 'copier' });
  });

  it('rejects a body that is not JSON, naming the field and the value', async () => {
    const { response, errors } = await run([record('m-1', 'not json')]);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'm-1' }]);
    expect(errors[0]).toBeInstanceOf(InputValidationError);
    expect(errors[0]?.message).toBe(
      'invalid SQS record m-1: body: received "not json", expected an EventBridge S3 event, as JSON',
    );
  });

  it('rejects an event for a bucket that is not a configured source, naming the bucket', async () => {
    const { errors } = await run([record('m-1', s3Event({ bucket: 'someone-elses-bucket' }))]);
    expect(errors[0]).toBeInstanceOf(InputValidationError);
    expect(errors[0]?.message).toContain('body.detail.bucket.name: received "someone-elses-bucket"');
    expect(errors[0]?.message).toContain('acme-prod-invoices, acme-prod-uploads');
  });

  it('rejects an event from another account, naming the account', async () => {
    const { errors } = await run([record('m-1', s3Event({ account: '999999999999' }))]);
    expect(errors[0]?.message).toContain(
      'body.account: received "999999999999", expected this account, SOURCE_ACCOUNT_ID (222222222222)',
    );
  });

  it('rejects an event of another kind, naming detail-type and its value', async () => {
    const { errors } = await run([record('m-1', s3Event({ detailType: 'Object Restore Completed' }))]);
    expect(errors[0]?.message).toContain(
      'body.detail-type: received "Object Restore Completed", expected "Object Created" or "Object Deleted"',
    );
  });

  it('reports each record on its own: one bad record does not hide the others', async () => {
    const { response, errors } = await run([record('bad', 'not json'), record('good', s3Event())]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['bad', 'good']);
    expect(errors.map((e) => e.name).sort()).toEqual(['InputValidationError', 'NotAvailableError']);
  });

  it('the exported handler fails the whole invocation when its environment is broken (messages stay queued)', async () => {
    const error = await rejection(() => handler({ Records: [record('m-1', s3Event())] }, lambdaContext('strongroom-copier')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('INGEST_ROLE_ARN: received (missing)');
  });
});
