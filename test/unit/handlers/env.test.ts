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
    const base = {
      ...COMMON_ENV,
      AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
      BACKUP_VAULT_ARN: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault',
    };
    expect(parseVerifyEnv({ ...base, RPO_MINUTES: '60' }).rpoMinutes).toBe(60);
    const error = environmentError(() => parseVerifyEnv({ ...base, RPO_MINUTES: 'an hour' }));
    expect(error.problems).toEqual([{ field: 'RPO_MINUTES', received: '"an hour"', expected: 'a whole number of minutes >= 1' }]);
  });
});
