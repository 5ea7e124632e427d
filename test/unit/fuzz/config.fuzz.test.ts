import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ConfigError } from '../../../lib/config/errors';
import { lintImmutability } from '../../../lib/config/immutability-linter';
import { loadConfig, parseConfig } from '../../../lib/config/load';
import { StrongroomConfigSchema } from '../../../lib/config/schema';
import { exampleInput } from '../../support/config';
import {
  fieldsOf,
  jsonish,
  mutated,
  oddString,
  printTalliesAfterAll,
  problemsDefect,
  receivedDefect,
  runs,
  schemaFields,
  Tally,
} from './support';

/*
 * The config (lib/config: zod schema, loader, immutability linter) under structural mutation of valid configs
 * and under random JSON: every outcome is a config the schema and the linter accept, or a ConfigError whose
 * every problem names a field of the input or of the schema, with the value received and what was expected.
 */

const LOCAL = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'config', 'strongroom.local.json'), 'utf8'));

/** Every optional field set, two accounts, a customer key: the most paths to mutate. */
const FULL = {
  name: 'acme-backup',
  region: 'eu-central-1',
  externalId: 'acme-external-id-0123456789',
  backupAccount: { accountId: '111111111111', breakGlassRoleName: 'AcmeBreakGlass', deployRoleName: 'acme-cfn-exec' },
  primaryAccounts: [
    {
      accountId: '222222222222',
      name: 'prod',
      sources: [
        {
          bucket: 'acme-prod-data',
          prefixes: ['exports/', 'ledger/'],
          kmsKeyArn: 'arn:aws:kms:eu-central-1:222222222222:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
        },
      ],
      restoreTargets: ['acme-prod-restore', 'acme-prod-drill'],
    },
    { accountId: '333333333333', name: 'analytics', sources: [{ bucket: 'acme-lake' }] },
  ],
  vault: { objectLock: { mode: 'COMPLIANCE', retentionDays: 90 }, encryption: { type: 'SSE_KMS', denyKeyDeletion: true } },
  backupVault: { lock: { minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 7 } },
  backupPlan: {
    schedule: 'cron(30 2 ? * MON-FRI *)',
    retentionDays: 60,
    localRetentionDays: 3,
    resourceTag: { key: 'backup', value: 'daily' },
  },
  alerts: { email: 'oncall@acme.example' },
  pipeline: {
    copierTimeoutSeconds: 600,
    copierMemoryMb: 2048,
    copierReservedConcurrency: 20,
    queueBatchSize: 5,
    maxReceiveCount: 3,
    rpoMinutes: 30,
    reconcileSchedule: 'rate(1 day)',
    verifySchedule: 'rate(12 hours)',
    sealSchedule: 'cron(15 * * * ? *)',
    sealSettleSeconds: 120,
    restoreMapConcurrency: 4,
    logRetentionDays: 731,
  },
  guardrails: { minRetentionDays: 7 },
};

const BASES = [exampleInput(), LOCAL, FULL];
const KNOWN_KEYS = [
  ...new Set(
    [...schemaFields(StrongroomConfigSchema)].map(
      (f) =>
        f
          .split(/[.[\]]+/)
          .filter(Boolean)
          .pop() ?? '',
    ),
  ),
];
const TOP_KEYS = Object.keys(FULL);

/** Mutations of the three valid configs, mostly; random JSON and objects of the right keys with random values. */
const configInput: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.oneof(...BASES.map((base) => mutated(base, { knownKeys: KNOWN_KEYS }))), weight: 8 },
  { arbitrary: fc.oneof(...BASES.map((base) => mutated(base, { knownKeys: KNOWN_KEYS, max: 1 }))), weight: 4 },
  { arbitrary: jsonish, weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom(...TOP_KEYS), jsonish, { maxKeys: TOP_KEYS.length }), weight: 1 },
);

const parsed = new Tally('config');
const loaded = new Tally('config file');
printTalliesAfterAll(parsed, loaded);

/** One config through parseConfig (schema, then linter, then the bucket policy's size). */
function checkConfig(tally: Tally, input: unknown, load: () => unknown): void {
  let config: ReturnType<typeof parseConfig>;
  try {
    config = load() as ReturnType<typeof parseConfig>;
  } catch (error) {
    if (!(error instanceof ConfigError)) tally.unhandledError(error);
    const known = fieldsOf(input, [StrongroomConfigSchema]);
    const defect =
      problemsDefect(error.problems, (field) => field === '(file)' || known(field)) ??
      receivedDefect(
        error.problems,
        input,
        [],
        (p) => p.field === 'primaryAccounts' && / accounts \(a vault bucket policy of /.test(p.received),
      );
    if (defect) tally.unhandledError(new Error(`${defect}\n${error.message}`));
    expect(error.message).toContain(error.problems[0]?.field);
    tally.reject(0);
    return;
  }
  // Accepted: well-formed, and at least as strong as the guardrails promise.
  expect(StrongroomConfigSchema.safeParse(config).success).toBe(true);
  expect(lintImmutability(config)).toEqual([]);
  expect(config.vault.objectLock.mode).toBe('COMPLIANCE');
  tally.accept();
}

describe('fuzz: config', () => {
  it('every mutated or random config is a valid, linted config or a ConfigError naming fields that exist', () => {
    fc.assert(
      fc.property(configInput, (input) => checkConfig(parsed, input, () => parseConfig(input, 'fuzz'))),
      { numRuns: runs(1000) },
    );
    parsed.expectSound({ accepted: 30, rejected: 700 });
  });

  it('every config file, however broken its bytes, loads or is refused naming the field or the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-fuzz-config-'));
    let n = 0;
    const text = fc.oneof(
      configInput.map((c) => JSON.stringify(c) ?? 'undefined'),
      configInput.chain((c) => {
        const json = JSON.stringify(c) ?? '';
        return fc.nat({ max: json.length }).map((cut) => json.slice(0, cut));
      }),
      fc.constant(`\ufeff${JSON.stringify(exampleInput())}`),
      fc.constant(JSON.stringify(exampleInput())),
      oddString,
    );
    try {
      fc.assert(
        fc.property(text, (content) => {
          const file = join(dir, `config-${n++}.json`);
          writeFileSync(file, content);
          let raw: unknown;
          try {
            raw = JSON.parse(content);
          } catch {
            raw = undefined;
          }
          checkConfig(loaded, raw, () => loadConfig(file));
        }),
        { numRuns: runs(150) },
      );
      checkConfig(loaded, undefined, () => loadConfig(join(dir, 'no-such-file.json')));
      checkConfig(loaded, undefined, () => loadConfig(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    loaded.expectSound({ accepted: 1, rejected: 100 });
  });
});
