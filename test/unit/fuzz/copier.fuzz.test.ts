import '../handlers/powertools-env';
import { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand, type SendMessageCommandInput } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describeProblems } from '../../../contract/errors';
import { accountPrefix } from '../../../contract/vault-layout';
import { type CopierMetric, copyBatch, type QueuedRecord } from '../../../lambda/core/copier';
import { DEFAULT_TUNING } from '../../../lambda/core/copy-version';
import { InputValidationError, type Problem } from '../../../lambda/core/errors';
import { parseSourceChange, RECONCILER_EVENT_SOURCE, type SourceScope } from '../../../lambda/core/source-change';
import { keyDigest } from '../../../lambda/core/vault-keys';
import { CopierEventSchema, copyEvents } from '../../../lambda/handlers/copier';
import { COMMON_ENV, lambdaContext, observability } from '../handlers/fixtures';
import { copierClients, copierEnv } from './handlers';
import {
  fieldsOf,
  inputFields,
  jsonish,
  mutated,
  oddString,
  printTalliesAfterAll,
  problemsDefect,
  type RecordedWrite,
  receivedDefect,
  runs,
  Tally,
  writesOf,
} from './support';

/*
 * The copier's input: SQS records whose bodies are EventBridge S3 events (Object Created, Object Deleted), the
 * reconciler's records of the same shape, their mutations, and garbage; through the copy engine (copyBatch) and
 * the Lambda handler, with mocked S3 and SQS clients that record every request. A record the parser refuses is
 * counted Malformed and dead-lettered with a reason naming each field, and writes nothing; the writes of valid
 * records go to the vault only, under objects/<account>/<configured source>/ and journal/<account>/.
 */

const ACCOUNT = COMMON_ENV.SOURCE_ACCOUNT_ID;
const DLQ = copierEnv.deadLetterQueueUrl;
const env = copierEnv;
const scope: SourceScope = { account: ACCOUNT, sources: env.sources };

// ---------------------------------------------------------------------------------------------------------
// Records

const objectKey = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 60 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
  fc.constantFrom('invoices/2026/0001.pdf', 'a', ' ', '../../etc/passwd', 'k'.repeat(1024)),
);
const where = fc.oneof(
  objectKey.map((key) => ({ bucket: 'acme-prod-invoices', key })),
  objectKey.map((key) => ({ bucket: 'acme-prod-uploads', key: `customer/${key}` })),
);
const hex = fc.stringMatching(/^[0-9A-F]{16,20}$/);
const eventTime = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

/** A well-formed EventBridge S3 event (or a reconciler record) for a configured source. */
const validEvent = fc
  .record({
    where,
    time: eventTime,
    source: fc.constantFrom('aws.s3', RECONCILER_EVENT_SOURCE),
    versionId: fc.option(fc.string({ minLength: 1, maxLength: 32 }), { nil: undefined }),
    etag: fc.stringMatching(/^[0-9a-f]{32}$/),
    sequencer: fc.option(hex, { nil: undefined }),
    change: fc.constantFrom('created', 'marker', 'permanent'),
  })
  .map(({ where: w, time, source, versionId, etag, sequencer, change }) => ({
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': change === 'created' ? 'Object Created' : 'Object Deleted',
    source,
    account: ACCOUNT,
    time,
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${w.bucket}`],
    detail: {
      version: '0',
      bucket: { name: w.bucket },
      object: {
        key: w.key,
        ...(change === 'created' ? { size: 5, etag } : {}),
        ...(versionId !== undefined || change === 'marker' ? { 'version-id': versionId ?? 'dm-1' } : {}),
        ...(sequencer !== undefined ? { sequencer } : {}),
      },
      ...(change === 'created'
        ? { reason: 'PutObject' }
        : { 'deletion-type': change === 'marker' ? 'Delete Marker Created' : 'Permanently Deleted' }),
    },
  }));

/** Every field an event may carry: a refusal may name any of them even when the input lacks it. */
const EVENT_FIELDS = new Set([
  ...inputFields(fc.sample(validEvent, { seed: 1, numRuns: 1 })[0], ['body']),
  'body.detail.deletion-type',
  'body.detail.object.version-id',
  'body.detail.object.etag',
  'body.detail.object.sequencer',
]);

/** A record's body: valid, mutated, truncated, or not an event at all. */
const body: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: validEvent.map((e) => JSON.stringify(e)), weight: 3 },
  { arbitrary: validEvent.chain((e) => mutated(e)).map((e) => JSON.stringify(e) ?? 'undefined'), weight: 6 },
  {
    arbitrary: validEvent.chain((e) => {
      const json = JSON.stringify(e);
      return fc.nat({ max: json.length - 1 }).map((cut) => json.slice(0, cut));
    }),
    weight: 1,
  },
  { arbitrary: oddString, weight: 1 },
  { arbitrary: jsonish.map((j) => JSON.stringify(j) ?? 'undefined'), weight: 1 },
);

const batch = fc
  .array(body, { minLength: 1, maxLength: 6 })
  .map((bodies) => bodies.map((b, i): QueuedRecord => ({ messageId: `m-${i}`, body: b })));

/** What the parser says of one record, with its refusal's problems checked: each names a field, the value and what was expected. */
function verdict(
  record: QueuedRecord,
): { valid: true; bucket: string; key: string } | { valid: false; problems: readonly Problem[] } {
  let json: unknown;
  try {
    json = JSON.parse(record.body);
  } catch {
    json = record.body;
  }
  try {
    const change = parseSourceChange(record.body, scope, `SQS record ${record.messageId}`);
    return { valid: true, bucket: change.bucket, key: change.key };
  } catch (error) {
    if (!(error instanceof InputValidationError)) throw error;
    const present = fieldsOf(json, [], ['body']);
    const defect =
      problemsDefect(error.problems, (field) => field === 'body' || EVENT_FIELDS.has(field) || present(field)) ??
      (error.problems[0]?.field === 'body' && typeof json === 'string'
        ? undefined
        : receivedDefect(error.problems, json, ['body']));
    if (defect) throw new Error(`${defect}\n${error.message}`);
    return { valid: false, problems: error.problems };
  }
}

/** The reason a refused record is dead-lettered with: every problem, field, value and expectation (cut at 1,024 characters in the DLQ's attribute). */
function reasonFor(record: QueuedRecord, problems: readonly Problem[], cut: boolean): string {
  const full = `invalid SQS record ${record.messageId}: ${describeProblems(problems)}`;
  return cut ? full.slice(0, 1024) : full;
}

/** Writes that are not the vault's, or not under the prefixes a batch of these valid records may write. */
function strayWrites(writes: readonly RecordedWrite[], valid: ReadonlyArray<{ bucket: string; key: string }>): RecordedWrite[] {
  const allowed = valid.map((v) => `${accountPrefix('objects', ACCOUNT)}${v.bucket}/${keyDigest(v.key)}/`);
  return writes.filter(
    (w) =>
      w.bucket !== env.vaultBucket ||
      !(
        (valid.length > 0 && w.key?.startsWith(accountPrefix('journal', ACCOUNT))) ||
        allowed.some((prefix) => w.key?.startsWith(prefix))
      ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// Clients that record

const { clients, source, vault, sqs } = copierClients();

function resetClients(): void {
  for (const m of [source, vault, sqs]) m.reset();
  source.on(GetObjectCommand).callsFake((input) => ({
    Body: Readable.from([Buffer.from('hello')]),
    ContentLength: 5,
    ETag: input.IfMatch ?? '"5d41402abc4b2a76b9719d911017c592"',
    LastModified: new Date('2026-11-29T11:59:59Z'),
    ...(input.VersionId ? { VersionId: input.VersionId } : {}),
  }));
  vault.on(PutObjectCommand).resolves({ VersionId: 'vv' });
  sqs.on(SendMessageCommand).resolves({});
}

const core = new Tally('copier records (copyBatch)');
const handler = new Tally('copier records (handler)');
const events = new Tally('copier events (handler, not SQS-shaped)');
printTalliesAfterAll(core, handler, events);

/** The outcome of one batch, tallied per record: what the parser refused must be reported and write nothing. */
function tallyBatch(
  tally: Tally,
  records: readonly QueuedRecord[],
  reasons: ReadonlyMap<string, string>,
  failed: readonly string[],
  cut = false,
): void {
  const verdicts = records.map((r) => ({ record: r, verdict: verdict(r) }));
  const valid = verdicts.flatMap(({ verdict: v }) => (v.valid ? [v] : []));
  const stray = strayWrites(writesOf(vault), valid);
  expect(writesOf(source)).toEqual([]);
  for (const { record, verdict: v } of verdicts) {
    if (v.valid) {
      expect(reasons.has(record.messageId)).toBe(false);
      tally.accept();
      continue;
    }
    const reason = reasons.get(record.messageId);
    if (reason !== reasonFor(record, v.problems, cut)) {
      tally.unhandledError(new Error(`record ${record.messageId} refused without its problems reported: ${reason}`));
    }
    expect(failed).not.toContain(record.messageId);
    tally.reject(stray.length);
  }
  if (stray.length > 0) tally.unhandledError(new Error(`writes outside what the valid records allow: ${JSON.stringify(stray)}`));
}

describe('fuzz: copier records', () => {
  beforeEach(resetClients);

  it('copyBatch: a refused record is counted Malformed and dead-lettered naming each field, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (records) => {
        resetClients();
        const reasons = new Map<string, string>();
        const counts = new Map<CopierMetric, number>();
        let result: Awaited<ReturnType<typeof copyBatch>>;
        try {
          result = await copyBatch(
            {
              copy: {
                sourceAccount: ACCOUNT,
                source: clients.source,
                sourceRole: 'the copier role',
                vault: { client: clients.vault, bucket: env.vaultBucket, writerRole: 'the ingest role', writeOnce: 'server' },
                tuning: DEFAULT_TUNING,
                now: () => new Date('2026-11-29T12:00:00Z'),
              },
              scope,
              log: { info: () => undefined, warn: () => undefined, error: () => undefined },
              count: (metric, value = 1) => counts.set(metric, (counts.get(metric) ?? 0) + value),
              deadLetter: async (record, reason) => {
                reasons.set(record.messageId, reason);
              },
              concurrency: 4,
              segmentId: 'fuzz-batch',
            },
            records,
          );
        } catch (error) {
          return core.unhandledError(error);
        }
        expect(counts.get('Malformed') ?? 0).toBe(reasons.size);
        tallyBatch(core, records, reasons, result.failedMessageIds);
      }),
      { numRuns: runs(150) },
    );
    core.note(`${runs(150)} batches of 1-6 records`);
    core.expectSound({ accepted: 50, rejected: 100 });
  });

  it('the handler: refused records go to the dead-letter queue with their reason, acknowledged; nothing else is written', async () => {
    await fc.assert(
      fc.asyncProperty(batch, async (records) => {
        resetClients();
        const o = observability('copier');
        const event = {
          Records: records.map((r) => ({ ...TEMPLATE_RECORD, messageId: r.messageId, body: r.body })),
        } as SQSEvent;
        let response: Awaited<ReturnType<typeof copyEvents>>;
        try {
          response = await copyEvents(event, lambdaContext('strongroom-copier'), {
            env: () => env,
            clients: () => clients,
            logger: o.logger,
            metrics: o.metrics,
          });
        } catch (error) {
          return handler.unhandledError(error);
        }
        const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input as SendMessageCommandInput);
        expect(sent.every((m) => m.QueueUrl === DLQ)).toBe(true);
        const reasons = new Map(
          sent.map((m) => [
            m.MessageAttributes?.originalMessageId?.StringValue as string,
            m.MessageAttributes?.reason?.StringValue as string,
          ]),
        );
        tallyBatch(
          handler,
          records,
          reasons,
          response.batchItemFailures.map((f) => f.itemIdentifier),
          true,
        );
      }),
      { numRuns: runs(80) },
    );
    handler.note(`${runs(80)} batches of 1-6 records`);
    handler.expectSound({ accepted: 25, rejected: 50 });
  });
});

const TEMPLATE_RECORD = {
  receiptHandle: 'handle',
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:eu-west-1:222222222222:strongroom-events',
  awsRegion: 'eu-west-1',
};

describe('fuzz: copier invocations that are not SQS batches', () => {
  it('an event without a Records list of {messageId, body} is refused naming the field, with nothing read or written', async () => {
    const notSqs = fc.oneof(
      jsonish,
      jsonish.map((Records) => ({ Records })),
      fc.array(jsonish, { minLength: 1, maxLength: 3 }).map((Records) => ({ Records })),
      fc
        .array(fc.record({ messageId: jsonish, body: jsonish }, { requiredKeys: [] }), { minLength: 1, maxLength: 3 })
        .map((Records) => ({ Records })),
    );
    await fc.assert(
      fc.asyncProperty(notSqs, async (event) => {
        resetClients();
        const o = observability('copier');
        try {
          await copyEvents(event as SQSEvent, lambdaContext('strongroom-copier'), {
            env: () => env,
            clients: () => clients,
            logger: o.logger,
            metrics: o.metrics,
          });
        } catch (error) {
          if (!(error instanceof InputValidationError)) return events.unhandledError(error);
          const defect = problemsDefect(error.problems, fieldsOf(event, [CopierEventSchema]));
          if (defect) return events.unhandledError(new Error(`${defect}\n${error.message}`));
          expect(source.calls().length + vault.calls().length + sqs.calls().length).toBe(0);
          events.reject(0);
          return;
        }
        events.accept();
      }),
      { numRuns: runs(200) },
    );
    events.expectSound({ accepted: 0, rejected: 100 });
  });
});
