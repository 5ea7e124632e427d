/**
 * The verify handler with mocked clients (aws-sdk-client-mock): what it reads as which role, that it files
 * the report write-once as the evidence writer, asks the restore function for the drill, and publishes the
 * metric the alarm watches. The checks themselves are proven on the real local S3 (test/integ/verify.test.ts)
 * and, for the AWS-only ones, in test/unit/core/verify/aws-checks.test.ts.
 */
import './powertools-env';
import { BackupClient } from '@aws-sdk/client-backup';
import { KMSClient } from '@aws-sdk/client-kms';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { METRICS_NAMESPACE, VERIFY_FAILURES_METRIC } from '../../../contract/metrics';
import { CHECK_IDS, VerifyReportSchema } from '../../../contract/verify-report';
import { parseVerifyEnv } from '../../../lambda/adapters/env';
import { EnvironmentError, InputValidationError } from '../../../lambda/core/errors';
import { handler, type VerifyClients, verify } from '../../../lambda/handlers/verify';
import { COMMON_ENV, lambdaContext, observability, rejection } from './fixtures';

const expectations = {
  retentionDays: 30,
  denies: { DenyInsecureTransport: '0123456789abcdef' },
  tlsSid: 'DenyInsecureTransport',
  backupVaultLock: { minRetentionDays: 7, maxRetentionDays: 365, changeableForDays: 3 },
  drill: {
    restoreFunctionName: 'strongroom-restore',
    targetBucket: 'acme-prod-restore',
    prefix: '.strongroom/drills/',
    sampleSize: 20,
    asOfMinutesAgo: 60,
  },
};
const env = parseVerifyEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222',
  EVIDENCE_WRITER_ROLE_ARN: 'arn:aws:iam::111111111111:role/strongroom-evidence-writer-222222222222',
  BACKUP_VAULT_ARN: 'arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault',
  RPO_MINUTES: '60',
  BACKUP_PLAN_TAG: '{"key":"strongroom:backup","value":"true"}',
  BACKUP_PLAN_SCHEDULE: 'cron(0 3 * * ? *)',
  VAULT_KEY_ARN: '',
  VERIFY_EXPECTATIONS: JSON.stringify(expectations),
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

const denied = () =>
  new S3ServiceException({
    name: 'AccessDenied',
    $fault: 'client',
    $metadata: { httpStatusCode: 403 },
    message: 'Access Denied',
  });
const auditor = new S3Client({ region: 'eu-west-1' });
const writer = new S3Client({ region: 'eu-west-1' });
const source = new S3Client({ region: 'eu-west-1' });
const lambda = new LambdaClient({ region: 'eu-west-1' });
const mocks = {
  auditor: mockClient(auditor),
  writer: mockClient(writer),
  source: mockClient(source),
  lambda: mockClient(lambda),
};
const clients: VerifyClients = {
  auditorVault: auditor,
  evidenceWriter: writer,
  source,
  lambda,
  aws: {
    auditorBackup: new BackupClient({ region: 'eu-west-1' }),
    auditorKms: new KMSClient({ region: 'eu-west-1' }),
    verifyTagging: new ResourceGroupsTaggingAPIClient({ region: 'eu-west-1' }),
  },
};
const aws = {
  backup: mockClient(clients.aws.auditorBackup),
  kms: mockClient(clients.aws.auditorKms),
  tagging: mockClient(clients.aws.verifyTagging),
};

beforeEach(() => {
  for (const m of [...Object.values(mocks), ...Object.values(aws)]) m.reset();
  // Every read is refused: the run must end in FAILs, filed, never in a PASS.
  for (const m of [mocks.auditor, mocks.source]) m.onAnyCommand().rejects(denied());
  aws.backup.onAnyCommand().rejects(new Error('AccessDeniedException'));
  aws.kms.onAnyCommand().rejects(new Error('AccessDeniedException'));
  aws.tagging.onAnyCommand().rejects(new Error('AccessDeniedException'));
  mocks.writer.on(PutObjectCommand).resolves({ VersionId: 'v1' });
  mocks.lambda
    .on(InvokeCommand)
    .resolves({ FunctionError: 'Unhandled', Payload: Buffer.from('{"errorMessage":"boom"}') as unknown as Uint8Array as never });
});

async function run(input: unknown) {
  const o = observability('verify');
  const deps = {
    env: () => env,
    clients: () => clients,
    logger: o.logger,
    metrics: o.metrics,
    now: () => new Date('2026-12-01T05:00:00Z'),
  };
  try {
    return { report: await verify(input, lambdaContext('strongroom-verify'), deps), published: o.published, error: undefined };
  } catch (error: unknown) {
    return { report: undefined, published: o.published, error: error as Error };
  }
}

describe('verify handler (mocked clients: the checks are proven on the local S3 and in the core tests)', () => {
  it('a scheduled run that can read nothing FAILs every check it ran, files the report, and counts a verify failure', async () => {
    const { report, published } = await run(scheduled);
    expect(report).toBeDefined();
    const r = VerifyReportSchema.parse(report);
    expect(r.checks.map((c) => c.id)).toEqual(CHECK_IDS);
    expect(r.checks.filter((c) => c.status === 'PASS')).toEqual([]);
    expect(r.summary.status).toBe('FAIL');
    expect(r.checks.find((c) => c.id === 'vault.lock.mode')?.summary).toContain('could not run as the auditor role');
    // Filed as the evidence writer: HTML then JSON under reports/<account>/, write-once, checksummed.
    const puts = mocks.writer.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Key)).toEqual([r.filed?.html, r.filed?.json]);
    for (const p of puts) {
      expect(p.Key).toMatch(/^reports\/222222222222\/2026\/12\/01\/v-/);
      expect(p).toMatchObject({ Bucket: env.vaultBucket, IfNoneMatch: '*' });
      expect(p.ContentMD5).toBeDefined();
      expect(p.ChecksumSHA256).toBeDefined();
    }
    // The drill was asked of the restore function, whose failure is the drill's FAIL.
    const drill = mocks.lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(drill?.FunctionName).toBe('strongroom-restore');
    expect(JSON.parse(Buffer.from(drill?.Payload as Uint8Array).toString())).toEqual({
      action: 'drill',
      targetBucket: 'acme-prod-restore',
      prefix: '.strongroom/drills/',
      sampleSize: 20,
      asOfMinutesAgo: 60,
    });
    expect(r.checks.find((c) => c.id === 'drill.restore')).toMatchObject({ status: 'FAIL', ranAs: 'restore' });
    const emf = published[0] as { _aws: { CloudWatchMetrics: Array<{ Namespace: string }> } };
    expect(emf).toMatchObject({ [VERIFY_FAILURES_METRIC]: 1, service: 'verify' });
    expect(emf._aws.CloudWatchMetrics[0]?.Namespace).toBe(METRICS_NAMESPACE);
  });

  it('a report that cannot be filed says so and counts as a failure', async () => {
    mocks.writer.on(PutObjectCommand).rejects(denied());
    const { report, published } = await run({ checks: ['vault.versioning'] });
    expect(report?.filed).toBeNull();
    expect(report?.filingError).toContain('could not be filed');
    expect(published[0]).toMatchObject({ [VERIFY_FAILURES_METRIC]: 1 });
  });

  it('runs only the checks asked for, and no drill when told so', async () => {
    const { report } = await run({ checks: ['drill.restore', 'vault.versioning'], drill: false });
    expect(report?.checks.map((c) => c.id)).toEqual(['vault.versioning']);
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('refuses a bad request naming the field, writes nothing, and counts a failure', async () => {
    const { error, published } = await run({ checks: ['vault.locked'] });
    expect(error).toBeInstanceOf(InputValidationError);
    expect(error?.message).toContain('checks[0]: received "vault.locked", expected a check id: one of vault.lock.enabled');
    expect(mocks.writer.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(published[0]).toMatchObject({ [VERIFY_FAILURES_METRIC]: 1 });
  });

  it('refuses a value that is not an object, naming what it expected', async () => {
    const { error } = await run('now');
    expect(error?.message).toContain(
      'invalid verify input: (top level): received "now", expected a verify request {checks?, retention?, drill?}, or {} for every check',
    );
  });

  it('the exported handler reads the real environment and fails fast, naming what is missing', async () => {
    const error = await rejection(() => handler({}, lambdaContext('strongroom-verify')));
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toContain('BACKUP_VAULT_ARN: received (missing)');
  });
});
