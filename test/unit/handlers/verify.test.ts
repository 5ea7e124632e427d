import './powertools-env';
import { METRICS_NAMESPACE, VERIFY_FAILURES_METRIC } from '../../../contract/metrics';
import { parseVerifyEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError, NotAvailableError } from '../../../lambda/core/errors';
import { handler, verify } from '../../../lambda/handlers/verify';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const env = parseVerifyEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  EVIDENCE_WRITER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-evidence-writer-222222222222',
  BACKUP_VAULT_ARN: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault',
  RPO_MINUTES: '60',
  BACKUP_PLAN_TAG: '{"key":"strongroom:backup","value":"true"}',
  BACKUP_PLAN_SCHEDULE: 'cron(0 3 * * ? *)',
  VAULT_KEY_ARN: '',
});

const scheduled = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '222222222222',
  time: '2024-05-01T05:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:222222222222:rule/verify'],
  detail: {},
};

async function invoke(input: unknown) {
  const o = observability('verify');
  const error = await rejection(() =>
    verify(input, lambdaContext('strongroom-verify'), { env: () => env, logger: o.logger, metrics: o.metrics }),
  );
  return { error, published: o.published };
}

describe('verify handler', () => {
  it('fails a scheduled run with NotAvailableError: an unverified backup must not look verified', async () => {
    const { error } = await invoke(scheduled);
    expect(error).toBeInstanceOf(NotAvailableError);
    expect(error.message).toBe('verify is not available in this version of Strongroom');
  });

  it('counts the run as a verify failure in the metric the alarm watches (namespace, name and service dimension)', async () => {
    const { published } = await invoke(scheduled);
    expect(published).toHaveLength(1);
    const emf = published[0] as {
      _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> };
    };
    expect(emf).toMatchObject({ [VERIFY_FAILURES_METRIC]: 1, service: 'verify' });
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: METRICS_NAMESPACE,
      Dimensions: [['service']],
      Metrics: [expect.objectContaining({ Name: VERIFY_FAILURES_METRIC })],
    });
  });

  it('refuses a value that is not an object, naming what it expected', async () => {
    const { error } = await invoke('now');
    expect(error.message).toBe(
      'invalid verify input: (top level): received "now", expected an EventBridge "Scheduled Event", or {} when invoked by hand (verify takes no input)',
    );
  });

  it('accepts {} for a run started by hand', async () => {
    expect((await invoke({})).error).toBeInstanceOf(NotAvailableError);
  });

  it('refuses input, since verify takes none, naming the field and value', async () => {
    const { error, published } = await invoke({ bucket: 'acme-prod-invoices' });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error.message).toBe(
      'invalid verify input: bucket: received "acme-prod-invoices", expected no such field here (an EventBridge "Scheduled Event", or {} when invoked by hand (verify takes no input))',
    );
    expect(published[0]).toMatchObject({ [VERIFY_FAILURES_METRIC]: 1 });
  });

  it('the exported handler reads the real environment and fails fast, naming what is missing', async () => {
    const error = await rejection(() => handler({}, lambdaContext('strongroom-verify')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('BACKUP_VAULT_ARN: received (missing)');
  });
});
