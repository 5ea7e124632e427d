import '../handlers/powertools-env';
import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { ListObjectsV2Command, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCopierEnv, parseReconcilerEnv, parseRestoreEnv } from '../../../lambda/adapters/env';
import { InputValidationError } from '../../../lambda/core/errors';
import { RestoreRequestError } from '../../../lambda/core/restore-service';
import { type CopierClients, copyEvents } from '../../../lambda/handlers/copier';
import { type ReconcilerClients, runReconciler } from '../../../lambda/handlers/reconciler';
import { type RestoreDependencies, restore } from '../../../lambda/handlers/restore';
import { MemoryVault, version } from '../core/memory-vault';
import { ACCOUNT, BUCKET } from '../core/support';
import { COMMON_ENV, lambdaContext, observability, rejection } from '../handlers/fixtures';

/*
 * Each bug the fuzz suites found, reproduced by the smallest input that showed it, next to the fix's promise.
 */

describe('copier handler: an invocation that is not an SQS batch', () => {
  const env = parseCopierEnv({
    ...COMMON_ENV,
    INGEST_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq',
  });
  const clients: CopierClients = {
    source: new S3Client({ region: 'eu-west-1' }),
    vault: new S3Client({ region: 'eu-west-1' }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
  };
  const mocks = [mockClient(clients.source), mockClient(clients.vault), mockClient(clients.sqs)];

  it.each([
    [{}, /Records: received \(missing\), expected the batch of SQS records/],
    [null, /\(top level\): received null, expected an SQS event \{Records: \[\.\.\.\]\}/],
    [{ Records: 'x' }, /Records: received "x", expected the batch of SQS records/],
    [{ Records: [null] }, /Records\[0\]: received null, expected an SQS record \{messageId, body, \.\.\.\}/],
    [{ Records: [{ messageId: 'm-1', body: 7 }] }, /Records\[0\]\.body: received 7, expected the SQS message body/],
  ])('refuses %j naming the field (it used to throw a TypeError), reading and writing nothing', async (event, message) => {
    const o = observability('copier');
    const error = await rejection(() =>
      copyEvents(event as unknown as SQSEvent, lambdaContext('strongroom-copier'), {
        env: () => env,
        clients: () => clients,
        logger: o.logger,
        metrics: o.metrics,
      }),
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(message);
    for (const m of mocks) expect(m.calls()).toHaveLength(0);
  });
});

describe('restore handler: refused requests write nothing to the target', () => {
  const TARGET = 'acme-prod-restore';
  const env = parseRestoreEnv({
    ...COMMON_ENV,
    RESTORE_READER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222',
    RESTORE_TARGETS: JSON.stringify([TARGET]),
    RESTORE_FUNCTION_NAME: 'strongroom-restore',
    RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore',
  });
  const ctx = { ...lambdaContext('strongroom-restore'), getRemainingTimeInMillis: () => 600_000 };
  const plan = { action: 'plan', sourceBucket: BUCKET, asOf: '2026-11-30T00:00:00Z', targetBucket: TARGET };

  async function setup() {
    const vault = new MemoryVault();
    const target = new MemoryVault();
    const body = Buffer.from('invoice');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const e = version('invoices/0.pdf', 'v0', 0, { size: body.length, sha256 });
    vault.objects.set(e.vaultKey, { body, metadata: { sha256 }, lastModified: new Date('2026-11-29T11:00:00Z') });
    await vault.append(ACCOUNT, [e]);
    const o = observability('restore');
    const deps: RestoreDependencies = {
      env: () => env,
      clients: () => ({
        vault: vault.client,
        target: target.client,
        lambda: mockClient(new LambdaClient({ region: 'eu-west-1' })) as unknown as LambdaClient,
        sfn: mockClient(new SFNClient({ region: 'eu-west-1' })) as unknown as SFNClient,
      }),
      logger: o.logger,
      metrics: o.metrics,
      now: () => new Date('2026-12-01T12:00:00Z'),
    };
    return { target, deps };
  }

  it.each([
    [
      { ...plan, asOf: '2026-11-29T09:59:58Z' },
      /asOf: received "2026-11-29T09:59:58Z", expected an instant at or after the earliest/,
    ],
    [
      { ...plan, sourceBucket: 'acme-prod-invoice' },
      /sourceBucket: received "acme-prod-invoice", expected a bucket \(and prefix\) with backups/,
    ],
  ])('a plan refused once planned (%j) no longer writes and deletes its manifest', async (request, message) => {
    const { target, deps } = await setup();
    const error = await rejection(() => restore(request, ctx, deps));
    expect(error).toBeInstanceOf(RestoreRequestError);
    expect(error.message).toMatch(message);
    expect(target.mock.calls().map((c) => (c.args[0] as object).constructor.name)).not.toContain('PutObjectCommand');
    expect(target.mock.calls().map((c) => (c.args[0] as object).constructor.name)).not.toContain('DeleteObjectCommand');
  });

  it('a batch with a mangled manifest line is refused naming the field before any object is written', async () => {
    const { target, deps } = await setup();
    const planned = (await restore(plan, ctx, deps)) as { restoreId: string; manifest: { key: string } };
    const [line] = (target.objects.get(planned.manifest.key)?.body.toString('utf8') ?? '').trim().split('\n');
    const item = JSON.parse(line as string);
    const good = { ...item, key: 'invoices/ok.pdf', targetKey: 'invoices/ok.pdf' };
    const mangled = { ...item, entry: { ...item.entry, metadata: { '': null } } };
    target.mock.resetHistory();
    const error = await rejection(() =>
      restore({ action: 'batch', restoreId: planned.restoreId, targetBucket: TARGET, items: [good, mangled] }, ctx, deps),
    );
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(/items\[1\]\.entry\.metadata\[""\]: received null, expected/);
    expect(target.mock.calls().map((c) => (c.args[0] as object).constructor.name)).not.toContain('PutObjectCommand');
  });
});

describe('reconciler handler: checkpoints it cannot resume from', () => {
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
  const run = (input: unknown) => {
    const o = observability('reconciler');
    const context = { ...lambdaContext('strongroom-reconciler'), getRemainingTimeInMillis: () => 600_000 };
    return runReconciler(input, context, { env: () => env, clients: () => clients, logger: o.logger, metrics: o.metrics });
  };
  beforeEach(() => {
    for (const m of [source, vault, sqs]) m.reset();
    vault.on(ListObjectsV2Command).resolves({ Contents: [] });
    source.on(ListObjectVersionsCommand).resolves({
      Versions: [{ Key: 'private/b.csv', VersionId: 'v1', ETag: '"e"', LastModified: new Date(0) }],
    });
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  });

  it("refuses a prefixIndex past the source's prefixes (it listed the whole bucket and enqueued keys outside them)", async () => {
    // acme-prod-uploads backs up customer/ only: prefix 1 does not exist.
    const checkpoint = { runId: 'run-1', sourceIndex: 1, prefixIndex: 1, listed: 0, enqueued: 0 };
    const error = await rejection(() => run({ checkpoint }));
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toContain(
      'checkpoint.prefixIndex: received 1, expected an index of the 1 prefixes of acme-prod-uploads (0 to 0)',
    );
    expect(source.calls()).toHaveLength(0);
    expect(sqs.calls()).toHaveLength(0);
  });

  it('refuses a sourceIndex past the configured sources', async () => {
    const error = await rejection(() =>
      run({ checkpoint: { runId: 'r', sourceIndex: 3, prefixIndex: 0, listed: 0, enqueued: 0 } }),
    );
    expect(error.message).toContain('checkpoint.sourceIndex: received 3, expected an index of the 2 configured sources');
  });

  it('starts a new pass for a schedule event that carries a checkpoint, never resuming from an unchecked one', async () => {
    const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', checkpoint: { sourceIndex: 1 } };
    const result = await run(scheduled);
    expect(result.done).toBe(true);
    expect(source.commandCalls(ListObjectVersionsCommand)[0]?.args[0].input).toMatchObject({ Bucket: 'acme-prod-invoices' });
  });
});
