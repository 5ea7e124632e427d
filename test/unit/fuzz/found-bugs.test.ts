import '../handlers/powertools-env';
import { createHash } from 'node:crypto';
import { ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { InputValidationError } from '../../../lambda/core/errors';
import { RestoreRequestError } from '../../../lambda/core/restore-service';
import { parseSourceChange } from '../../../lambda/core/source-change';
import { copyEvents } from '../../../lambda/handlers/copier';
import { runReconciler } from '../../../lambda/handlers/reconciler';
import { restore } from '../../../lambda/handlers/restore';
import { version } from '../core/memory-vault';
import { ACCOUNT, BUCKET, s3Event } from '../core/support';
import { lambdaContext, observability, rejection } from '../handlers/fixtures';
import {
  copierClients,
  copierEnv,
  RESTORE_TARGET,
  reconcilerClients,
  reconcilerEnv,
  restoreContext,
  restoreWorld,
} from './handlers';

/*
 * Each bug the fuzz suites found, reproduced by the smallest input that showed it, next to the fix's promise.
 */

describe('copier handler: an invocation that is not an SQS batch', () => {
  const { clients, source, vault, sqs } = copierClients();
  const mocks = [source, vault, sqs];

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
        env: () => copierEnv,
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

describe('copier: a delete marker event whose version id is empty', () => {
  it('names the empty id it received (it was reported as missing)', () => {
    const event = s3Event('Object Deleted', { key: 'a', 'version-id': '' }, { deletionType: 'Delete Marker Created' });
    const parse = () =>
      parseSourceChange(JSON.stringify(event), { account: ACCOUNT, sources: [{ bucket: BUCKET }] }, 'SQS record m-0');
    expect(parse).toThrow(InputValidationError);
    expect(parse).toThrow('body.detail.object.version-id: received "", expected the id of the delete marker created');
  });
});

describe('restore handler: refused requests write nothing to the target', () => {
  const TARGET = RESTORE_TARGET;
  const ctx = restoreContext;
  const plan = { action: 'plan', sourceBucket: BUCKET, asOf: '2026-11-30T00:00:00Z', targetBucket: TARGET };

  async function setup() {
    const { vault, target, deps } = restoreWorld();
    const body = Buffer.from('invoice');
    const sha256 = createHash('sha256').update(body).digest('hex');
    const e = version('invoices/0.pdf', 'v0', 0, { size: body.length, sha256 });
    vault.objects.set(e.vaultKey, { body, metadata: { sha256 }, lastModified: new Date('2026-11-29T11:00:00Z') });
    await vault.append(ACCOUNT, [e]);
    return { target, deps: deps() };
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
  const { clients, vault, source, sqs } = reconcilerClients();
  const run = (input: unknown) => {
    const o = observability('reconciler');
    const context = { ...lambdaContext('strongroom-reconciler'), getRemainingTimeInMillis: () => 600_000 };
    return runReconciler(input, context, {
      env: () => reconcilerEnv,
      clients: () => clients,
      logger: o.logger,
      metrics: o.metrics,
    });
  };
  beforeEach(() => {
    for (const m of [source, sqs]) m.reset();
    vault.objects.clear();
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
