import '../handlers/powertools-env';
import { createHash } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { ProblemsError, StrongroomError } from '../../../contract/errors';
import { RestoreRequestSchema } from '../../../contract/restore-api';
import { RestoreBatchError, restore } from '../../../lambda/handlers/restore';
import { version } from '../core/memory-vault';
import { ACCOUNT, BUCKET } from '../core/support';
import { RESTORE_TARGET, restoreContext, restoreWorld } from './handlers';
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
 * configured restore target is. A batch whose items the vault does not bear out (a size or SHA-256 the journal
 * entry does not match) restores the others and fails naming the rest, as the Distributed Map needs.
 */

const TARGET = RESTORE_TARGET;
const { vault, target, lambda, sfn, deps } = restoreWorld();
const ctx = restoreContext;

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
        // A batch (the Distributed Map's) restores what it can trust and fails for the rest, so that the Map
        // counts and retries it: every item it names as failed is unwritten, and it wrote nothing but its items.
        if (failure instanceof RestoreBatchError) {
          const items = (input as { items: Array<{ key: string; targetKey: string }> }).items;
          const written = new Set(done.target.map((w) => w.key));
          expect(failure.failed.length).toBeGreaterThan(0);
          // Items may repeat a key: a written key needs more items naming it than failures naming it.
          const count = (keys: readonly string[], key: string) => keys.filter((k) => k === key).length;
          const failedKeys = failure.failed.map((f) => f.key);
          const overWritten = items.filter(
            (i) =>
              written.has(i.targetKey) &&
              count(failedKeys, i.key) >=
                count(
                  items.map((j) => j.key),
                  i.key,
                ),
          );
          expect(overWritten).toEqual([]);
          expect([...written].filter((k) => !items.some((i) => i.targetKey === k))).toEqual([]);
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
