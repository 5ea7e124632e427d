import './powertools-env';
import { parseReconcilerEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError, NotAvailableError } from '../../../lambda/core/errors';
import { handler, reconcile } from '../../../lambda/handlers/reconciler';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseReconcilerEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events',
  RECONCILER_FUNCTION_NAME: 'strongroom-reconciler',
});

function invoke(input: unknown) {
  const o = observability('reconciler');
  return rejection(() =>
    reconcile(input, lambdaContext('strongroom-reconciler'), { env: () => env, logger: o.logger, metrics: o.metrics }),
  );
}

describe('reconciler handler', () => {
  it('fails a scheduled run with NotAvailableError', async () => {
    const error = await invoke({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} });
    expect(error).toBeInstanceOf(NotAvailableError);
    expect(error.message).toBe('reconciler is not available in this version of Strongroom');
  });

  it('accepts a continuation carrying a checkpoint', async () => {
    expect(await invoke({ checkpoint: { sourceIndex: 1, keyMarker: 'customer/b.csv' } })).toBeInstanceOf(NotAvailableError);
  });

  it('refuses anything else, naming the value received and the accepted forms', async () => {
    const error = await invoke({ source: 'aws.s3' });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toBe(
      'invalid reconciler input: (top level): received {"source":"aws.s3"}, expected an EventBridge "Scheduled Event", or a continuation {checkpoint: {...}} from an earlier run',
    );
  });

  it('the exported handler reads the real environment and fails fast, naming what is missing', async () => {
    const error = await rejection(() => handler({}, lambdaContext('strongroom-reconciler')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('QUEUE_URL: received (missing)');
  });
});
