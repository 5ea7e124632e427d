import './powertools-env';
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { parseRestoreEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError } from '../../../lambda/core/errors';
import { RestoreRequestError } from '../../../lambda/core/restore-service';
import { INLINE_MAX_OBJECTS, RestoreBatchError, type RestoreDependencies, restore } from '../../../lambda/handlers/restore';
import { MemoryVault, version } from '../core/memory-vault';
import { ACCOUNT, BUCKET } from '../core/support';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

/*
 * The restore handler over an in-memory vault and target (mocked S3 clients that store what is written),
 * with Lambda and Step Functions mocked: these paths have no local server. The planner and executor are
 * proven live on the local S3 by test/integ/restore*.test.ts.
 */

const env = parseRestoreEnv({
  ...COMMON_ENV,
  RESTORE_READER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222',
  RESTORE_TARGETS: JSON.stringify(['acme-prod-restore']),
  RESTORE_FUNCTION_NAME: 'strongroom-restore',
  RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore',
});

const NOW = new Date('2026-12-01T12:00:00Z');
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function setup(objects = 2) {
  const vault = new MemoryVault();
  const target = new MemoryVault();
  target.mock.on(HeadObjectCommand).callsFake((input) => {
    const stored = target.objects.get(input.Key as string);
    if (!stored) throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    return { ContentLength: stored.body.length, Metadata: stored.metadata };
  });
  const lambda = mockClient(new LambdaClient({ region: 'eu-west-1' }));
  const sfn = mockClient(new SFNClient({ region: 'eu-west-1' }));
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:eu-west-1:222222222222:execution:strongroom-restore:r-1' });
  const bodies = Array.from({ length: objects }, (_, i) => Buffer.from(`invoice ${i}`));
  const o = observability('restore');
  const deps: RestoreDependencies = {
    env: () => env,
    clients: () => ({
      vault: vault.client,
      target: target.client,
      lambda: lambda as unknown as LambdaClient,
      sfn: sfn as unknown as SFNClient,
    }),
    logger: o.logger,
    metrics: o.metrics,
    now: () => NOW,
  };
  return { vault, target, lambda, sfn, bodies, deps, o };
}

async function backedUp(s: ReturnType<typeof setup>) {
  const entries = s.bodies.map((body, i) => {
    const e = version(`invoices/${i}.pdf`, `v${i}`, i, { size: body.length, sha256: sha(body), sourceEtag: `etag${i}` });
    s.vault.objects.set(e.vaultKey, { body, metadata: { sha256: sha(body) }, lastModified: new Date('2026-11-29T11:00:00Z') });
    return e;
  });
  await s.vault.append(ACCOUNT, entries);
}

const plan = { action: 'plan', sourceBucket: BUCKET, asOf: '2026-11-30T00:00:00Z', targetBucket: 'acme-prod-restore' };
const ctx = (ms = 600_000) => ({ ...lambdaContext('strongroom-restore'), getRemainingTimeInMillis: () => ms });

describe('restore handler: requests', () => {
  it.each([
    ['no action', { ...plan, action: undefined }, /action/],
    ['an unknown action', { ...plan, action: 'destroy' }, /action/],
    [
      'a bad bucket',
      { ...plan, sourceBucket: 'Not_A_Bucket' },
      /sourceBucket: received "Not_A_Bucket", expected an S3 bucket name/,
    ],
    [
      'a time without zone',
      { ...plan, asOf: 'yesterday' },
      /asOf: received "yesterday", expected the instant to restore to: an ISO-8601 date-time/,
    ],
    ['a misspelt field', { ...plan, dryrun: true }, /dryrun: received true, expected no such field here/],
    ['a bad mode', { ...plan, mode: 'all' }, /mode: received "all", expected "state"/],
    [
      'a bad restore id',
      { action: 'status', restoreId: '../../etc' },
      /restoreId: received "..\/..\/etc", expected a restore id/,
    ],
  ])('refuses %s, naming the field, the value and what was expected', async (_what, input, message) => {
    const s = setup();
    const error = await rejection(() => restore(input, ctx(), s.deps));
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(message);
    expect(s.target.objects.size).toBe(0);
  });

  it('refuses a target that is not configured, a time in the future, and a time before the earliest backup', async () => {
    const s = setup();
    await backedUp(s);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { ...plan, targetBucket: 'acme-prod-uploads' },
        /targetBucket: received "acme-prod-uploads", expected one of the configured restore targets \(acme-prod-restore\)/,
      ],
      [
        { ...plan, asOf: '2027-01-01T00:00:00Z' },
        /asOf: received "2027-01-01T00:00:00Z", expected an instant not in the future \(now is 2026-12-01T12:00:00.000Z\)/,
      ],
      [
        { ...plan, asOf: '2026-11-01T00:00:00Z' },
        /asOf: .* expected an instant at or after the earliest restorable time, 2026-11-29T10:00:00.000Z/,
      ],
    ];
    for (const [input, message] of cases) {
      const error = await rejection(() => restore(input, ctx(), s.deps));
      expect(error).toBeInstanceOf(RestoreRequestError);
      expect(error.message).toMatch(message);
    }
    // Nothing but plan work files was written, and no target key.
    expect([...s.target.objects.keys()].every((k) => k.startsWith('.strongroom/restores/'))).toBe(true);
  });

  it('fails on a bad environment with EnvironmentError', async () => {
    const s = setup();
    const error = await rejection(() =>
      restore(plan, ctx(), { ...s.deps, env: () => parseRestoreEnv({ ...COMMON_ENV, RESTORE_TARGETS: '[]' }) }),
    );
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('RESTORE_READER_ROLE_ARN: received (missing)');
  });
});

describe('restore handler: plan, start, status', () => {
  it('plans without writing a target key, then starts inline and restores every object checked', async () => {
    const s = setup();
    await backedUp(s);
    const planned = (await restore(plan, ctx(), s.deps)) as { restoreId: string; summary: { counts: Record<string, number> } };
    expect(planned.summary.counts).toMatchObject({ write: 2, skip: 0, extraneous: 0 });
    expect([...s.target.objects.keys()].filter((k) => !k.startsWith('.strongroom/'))).toEqual([]);

    const done = await restore({ action: 'start', restoreId: planned.restoreId }, ctx(), s.deps);
    expect(done).toMatchObject({ state: 'succeeded', progress: { objects: 2, objectsDone: 2, failed: 0 } });
    for (const [i, body] of s.bodies.entries()) {
      const stored = s.target.objects.get(`invoices/${i}.pdf`);
      expect(stored?.body.equals(body)).toBe(true);
      expect(stored?.metadata['strongroom-sha256']).toBe(sha(body));
    }
    expect(await restore({ action: 'status', restoreId: planned.restoreId }, ctx(), s.deps)).toMatchObject({
      state: 'succeeded',
    });
  });

  it('continues in a fresh invocation of itself when its time runs out', async () => {
    const s = setup();
    await backedUp(s);
    const planned = (await restore(plan, ctx(), s.deps)) as { restoreId: string };
    const status = await restore({ action: 'start', restoreId: planned.restoreId }, ctx(1_000), s.deps);
    expect(status).toMatchObject({ state: 'running', progress: { objectsDone: 0 } });
    const [call] = s.lambda.commandCalls(InvokeCommand);
    expect(call?.args[0].input).toMatchObject({ FunctionName: 'strongroom-restore', InvocationType: 'Event' });
    const payload = JSON.parse(Buffer.from(call?.args[0].input.Payload as Uint8Array).toString());
    expect(payload).toEqual({ action: 'continue', restoreId: planned.restoreId, targetBucket: 'acme-prod-restore' });
    expect(await restore(payload, ctx(), s.deps)).toMatchObject({ state: 'succeeded', progress: { objectsDone: 2 } });
  });

  it('hands a restore of more than INLINE_MAX_OBJECTS objects to the Distributed Map', async () => {
    const s = setup(INLINE_MAX_OBJECTS + 1);
    await backedUp(s);
    const planned = (await restore(plan, ctx(), s.deps)) as { restoreId: string };
    const status = await restore({ action: 'start', restoreId: planned.restoreId }, ctx(), s.deps);
    expect(status).toMatchObject({ state: 'running', engine: 'step-functions' });
    expect(s.sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: env.restoreStateMachineArn,
      name: planned.restoreId,
      input: JSON.stringify({
        restoreId: planned.restoreId,
        targetBucket: 'acme-prod-restore',
        manifestKey: `.strongroom/restores/${planned.restoreId}/manifest.jsonl`,
      }),
    });
    expect(
      s.target.mock.commandCalls(PutObjectCommand).filter((c) => !String(c.args[0].input.Key).startsWith('.strongroom/')),
    ).toEqual([]);
  });

  it("takes a Distributed Map restore's end from its execution: succeeded, or failed with the execution's error", async () => {
    const s = setup(INLINE_MAX_OBJECTS + 1);
    await backedUp(s);
    const planned = (await restore(plan, ctx(), s.deps)) as { restoreId: string };
    await restore({ action: 'start', restoreId: planned.restoreId }, ctx(), s.deps);
    s.sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
    expect(await restore({ action: 'status', restoreId: planned.restoreId }, ctx(), s.deps)).toMatchObject({ state: 'running' });
    s.sfn
      .on(DescribeExecutionCommand)
      .resolves({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold', cause: 'a batch failed' } as never);
    const failed = await restore({ action: 'status', restoreId: planned.restoreId }, ctx(), s.deps);
    expect(failed).toMatchObject({
      state: 'failed',
      failures: [{ key: '(execution)', reason: 'execution FAILED: States.ExceedToleratedFailureThreshold a batch failed' }],
    });
    const again = await rejection(() => restore({ action: 'start', restoreId: planned.restoreId }, ctx(), s.deps));
    expect(again.message).toMatch(/expected a new plan with the same asOf/);

    const t = setup(INLINE_MAX_OBJECTS + 1);
    await backedUp(t);
    const second = (await restore(plan, ctx(), t.deps)) as { restoreId: string };
    await restore({ action: 'start', restoreId: second.restoreId }, ctx(), t.deps);
    t.sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED' } as never);
    expect(await restore({ action: 'status', restoreId: second.restoreId }, ctx(), t.deps)).toMatchObject({
      state: 'succeeded',
      progress: { objectsDone: INLINE_MAX_OBJECTS + 1 },
    });
  });

  it("runs a Map batch with the same executor, and fails the batch when an object's bytes disagree with the journal", async () => {
    const s = setup();
    await backedUp(s);
    const planned = (await restore(plan, ctx(), s.deps)) as { restoreId: string };
    const manifest = s.target.objects.get(`.strongroom/restores/${planned.restoreId}/manifest.jsonl`)?.body.toString() ?? '';
    const items = manifest
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    const batch = { action: 'batch', restoreId: planned.restoreId, targetBucket: 'acme-prod-restore', items };
    expect(await restore(batch, ctx(), s.deps)).toEqual({
      restoreId: planned.restoreId,
      batch: { written: 2, skipped: 0, failed: 0 },
    });

    // A vault object whose bytes are not what the journal records is never restored.
    const first = items[0];
    s.vault.objects.set(first.entry.vaultKey, {
      body: Buffer.from('garbage'),
      metadata: { sha256: first.entry.sha256 },
      lastModified: new Date(),
    });
    s.target.objects.delete(first.targetKey);
    const error = await rejection(() => restore(batch, ctx(), s.deps));
    expect(error).toBeInstanceOf(RestoreBatchError);
    expect(error.message).toContain(`${first.key}: UntrustedVersionError`);
    expect(s.target.objects.has(first.targetKey)).toBe(false);
  });

  it("does not carry one invocation's log keys into the next (a warm container reuses the logger)", async () => {
    const s = setup();
    await backedUp(s);
    const logger = new Logger({ serviceName: 'restore', logLevel: 'INFO' });
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      await restore(plan, ctx(), { ...s.deps, logger });
      expect(lines.join('')).toContain(`"sourceBucket":"${BUCKET}"`); // the plan's lines carried the request's keys
      lines.length = 0;
      logger.info('the next invocation');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(lines.join('')).toContain('the next invocation');
    expect(lines.join('')).not.toContain(BUCKET);
  });
});

describe('restore handler: activity', () => {
  it('answers the journal’s change rate of a source, bursts marked, and the instant before the latest burst', async () => {
    const s = setup(12);
    await backedUp(s); // 12 writes, one a second from T0
    const wipe = Array.from({ length: 12 }, (_, i) =>
      version(`invoices/${i}.pdf`, `m${i}`, 100, { kind: 'deleteMarker', token: `m.m${i}` }),
    );
    await s.vault.append(ACCOUNT, wipe);
    const report = await restore({ action: 'activity', sourceBucket: BUCKET, intervalSeconds: 60 }, ctx(), s.deps);
    expect(report).toMatchObject({
      bucket: BUCKET,
      intervalSeconds: 60,
      totals: { writes: 12, overwrites: 0, deletions: 12 },
      bursts: [
        expect.objectContaining({
          start: '2026-11-29T10:01:00.000Z',
          deletions: 12,
          lastChangeBefore: '2026-11-29T10:00:11.000Z',
        }),
      ],
      suggestedAsOf: '2026-11-29T10:01:39.999Z',
    });
    // A read: nothing is written anywhere.
    expect(s.target.objects.size).toBe(0);
  });

  it.each([
    [{ intervalSeconds: 0 }, /intervalSeconds: received 0, expected a whole number of seconds from 1 to 604800/],
    [{ since: 'an hour ago' }, /since: received "an hour ago", expected the first instant to count changes from: an ISO-8601/],
    [{ sourceBucket: 'Bad_Bucket' }, /sourceBucket: received "Bad_Bucket", expected an S3 bucket name/],
    [{ interval: 60 }, /interval: received 60, expected no such field here/],
  ])('refuses %j naming the field', async (change, message) => {
    const s = setup();
    const error = await rejection(() => restore({ action: 'activity', sourceBucket: BUCKET, ...change }, ctx(), s.deps));
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toMatch(message);
  });

  it('refuses since after until with the core’s problem', async () => {
    const s = setup();
    await backedUp(s);
    const error = await rejection(() =>
      restore(
        { action: 'activity', sourceBucket: BUCKET, since: '2026-11-30T00:00:00Z', until: '2026-11-29T00:00:00Z' },
        ctx(),
        s.deps,
      ),
    );
    expect(error.name).toBe('ActivityRequestError');
    expect(error.message).toContain('since: received "2026-11-30T00:00:00.000Z", expected an instant at or before until');
  });
});
