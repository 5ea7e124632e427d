import './powertools-env';
import { Logger } from '@aws-lambda-powertools/logger';
import { parseRestoreEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError, NotAvailableError } from '../../../lambda/core/errors';
import { handler, restore } from '../../../lambda/handlers/restore';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseRestoreEnv({
  ...COMMON_ENV,
  RESTORE_READER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222',
  RESTORE_TARGETS: JSON.stringify(['acme-prod-restore']),
});

const valid = {
  sourceBucket: 'acme-prod-uploads',
  prefix: 'customer/',
  asOf: '2024-05-01T12:00:00Z',
  targetBucket: 'acme-prod-restore',
  dryRun: true,
};

function invoke(input: unknown, environment: () => typeof env = () => env) {
  const o = observability('restore');
  return rejection(() =>
    restore(input, lambdaContext('strongroom-restore'), { env: environment, logger: o.logger, metrics: o.metrics }),
  );
}

describe('restore handler', () => {
  it("does not carry one invocation's log keys into the next (a warm container reuses the logger)", async () => {
    const logger = new Logger({ serviceName: 'restore', logLevel: 'INFO' });
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    try {
      const { metrics } = observability('restore');
      await rejection(() => restore(valid, lambdaContext('strongroom-restore'), { env: () => env, logger, metrics }));
      expect(lines.join('')).toContain('"sourceBucket":"acme-prod-uploads"'); // the refusal carried the request's keys
      lines.length = 0;
      logger.info('the next invocation');
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    expect(lines.join('')).toContain('the next invocation');
    expect(lines.join('')).not.toContain('acme-prod-uploads');
  });

  it('refuses a valid request with NotAvailableError instead of pretending to restore', async () => {
    const error = await invoke(valid);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect(error.name).toBe('NotAvailableError');
    expect(error.message).toBe('restore is not available in this version of Strongroom');
  });

  it('accepts a request without the optional prefix and dryRun', async () => {
    const { prefix: _p, dryRun: _d, ...minimal } = valid;
    expect(await invoke(minimal)).toBeInstanceOf(NotAvailableError);
  });

  it('refuses a target bucket that is not a configured restore target, naming field, value and the allowed ones', async () => {
    const error = await invoke({ ...valid, targetBucket: 'acme-prod-uploads' });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toBe(
      'invalid restore request: targetBucket: received "acme-prod-uploads", expected one of the configured restore targets, RESTORE_TARGETS (acme-prod-restore)',
    );
  });

  it('says so when no restore target is configured', async () => {
    const error = await invoke(valid, () => ({ ...env, restoreTargets: [] }));
    expect(error.message).toContain('RESTORE_TARGETS (none are configured)');
  });

  it('refuses an asOf that is not an ISO-8601 date-time', async () => {
    const error = await invoke({ ...valid, asOf: 'yesterday' });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toContain('asOf: received "yesterday", expected an ISO-8601 date-time with a zone');
  });

  it('names a missing required field', async () => {
    const { sourceBucket: _s, ...input } = valid;
    const error = await invoke(input);
    expect(error.message).toContain('sourceBucket: received (missing), expected an S3 bucket name');
  });

  it('refuses a dryRun that is not a boolean', async () => {
    const error = await invoke({ ...valid, dryRun: 'yes' });
    expect(error.message).toContain('dryRun: received "yes", expected true or false');
  });

  it('refuses unknown fields, so that a typo never silently drops an option', async () => {
    const error = await invoke({ ...valid, dryrun: false });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toBe(
      'invalid restore request: dryrun: received false, expected no such field here (a restore request {sourceBucket, prefix?, asOf, targetBucket, dryRun?})',
    );
  });

  it('refuses input that is not an object at all', async () => {
    const error = await invoke('restore everything');
    expect(error.message).toBe(
      'invalid restore request: (top level): received "restore everything", expected a restore request {sourceBucket, prefix?, asOf, targetBucket, dryRun?}',
    );
  });

  it('fails with EnvironmentError when its environment is broken', async () => {
    const error = await invoke(valid, () => parseRestoreEnv({}));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('RESTORE_TARGETS: received (missing)');
  });

  it('the exported handler reads the real environment and fails fast, naming what is missing', async () => {
    const error = await rejection(() => handler({}, lambdaContext('strongroom-restore')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('RESTORE_READER_ROLE_ARN: received (missing)');
  });
});
