import './powertools-env';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Readable } from 'node:stream';
import { parseCopierEnv } from '../../../lambda/adapters/env';
import { EnvironmentError } from '../../../lambda/core/errors';
import { buildClients, type CopierClients, copyEvents, handler } from '../../../lambda/handlers/copier';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const INGEST = 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222';
const DLQ = 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq';
const env = parseCopierEnv({ ...COMMON_ENV, INGEST_ROLE_ARN: INGEST, DEAD_LETTER_QUEUE_URL: DLQ });

const clients: CopierClients = {
  source: new S3Client({ region: 'eu-west-1' }),
  vault: new S3Client({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
};
const source = mockClient(clients.source);
const vault = mockClient(clients.vault);
const sqs = mockClient(clients.sqs);

function s3Event(overrides: { bucket?: string; key?: string; versionId?: string } = {}) {
  return {
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '222222222222',
    time: '2026-11-29T12:00:00Z',
    detail: {
      bucket: { name: overrides.bucket ?? 'acme-prod-invoices' },
      object: {
        key: overrides.key ?? 'invoices/2026/0001.pdf',
        size: 5,
        etag: 'e',
        'version-id': overrides.versionId ?? 'v1',
        sequencer: '0A',
      },
    },
  };
}

function record(messageId: string, body: unknown): SQSRecord {
  return {
    messageId,
    receiptHandle: `handle-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-1:222222222222:strongroom-events',
    awsRegion: 'eu-west-1',
  };
}

async function run(records: SQSRecord[]) {
  const o = observability('copier');
  const response = await copyEvents({ Records: records } satisfies SQSEvent, lambdaContext('strongroom-copier'), {
    env: () => env,
    clients: () => clients,
    logger: o.logger,
    metrics: o.metrics,
  });
  return { response, ...o };
}

beforeEach(() => {
  source.reset();
  vault.reset();
  sqs.reset();
  source.on(GetObjectCommand).callsFake(() => ({
    Body: Readable.from([Buffer.from('hello')]),
    ContentLength: 5,
    ETag: '"e"',
    LastModified: new Date('2026-11-29T11:59:59Z'),
  }));
  vault.on(PutObjectCommand).resolves({ VersionId: 'vv' });
  sqs.on(SendMessageCommand).resolves({});
});

describe('copier handler', () => {
  it('copies each record into the vault bucket and journals the batch, failing none', async () => {
    const { response, published } = await run([
      record('m-1', s3Event()),
      record('m-2', s3Event({ key: 'invoices/2026/0002.pdf' })),
    ]);
    expect(response).toEqual({ batchItemFailures: [] });
    const keys = vault.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key);
    expect(keys.filter((k) => k?.startsWith('objects/222222222222/acme-prod-invoices/'))).toHaveLength(2);
    expect(
      keys.filter((k) => k?.startsWith('journal/222222222222/') && k.includes('c6af9ac6-7b61-11e6-9a41-93e812345678')),
    ).toHaveLength(1);
    expect(vault.commandCalls(PutObjectCommand).every((c) => c.args[0].input.Bucket === env.vaultBucket)).toBe(true);
    expect(published[0]).toMatchObject({ Copied: 2, BytesCopied: 10, service: 'copier' });
  });

  it('publishes the change rate once per source bucket, in blobs of their own (all metrics of a blob share its dimensions)', async () => {
    const deleted = {
      ...s3Event({ bucket: 'acme-prod-uploads', key: 'customer/a.pdf' }),
      'detail-type': 'Object Deleted',
      detail: {
        bucket: { name: 'acme-prod-uploads' },
        object: { key: 'customer/a.pdf', 'version-id': 'dm', sequencer: '0B' },
        'deletion-type': 'Delete Marker Created',
      },
    };
    const { published } = await run([
      record('m-1', s3Event()),
      record('m-2', s3Event({ key: 'invoices/2026/0002.pdf' })),
      record('m-3', deleted),
    ]);
    expect(published).toHaveLength(3);
    expect(published[0]).not.toHaveProperty('sourceBucket');
    expect(published[0]).not.toHaveProperty('SourceWrites');
    const bySource = (bucket: string) => published.find((p) => p.sourceBucket === bucket);
    expect(bySource('acme-prod-invoices')).toMatchObject({ service: 'copier', SourceWrites: 2, SourceDeletions: 0 });
    expect(bySource('acme-prod-uploads')).toMatchObject({ service: 'copier', SourceWrites: 0, SourceDeletions: 1 });
    const directive = (bySource('acme-prod-uploads') as { _aws: { CloudWatchMetrics: Array<{ Dimensions: string[][] }> } })._aws;
    expect(directive.CloudWatchMetrics[0].Dimensions).toEqual([['service', 'sourceBucket']]);
  });

  it('sends a malformed record straight to the dead-letter queue with its reason, and acknowledges it', async () => {
    const { response, errors } = await run([
      record('bad', s3Event({ bucket: 'someone-elses-bucket' })),
      record('good', s3Event()),
    ]);
    expect(response).toEqual({ batchItemFailures: [] });
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: DLQ,
      MessageBody: JSON.stringify(s3Event({ bucket: 'someone-elses-bucket' })),
      MessageAttributes: expect.objectContaining({
        reason: {
          DataType: 'String',
          StringValue: expect.stringContaining('body.detail.bucket.name: received "someone-elses-bucket"'),
        },
        originalMessageId: { DataType: 'String', StringValue: 'bad' },
      }),
    });
    expect(errors[0]).toEqual(['malformed record', expect.objectContaining({ messageId: 'bad' })]);
  });

  it('reports exactly the records whose copy failed', async () => {
    source
      .on(GetObjectCommand, { Key: 'invoices/2026/0002.pdf' })
      .rejects(Object.assign(new Error(''), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }));
    const { response, published } = await run([
      record('m-1', s3Event()),
      record('m-2', s3Event({ key: 'invoices/2026/0002.pdf' })),
    ]);
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(published[0]).toMatchObject({ Copied: 1, CopyFailures: 1 });
  });

  it('the exported handler fails the whole invocation when its environment is broken (messages stay queued)', async () => {
    const error = await rejection(() => handler({ Records: [record('m-1', s3Event())] }, lambdaContext('strongroom-copier')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('INGEST_ROLE_ARN: received (missing)');
  });

  it('builds a vault client that writes as the ingest role, assumed with the external id', async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
    });
    const built = buildClients(env, 'eu-west-1');
    const credentials = await built.vault.config.credentials();
    expect(credentials).toMatchObject({ accessKeyId: 'ASIA', sessionToken: 't' });
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: INGEST,
      ExternalId: COMMON_ENV.EXTERNAL_ID,
      RoleSessionName: 'strongroom-copier-222222222222',
    });
    sts.restore();
  });
});
