import '../handlers/powertools-env';
import { InvokeCommand, type InvokeCommandInput } from '@aws-sdk/client-lambda';
import { ListObjectVersionsCommand, type ListObjectVersionsCommandInput } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import type { z } from 'zod';
import type { ProblemsError } from '../../../contract/errors';
import { accountPrefix } from '../../../contract/vault-layout';
import { parseSealerEnv, parseVerifyEnv } from '../../../lambda/adapters/env';
import { InputValidationError } from '../../../lambda/core/errors';
import { parseSourceChange } from '../../../lambda/core/source-change';
import { ScheduledEventSchema } from '../../../lambda/handlers/input';
import { ReconcilerInputSchema, runReconciler } from '../../../lambda/handlers/reconciler';
import { seal } from '../../../lambda/handlers/sealer';
import { VerifyInputSchema, verify } from '../../../lambda/handlers/verify';
import { MemoryVault, version } from '../core/memory-vault';
import { ACCOUNT } from '../core/support';
import { COMMON_ENV, lambdaContext, observability } from '../handlers/fixtures';
import { reconcilerClients, reconcilerEnv } from './handlers';
import {
  fieldsOf,
  jsonish,
  mutated,
  printTalliesAfterAll,
  problemsDefect,
  type RecordedWrite,
  receivedDefect,
  runs,
  Tally,
  writesOf,
} from './support';

/*
 * The functions that run on a schedule (verify, sealer, reconciler): their schedule's event, {} or a continuation,
 * mutated, and garbage. One table row per function: its input schema, valid inputs, how to run it over recording
 * clients, what it may write when it runs. Every input runs or is refused with an InputValidationError naming the
 * field, before any client writes; to fuzz a new input, add a valid example to its row (or a new row).
 */

const SCHEDULED = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: ACCOUNT,
  time: '2026-12-01T05:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:222222222222:rule/strongroom-schedule'],
  detail: {},
};
const AUDITOR = 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222';
const INGEST = 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222';

interface Row {
  readonly name: string;
  /** The handler's input schema: a refusal names one of its fields, or one of the input's. */
  readonly schema: z.ZodType;
  /** Inputs the handler must accept; they are mutated. */
  readonly valid: readonly unknown[];
  /** Inputs the schema accepts, across the values the handler then acts on (indexes, markers). */
  readonly wellFormed?: fc.Arbitrary<unknown>;
  /** Restore the clients' state and forget their history. */
  readonly reset: () => void;
  /** Run the handler; resolve when it ran, reject with what it threw. */
  readonly run: (input: unknown) => Promise<unknown>;
  /** An error that means the handler accepted its input and ran (verify: the verifier is not built yet). */
  readonly ranAnyway?: (error: unknown) => boolean;
  /** Every write to a client the handler was given. */
  readonly writes: () => RecordedWrite[];
  /** Fails when a run on accepted input wrote what it must not. */
  readonly checkAcceptedWrites: (writes: readonly RecordedWrite[]) => void;
}

// ---------------------------------------------------------------------------------------------------------
// verify: the schedule's event or a verify request; every read refused (so a run ends in FAILs, fast), the report
// filed as the evidence writer: the only writes allowed are the two report objects under reports/<account>/

const verifyEnv = parseVerifyEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: AUDITOR,
  EVIDENCE_WRITER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-evidence-writer-222222222222',
  BACKUP_VAULT_ARN: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault',
  RPO_MINUTES: '60',
  BACKUP_PLAN_TAG: '{"key":"strongroom:backup","value":"true"}',
  BACKUP_PLAN_SCHEDULE: 'cron(0 3 * * ? *)',
  VAULT_KEY_ARN: '',
  VERIFY_EXPECTATIONS: JSON.stringify({
    retentionDays: 30,
    denies: {},
    tlsSid: 'DenyInsecureTransport',
    backupVaultLock: { minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 },
    drill: null,
  }),
});
let verifyWrites: RecordedWrite[] = [];
const refusing = (record: boolean) =>
  ({
    send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
      if (record && command.constructor.name === 'PutObjectCommand') {
        verifyWrites.push({
          command: 'PutObject',
          bucket: command.input.Bucket as string,
          key: command.input.Key as string,
          input: { Key: command.input.Key },
        });
        return {};
      }
      throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    },
  }) as never;
const verifyRow: Row = {
  name: 'verify input',
  schema: VerifyInputSchema,
  valid: [SCHEDULED, {}, { checks: ['vault.versioning'] }, { retention: 'full', drill: false }],
  reset: () => {
    verifyWrites = [];
  },
  run: (input) => {
    const o = observability('verify');
    return verify(input, lambdaContext('strongroom-verify'), {
      env: () => verifyEnv,
      clients: () => ({
        auditorVault: refusing(false),
        evidenceWriter: refusing(true),
        source: refusing(false),
        lambda: refusing(false),
        aws: { auditorBackup: refusing(false), auditorKms: refusing(false), verifyTagging: refusing(false) },
      }),
      logger: o.logger,
      metrics: o.metrics,
      now: () => new Date('2026-12-01T05:00:00Z'),
    });
  },
  writes: () => verifyWrites,
  checkAcceptedWrites: (writes) => {
    expect(writes.length).toBeLessThanOrEqual(2);
    for (const w of writes) expect(w.key).toMatch(/^reports\/222222222222\//);
  },
};

// ---------------------------------------------------------------------------------------------------------
// sealer: a vault with one unsealed segment; a run may append a seal and indexes under journal/<account>/

const sealerEnv = parseSealerEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: AUDITOR,
  INGEST_ROLE_ARN: INGEST,
  SEAL_SETTLE_SECONDS: '300',
});
const sealerVault = new MemoryVault();
let sealerSnapshot = new Map<string, unknown>();
const sealerRow: Row = {
  name: 'sealer input',
  schema: ScheduledEventSchema,
  valid: [SCHEDULED],
  reset: () => {
    sealerVault.objects.clear();
    for (const [k, v] of sealerSnapshot) sealerVault.objects.set(k, v as never);
    sealerVault.mock.resetHistory();
  },
  run: (input) => {
    const o = observability('sealer');
    return seal(input, lambdaContext('strongroom-sealer'), {
      env: () => sealerEnv,
      clients: () => ({ reader: sealerVault.client, writer: sealerVault.client }),
      logger: o.logger,
      metrics: o.metrics,
      now: () => new Date(sealerVault.clock.getTime() + 3_600_000),
    });
  },
  writes: () => writesOf(sealerVault.mock),
  checkAcceptedWrites: (writes) => {
    expect(writes.filter((w) => !w.key?.startsWith(accountPrefix('journal', ACCOUNT)))).toEqual([]);
  },
};

// ---------------------------------------------------------------------------------------------------------
// reconciler: sources listing keys inside and outside the configured prefixes, an empty journal

const { clients: reconciler, vault: journal, source: listing, sqs: queue, lambda } = reconcilerClients();
/** What each source holds: keys under and outside the configured prefixes (acme-prod-uploads backs up customer/ only). */
const SOURCE_KEYS: Record<string, string[]> = {
  'acme-prod-invoices': ['invoices/1.pdf', 'invoices/2.pdf'],
  'acme-prod-uploads': ['customer/a.csv', 'private/b.csv', 'zzz'],
};
const CHECKPOINT = { runId: 'run-1', sourceIndex: 1, prefixIndex: 0, keyMarker: 'customer/', listed: 2, enqueued: 2 };
const reconcilerRow: Row = {
  name: 'reconciler input',
  schema: ReconcilerInputSchema,
  valid: [
    SCHEDULED,
    { checkpoint: CHECKPOINT },
    { checkpoint: { ...CHECKPOINT, versionIdMarker: 'v1', keyMarker: 'customer/a.csv' } },
  ],
  reset: () => {
    for (const m of [listing, queue, lambda]) m.reset();
    journal.mock.resetHistory();
    listing.on(ListObjectVersionsCommand).callsFake((input: ListObjectVersionsCommandInput) => ({
      Versions: (SOURCE_KEYS[input.Bucket as string] ?? [])
        .filter((key) => key.startsWith(input.Prefix ?? '') && (input.KeyMarker === undefined || key > input.KeyMarker))
        .map((Key) => ({ Key, VersionId: 'v1', ETag: '"e"', IsLatest: true, LastModified: new Date('2026-11-30T00:00:00Z') })),
      IsTruncated: false,
    }));
    queue.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    lambda.on(InvokeCommand).resolves({});
  },
  run: (input) => {
    const o = observability('reconciler');
    return runReconciler(
      input,
      { ...lambdaContext('strongroom-reconciler'), getRemainingTimeInMillis: () => 600_000 },
      {
        env: () => reconcilerEnv,
        clients: () => reconciler,
        logger: o.logger,
        metrics: o.metrics,
      },
    );
  },
  writes: () => [...writesOf(journal.mock), ...writesOf(listing), ...writesOf(queue), ...writesOf(lambda)],
  checkAcceptedWrites: (writes) => {
    // It reads the vault and the sources, and enqueues only changes the copier will take (in scope, well-formed).
    expect(writes.filter((w) => w.command !== 'SendMessageBatchCommand' && w.command !== 'InvokeCommand')).toEqual([]);
    const scope = { account: ACCOUNT, sources: reconcilerEnv.sources };
    for (const w of writes) {
      if (w.command === 'InvokeCommand') {
        expect((w.input as unknown as InvokeCommandInput).FunctionName).toBe(reconcilerEnv.reconcilerFunctionName);
        continue;
      }
      const batch = w.input as unknown as SendMessageBatchCommandInput;
      expect(batch.QueueUrl).toBe(reconcilerEnv.queueUrl);
      for (const entry of batch.Entries ?? []) parseSourceChange(entry.MessageBody as string, scope, 'enqueued change');
    }
  },
};

const ROWS: readonly Row[] = [verifyRow, sealerRow, reconcilerRow];
const tallies = new Map(ROWS.map((row) => [row.name, new Tally(row.name)]));
printTalliesAfterAll(...tallies.values());

beforeAll(async () => {
  await sealerVault.append(ACCOUNT, [version('a', 'v1', 0), version('b', 'v2', 1)]);
  sealerVault.tick(2000);
  sealerSnapshot = new Map(sealerVault.objects);
});

describe('fuzz: scheduled functions', () => {
  it.each(ROWS.map((row) => [row.name, row] as const))(
    '%s: runs, or is refused naming the field with nothing written',
    async (_name, row) => {
      const tally = tallies.get(row.name) as Tally;
      const input = fc.oneof(
        { arbitrary: fc.constantFrom(...row.valid), weight: 1 },
        {
          arbitrary: fc.oneof(...row.valid.map((v) => mutated(v, { knownKeys: ['source', 'detail-type', 'checkpoint'] }))),
          weight: 6,
        },
        { arbitrary: jsonish, weight: 2 },
        ...(row.wellFormed ? [{ arbitrary: row.wellFormed, weight: 6 }] : []),
      );
      await fc.assert(
        fc.asyncProperty(input, async (value) => {
          row.reset();
          let failure: unknown;
          try {
            await row.run(value);
          } catch (error) {
            failure = error;
          }
          const writes = row.writes();
          if (failure === undefined || row.ranAnyway?.(failure)) {
            try {
              row.checkAcceptedWrites(writes);
            } catch (error) {
              tally.unhandledError(new Error(`${String(error)}\ninput: ${JSON.stringify(value)}`));
            }
            tally.accept();
            return;
          }
          if (!(failure instanceof InputValidationError)) tally.unhandledError(failure);
          const defect =
            problemsDefect((failure as ProblemsError).problems, fieldsOf(value, [row.schema])) ??
            receivedDefect((failure as ProblemsError).problems, value);
          if (defect) tally.unhandledError(new Error(`${defect}\n${String(failure)}\ninput: ${JSON.stringify(value)}`));
          if (writes.length > 0) tally.unhandledError(new Error(`a refused input wrote: ${JSON.stringify(writes)}`));
          tally.reject(writes.length);
        }),
        { numRuns: runs(200) },
      );
      tally.expectSound({ accepted: 5, rejected: 50 });
    },
  );
});
