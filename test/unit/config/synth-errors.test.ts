import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_CONTEXT_KEY } from '../../../lib/config/context';
import { ConfigError } from '../../../lib/config/errors';
import { loadConfig } from '../../../lib/config/load';
import { exampleInput } from '../../support/config';

/*
 * The rules the stack used to check itself (schedules, the copier's concurrency floor) now stop synth
 * the way every config problem does: the CDK app (bin/strongroom.ts) prints each field, the value
 * received and what was expected, and exits 1, with no stack trace.
 */

const ROOT = join(__dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'strongroom-synth-errors-'));

const EXPECTED_PROBLEMS = [
  'backupPlan.schedule: received "rate(1 day)", expected a schedule expression: "cron(m h dom mon dow year)" with six fields (AWS Backup accepts no rate(...))',
  'pipeline.copierReservedConcurrency: received 1, expected an integer from 2 to 1000',
  'pipeline.reconcileSchedule: received "rate(1 hours)", expected a rate of at least 1 whose unit agrees with it',
  'pipeline.verifySchedule: received "cron(0 5 * * MON *)", expected "?" in exactly one of day-of-month and day-of-week',
];

function badConfigFile(): string {
  const input = exampleInput();
  input.pipeline = { copierReservedConcurrency: 1, reconcileSchedule: 'rate(1 hours)', verifySchedule: 'cron(0 5 * * MON *)' };
  input.backupPlan.schedule = 'rate(1 day)';
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify(input));
  return file;
}

describe('a config the stack used to refuse with a stack trace', () => {
  const file = badConfigFile();

  it('is refused by loadConfig as a ConfigError naming every field', () => {
    let error: unknown;
    try {
      loadConfig(file);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { message } = error as ConfigError;
    expect(message).toContain(`${file}: 4 problems:`);
    for (const problem of EXPECTED_PROBLEMS) expect(message).toContain(`  - ${problem}`);
  });

  it('stops the CDK app with the named-field message and exit code 1, not a stack trace', () => {
    const run = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'bin', 'strongroom.ts')], {
      cwd: ROOT,
      encoding: 'utf8',
      env: {
        ...process.env,
        CDK_CONTEXT_JSON: JSON.stringify({ [CONFIG_CONTEXT_KEY]: file }),
        CDK_OUTDIR: join(dir, 'cdk.out'),
      },
    });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toMatch(/^Strongroom refused the configuration\.\n/);
    for (const problem of EXPECTED_PROBLEMS) expect(run.stderr).toContain(`  - ${problem}`);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toContain('ProtectedAccountStack');
    expect(run.status).toBe(1);
  }, 60_000);
});
