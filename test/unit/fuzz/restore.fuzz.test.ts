import '../handlers/powertools-env';
import { createHash } from 'node:crypto';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { ProblemsError, StrongroomError } from '../../../contract/errors';
import { RestoreRequestSchema } from '../../../contract/restore-api';
import { parseRestoreEnv } from '../../../lambda/adapters/env';
import { type RestoreDependencies, restore } from '../../../lambda/handlers/restore';
import { MemoryVault, version } from '../core/memory-vault';
import { ACCOUNT, BUCKET } from '../core/support';
import { COMMON_ENV, lambdaContext, observability } from '../handlers/fixtures';
import {
  fieldsOf,
  inputFields,
  jsonish,
  mutated,
  printTalliesAfterAll,
  problemsDefect,
  receivedDefect,
  runs,
  Tally,
  withoutIndexes,
  writesOf,
} from './support';

/*
 * The restore function's requests (contract/restore-api.ts: plan, start, status; and its own continue and batch)
 * mutated and random, against an in-memory vault and target (mocked S3 clients that store what is written) with
 * Lambda and Step Functions mocked. Every request is served or refused with a typed error naming the field; a
 * refused one writes nothing anywhere, and whatever the request, the vault is never written and no bucket but a
 * configured restore target is.
 */

const TARGET = 'acme-prod-restore';
const env = parseRestoreEnv({
  ...COMMON_ENV,
  RESTORE_READER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222',
  RESTORE_TARGETS: JSON.stringify([TARGET]),
  RESTORE_FUNCTION_NAME: 'strongroom-restore',
  RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore',
});
const NOW = new Date('2026-12-01T12:00:00Z');

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

function deps(): RestoreDependencies {
  const o = observability('restore');
  return {
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
}
const ctx = { ...lambdaContext('strongroom-restore'), getRemainingTimeInMillis: () => 600_000 };

const PLAN = { action: 'plan', sourceBucket: BUCKET, asOf: '2026-11-30T00:00:00Z', targetBucket: TARGET };
const FULL_PLAN = {
  ...PLAN,
  prefix: 'invoices/',
  distrustWritesAfter: '2026-11-30T06:00:00+01:00',
  targetPrefix: 'drill/',
  mode: 'state',
  removeExtraneous: true,
};

/** The target as it was after one plan: restored to it before each request. */
let snapshot: Map<string, unknown> = new Map();
let bases: unknown[] = [];

beforeAll(async () => {
  const entries = [0, 1, 2].map((i) => {
    const body = Buffer.from(`invoice ${i}`);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const e = version(`invoices/${i}.pdf`, `v${i}`, i, { size: body.length, sha256, sourceEtag: `etag${i}` });
    vault.objects.set(e.vaultKey, { body, metadata: { sha256 }, lastModified: new Date('2026-11-29T11:00:00Z') });
    return e;
  });
  await vault.append(ACCOUNT, entries);
  const planned = (await restore(PLAN, ctx, deps())) as { restoreId: string; manifest: { key: string } };
  const manifest = target.objects.get(planned.manifest.key)?.body.toString('utf8') ?? '';
  const items = manifest
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  const { restoreId } = planned;
  bases = [
    PLAN,
    FULL_PLAN,
    { action: 'start', restoreId },
    { action: 'status', restoreId },
    { action: 'continue', restoreId, targetBucket: TARGET },
    { action: 'batch', restoreId, targetBucket: TARGET, items: items.slice(0, 2) },
  ];
  snapshot = new Map(target.objects);
});

/** Every field a request may carry: a refusal may name one the input lacks. */
const requestFields = () => new Set(bases.flatMap((b) => [...inputFields(b)].map(withoutIndexes)));

function resetWorld(): void {
  target.objects.clear();
  for (const [key, value] of snapshot) target.objects.set(key, value as never);
  for (const m of [vault.mock, target.mock, lambda, sfn]) m.resetHistory();
}

/** What a request wrote: to the vault (never allowed), to the target, and the function and state machine it started. */
function effects() {
  return {
    vault: writesOf(vault.mock),
    target: writesOf(target.mock),
    invoked: lambda.calls().length,
    executions: sfn.commandCalls(StartExecutionCommand).length,
  };
}

/** Plans the schema accepts, on both sides of every check the service makes: configured target, earliest backup, now. */
const wellFormedPlan = fc.record(
  {
    action: fc.constant('plan'),
    sourceBucket: fc.constantFrom(BUCKET, 'acme-prod-uploads', 'acme-prod-invoice'),
    prefix: fc.constantFrom('invoices/', 'invoices/1', 'ledger/'),
    asOf: fc
      .date({ min: new Date('2026-11-29T09:59:58Z'), max: new Date('2026-12-01T12:00:02Z'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    distrustWritesAfter: fc.constantFrom('2026-11-29T00:00:00Z', '2026-11-30T00:00:00Z', '2026-12-02T00:00:00Z'),
    targetBucket: fc.constantFrom(TARGET, BUCKET, 'acme-elsewhere'),
    targetPrefix: fc.constantFrom('drill/', '.strongroom/'),
    mode: fc.constantFrom('state', 'changed-since'),
    removeExtraneous: fc.boolean(),
  },
  { requiredKeys: ['action', 'sourceBucket', 'asOf', 'targetBucket'] },
);

const tally = new Tally('restore requests');
printTalliesAfterAll(tally);

describe('fuzz: restore requests', () => {
  it('every request is served or refused naming the field; a refused one writes nothing; the vault is never written', async () => {
    const request = fc.oneof(
      { arbitrary: fc.constantFrom(...bases), weight: 1 },
      {
        arbitrary: fc.oneof(...bases.map((b) => mutated(b, { knownKeys: ['action', 'restoreId', 'asOf', 'dryRun'] }))),
        weight: 8,
      },
      { arbitrary: fc.oneof(...bases.map((b) => mutated(b, { max: 1 }))), weight: 4 },
      { arbitrary: jsonish, weight: 1 },
      { arbitrary: wellFormedPlan, weight: 3 },
    );
    const known = requestFields();
    await fc.assert(
      fc.asyncProperty(request, async (input) => {
        resetWorld();
        let failure: unknown;
        try {
          await restore(input, ctx, deps());
        } catch (error) {
          failure = error;
        }
        const done = effects();
        // Whatever the request: the restore function reads the vault and writes only a configured restore target.
        expect(done.vault).toEqual([]);
        expect(done.target.filter((w) => w.bucket !== TARGET)).toEqual([]);
        if (failure === undefined) {
          tally.accept();
          return;
        }
        const named =
          failure instanceof ProblemsError
            ? (problemsDefect(
                failure.problems,
                (f) => known.has(withoutIndexes(f)) || fieldsOf(input, [RestoreRequestSchema])(f),
              ) ?? receivedDefect(failure.problems, input))
            : failure instanceof StrongroomError && /^\w+: received .+, expected .+/.test(failure.message)
              ? undefined
              : `not a typed refusal naming the field: ${failure instanceof Error ? failure.name : typeof failure}`;
        if (named) tally.unhandledError(new Error(`${named}\n${String(failure)}\ninput: ${JSON.stringify(input)}`));
        const writes = done.target.length + done.invoked + done.executions;
        if (writes > 0)
          tally.unhandledError(
            new Error(`a refused request wrote: ${JSON.stringify(done)}\n${String(failure)}\ninput: ${JSON.stringify(input)}`),
          );
        tally.reject(writes);
      }),
      { numRuns: runs(300) },
    );
    tally.expectSound({ accepted: 15, rejected: 150 });
  });
});
