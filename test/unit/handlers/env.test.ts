import { parseCopierEnv, parseReconcilerEnv, parseRestoreEnv, parseVerifyEnv } from '../../../lambda/adapters/env';
import { EnvironmentError } from '../../../lambda/core/errors';
import { COMMON_ENV } from './fixtures';

const COPIER_ENV = {
  ...COMMON_ENV,
  INGEST_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq',
};

function environmentError(parse: () => unknown): EnvironmentError {
  try {
    parse();
  } catch (error: unknown) {
    if (error instanceof EnvironmentError) return error;
    throw error;
  }
  throw new Error('expected an EnvironmentError, but the environment was accepted');
}

describe('parseCopierEnv', () => {
  it('returns the typed environment, sources decoded exactly as configured', () => {
    // Act
    const env = parseCopierEnv(COPIER_ENV);

    // Assess
    expect(env).toEqual({
      strongroomName: 'strongroom',
      sourceAccountId: '222222222222',
      vaultAccountId: '111111111111',
      vaultBucket: 'strongroom-vault-111111111111-eu-west-1',
      externalId: 'strongroom-example-7f3c9a1e5b2d',
      sources: [{ bucket: 'acme-prod-invoices' }, { bucket: 'acme-prod-uploads', prefixes: ['customer/'] }],
      ingestRoleArn: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222',
      deadLetterQueueUrl: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq',
    });
  });

  it('names a missing variable', () => {
    const { INGEST_ROLE_ARN: _omitted, ...env } = COPIER_ENV;
    const error = environmentError(() => parseCopierEnv(env));
    expect(error.name).toBe('EnvironmentError');
    expect(error.problems).toEqual([
      { field: 'INGEST_ROLE_ARN', received: '(missing)', expected: expect.stringContaining('IAM role ARN') },
    ]);
  });

  it('names SOURCES when it is not JSON, with the value received', () => {
    const error = environmentError(() => parseCopierEnv({ ...COPIER_ENV, SOURCES: 'acme-prod-invoices' }));
    expect(error.message).toContain('SOURCES: received "acme-prod-invoices"');
    expect(error.message).toContain('encoded as JSON');
  });

  it('names the field inside SOURCES that is wrong', () => {
    const error = environmentError(() =>
      parseCopierEnv({ ...COPIER_ENV, SOURCES: JSON.stringify([{ bucket: 'Not_A_Bucket' }]) }),
    );
    expect(error.problems).toEqual([
      { field: 'SOURCES[0].bucket', received: '"Not_A_Bucket"', expected: expect.stringContaining('S3 bucket name') },
    ]);
  });

  it('refuses a role ARN outside the vault account (cross-wiring)', () => {
    const error = environmentError(() =>
      parseCopierEnv({ ...COPIER_ENV, INGEST_ROLE_ARN: 'arn:aws:iam::222222222222:role/strongroom-ingest-222222222222' }),
    );
    expect(error.problems).toEqual([
      {
        field: 'INGEST_ROLE_ARN',
        received: '"arn:aws:iam::222222222222:role/strongroom-ingest-222222222222"',
        expected: 'an ARN in the vault account VAULT_ACCOUNT_ID (111111111111)',
      },
    ]);
  });

  it('lists every problem, not just the first', () => {
    const error = environmentError(() => parseCopierEnv({ ...COPIER_ENV, SOURCE_ACCOUNT_ID: '42', VAULT_BUCKET: '' }));
    expect(error.problems.map((p) => p.field).sort()).toEqual(['SOURCE_ACCOUNT_ID', 'VAULT_BUCKET']);
  });
});

describe('the other functions', () => {
  it('parseReconcilerEnv reads the auditor role, queue URL and its own name', () => {
    const env = parseReconcilerEnv({
      ...COMMON_ENV,
      AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
      QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events',
      RECONCILER_FUNCTION_NAME: 'strongroom-reconciler',
    });
    expect(env).toMatchObject({
      auditorRoleArn: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
      queueUrl: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events',
      reconcilerFunctionName: 'strongroom-reconciler',
    });
  });

  it('parseRestoreEnv decodes RESTORE_TARGETS and names it when it is not a list of bucket names', () => {
    const base = {
      ...COMMON_ENV,
      RESTORE_READER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222',
      RESTORE_FUNCTION_NAME: 'strongroom-restore',
      RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore',
    };
    expect(parseRestoreEnv({ ...base, RESTORE_TARGETS: '["acme-prod-restore"]' }).restoreTargets).toEqual(['acme-prod-restore']);
    const error = environmentError(() => parseRestoreEnv({ ...base, RESTORE_TARGETS: '"acme-prod-restore"' }));
    expect(error.problems).toEqual([
      { field: 'RESTORE_TARGETS', received: '"acme-prod-restore"', expected: 'a JSON array of bucket names' },
    ]);
  });

  it('parseVerifyEnv reads the RPO as a number and refuses one that is not', () => {
    const { RPO_MINUTES: _rpo, ...base } = VERIFY_ENV;
    expect(parseVerifyEnv({ ...base, RPO_MINUTES: '60' }).rpoMinutes).toBe(60);
    const error = environmentError(() => parseVerifyEnv({ ...base, RPO_MINUTES: 'an hour' }));
    expect(error.problems).toEqual([{ field: 'RPO_MINUTES', received: '"an hour"', expected: 'a whole number of minutes >= 1' }]);
  });
});

const VERIFY_ENV = {
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  EVIDENCE_WRITER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-evidence-writer-222222222222',
  BACKUP_VAULT_ARN: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault',
  RPO_MINUTES: '60',
  BACKUP_PLAN_TAG: '{"key":"strongroom:backup","value":"true"}',
  BACKUP_PLAN_SCHEDULE: 'cron(0 3 ? * MON-FRI *)',
  VAULT_KEY_ARN: 'arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault',
};

describe("parseVerifyEnv: the AWS-only checks' settings", () => {
  it('reads the backup plan tag, its schedule and the vault key; an empty VAULT_KEY_ARN means SSE-S3', () => {
    expect(parseVerifyEnv(VERIFY_ENV)).toMatchObject({
      backupPlanTag: { key: 'strongroom:backup', value: 'true' },
      backupPlanSchedule: 'cron(0 3 ? * MON-FRI *)',
      vaultKeyArn: 'arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault',
    });
    expect(parseVerifyEnv({ ...VERIFY_ENV, VAULT_KEY_ARN: '' }).vaultKeyArn).toBeNull();
  });

  it.each([
    [
      'BACKUP_PLAN_TAG',
      'strongroom:backup=true',
      '"strongroom:backup=true"',
      "the backup plan's selection tag {key, value}, encoded as JSON",
    ],
    ['BACKUP_PLAN_TAG.value', '{"key":"strongroom:backup"}', '(missing)', 'a tag value'],
    ['BACKUP_PLAN_SCHEDULE', 'rate(1 day)', '"rate(1 day)"', '"cron(m h dom mon dow year)" with six fields'],
    ['BACKUP_PLAN_SCHEDULE', 'cron(0 3 * * * *)', '"cron(0 3 * * * *)"', '"?" in exactly one of day-of-month and day-of-week'],
    ['BACKUP_PLAN_SCHEDULE', 'cron(0 24 * * ? *)', '"cron(0 24 * * ? *)"', 'AWS cron syntax: "24" is not a hours value (0-23)'],
    [
      'VAULT_KEY_ARN',
      'alias/strongroom-vault',
      '"alias/strongroom-vault"',
      'a KMS key ARN or alias ARN such as "arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault", or empty with SSE-S3',
    ],
    [
      'VAULT_KEY_ARN',
      'arn:aws:kms:eu-west-1:222222222222:alias/strongroom-vault',
      '"arn:aws:kms:eu-west-1:222222222222:alias/strongroom-vault"',
      'an ARN in the vault account VAULT_ACCOUNT_ID (111111111111)',
    ],
  ])('refuses %s set to %s, naming the field, the value and what was expected', (field, value, received, expected) => {
    const variable = field.split('.')[0] as string;
    const error = environmentError(() => parseVerifyEnv({ ...VERIFY_ENV, [variable]: value }));
    expect(error.problems).toEqual([{ field, received, expected }]);
  });

  it('names each missing variable', () => {
    const { BACKUP_PLAN_TAG: _t, BACKUP_PLAN_SCHEDULE: _s, VAULT_KEY_ARN: _k, ...env } = VERIFY_ENV;
    const error = environmentError(() => parseVerifyEnv(env));
    expect(error.problems.map((p) => `${p.field}: ${p.received}`)).toEqual([
      'BACKUP_PLAN_TAG: (missing)',
      'BACKUP_PLAN_SCHEDULE: (missing)',
      'VAULT_KEY_ARN: (missing)',
    ]);
  });
});
