import './powertools-env';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetObjectCommand, ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseReconcilerEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError } from '../../../lambda/core/errors';
import { encodeSegment } from '../../../lambda/core/journal';
import { handler, type ReconcilerClients, runReconciler } from '../../../lambda/handlers/reconciler';
import { entry, sdkBody } from '../core/support';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseReconcilerEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events',
  RECONCILER_FUNCTION_NAME: 'strongroom-reconciler',
});

const clients: ReconcilerClients = {
  source: new S3Client({ region: 'eu-west-1' }),
  vault: new S3Client({ region: 'eu-west-1' }),
  sqs: new SQSClient({ region: 'eu-west-1' }),
  lambda: new LambdaClient({ region: 'eu-west-1' }),
};
const source = mockClient(clients.source);
const vault = mockClient(clients.vault);
const sqs = mockClient(clients.sqs);
const lambda = mockClient(clients.lambda);
const SCHEDULED = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

function run(input: unknown, remaining = () => 600_000) {
  const o = observability('reconciler');
  const context = { ...lambdaContext('strongroom-reconciler'), getRemainingTimeInMillis: remaining };
  return runReconciler(input, context, { env: () => env, clients: () => clients, logger: o.logger, metrics: o.metrics });
}

beforeEach(() => {
  for (const m of [source, vault, sqs, lambda]) m.reset();
  vault.on(ListObjectsV2Command).resolves({ Contents: [] });
  source.on(ListObjectVersionsCommand).resolves({ Versions: [], DeleteMarkers: [] });
  sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('reconciler handler', () => {
  it('on schedule, enqueues every listed version the journal lacks, ten messages per batch call', async () => {
    source.on(ListObjectVersionsCommand, { Bucket: 'acme-prod-invoices' }).resolves({
      Versions: Array.from({ length: 12 }, (_, i) => ({
        Key: `k${i}`,
        VersionId: `v${i}`,
        ETag: '"e"',
        LastModified: new Date(0),
      })),
    });
    const result = await run(SCHEDULED);
    expect(result.done).toBe(true);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageBatchCommand, 2);
    expect(sqs).toHaveReceivedCommandWith(SendMessageBatchCommand, { QueueUrl: env.queueUrl });
    expect(lambda).not.toHaveReceivedAnyCommand();
  });

  it("reads the account's journal through the auditor's vault client, and enqueues only what it lacks", async () => {
    const segmentKey = `journal/${env.sourceAccountId}/2026/11/29/20261129T100000000Z-req.ndjson`;
    const segment = encodeSegment([
      entry({
        kind: 'version',
        account: env.sourceAccountId,
        bucket: 'acme-prod-invoices',
        key: 'k0',
        token: 'v.v0',
        sourceVersionId: 'v0',
        sourceTime: new Date(0).toISOString(),
      }),
    ]);
    vault.on(ListObjectsV2Command, { Prefix: `journal/${env.sourceAccountId}/` }).resolves({
      Contents: [{ Key: segmentKey, LastModified: new Date('2026-11-29T10:00:01Z') }],
    });
    vault
      .on(GetObjectCommand, { Key: segmentKey })
      .callsFake(() => ({ Body: sdkBody(segment.body), Metadata: { sha256: segment.sha256 } }));
    source.on(ListObjectVersionsCommand, { Bucket: 'acme-prod-invoices' }).resolves({
      Versions: ['v0', 'v1'].map((id) => ({ Key: 'k0', VersionId: id, ETag: '"e"', LastModified: new Date(0) })),
    });
    await run(SCHEDULED);
    expect(vault).toHaveReceivedCommandWith(ListObjectsV2Command, {
      Bucket: env.vaultBucket,
      Prefix: `journal/${env.sourceAccountId}/`,
    });
    const sent = sqs.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(sent.map((e) => JSON.parse(e.MessageBody as string).detail.object)).toEqual([
      { key: 'k0', etag: 'e', 'version-id': 'v1' },
    ]);
  });

  it('lists the prefixed source only under its prefixes (its role may list nothing else)', async () => {
    await run(SCHEDULED);
    expect(source).toHaveReceivedCommandWith(ListObjectVersionsCommand, { Bucket: 'acme-prod-uploads', Prefix: 'customer/' });
    expect(source).not.toHaveReceivedCommandWith(ListObjectVersionsCommand, { Bucket: 'acme-prod-uploads', Prefix: undefined });
  });

  it('continues a pass that outgrows its invocation by invoking itself with the checkpoint', async () => {
    source
      .on(ListObjectVersionsCommand, { Bucket: 'acme-prod-invoices' })
      .resolves({ IsTruncated: true, NextKeyMarker: 'k', NextVersionIdMarker: 'v', Versions: [] });
    let calls = 0;
    const result = await run(SCHEDULED, () => (calls++ === 0 ? 600_000 : 1_000));
    expect(result.done).toBe(false);
    const payload = JSON.parse(Buffer.from(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array).toString());
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: 'strongroom-reconciler', InvocationType: 'Event' });
    expect(payload).toEqual({ checkpoint: expect.objectContaining({ sourceIndex: 0, keyMarker: 'k', versionIdMarker: 'v' }) });
    // ... and the continuation is accepted as input.
    source.on(ListObjectVersionsCommand, { Bucket: 'acme-prod-invoices' }).resolves({ Versions: [] });
    expect((await run(payload)).done).toBe(true);
  });

  it('fails the run when SQS refuses part of a batch, so the pass is retried', async () => {
    source.on(ListObjectVersionsCommand, { Bucket: 'acme-prod-invoices' }).resolves({
      Versions: [{ Key: 'k', VersionId: 'v', ETag: '"e"', LastModified: new Date(0) }],
    });
    sqs.on(SendMessageBatchCommand).resolves({ Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false }] });
    await expect(run(SCHEDULED)).rejects.toThrow('could not enqueue 1 of 1 messages: InternalError');
  });

  it('refuses anything else, naming the value received and the accepted forms', async () => {
    const error = await rejection(() => run({ source: 'aws.s3' }));
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toBe(
      'invalid reconciler input: (top level): received {"source":"aws.s3"}, expected an EventBridge "Scheduled Event", or a continuation {checkpoint: {...}} from an earlier run',
    );
  });

  it('refuses a continuation whose checkpoint is malformed, naming the field', async () => {
    const error = await rejection(() =>
      run({ checkpoint: { runId: 'r', sourceIndex: -1, prefixIndex: 0, listed: 0, enqueued: 0 } }),
    );
    expect(error).toBeInstanceOf(InputValidationError);
  });

  it('the exported handler reads the real environment and fails fast, naming what is missing', async () => {
    const error = await rejection(() => handler({}, lambdaContext('strongroom-reconciler')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('QUEUE_URL: received (missing)');
  });
});
