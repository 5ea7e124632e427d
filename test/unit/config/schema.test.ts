import { parseConfig } from '../../../lib/config/load';
import { exampleConfig, exampleInput, exampleWith, refusal } from '../../support/config';

describe('config schema', () => {
  it('accepts the committed example and fills the defaults', () => {
    const config = exampleConfig();
    expect(config.name).toBe('strongroom');
    expect(config.guardrails.minRetentionDays).toBe(1);
    expect(config.pipeline.maxReceiveCount).toBe(5);
    expect(config.backupPlan.localRetentionDays).toBe(7);
    expect(config.primaryAccounts[0].restoreTargets).toEqual(['acme-prod-restore']);
    expect(config.alerts.changeRate).toEqual({ intervalMinutes: 5, deletionsPerInterval: 100, writesPerInterval: 10_000 });
  });

  it('takes a partial change rate, the rest from the defaults', () => {
    const config = parseConfig(exampleWith('alerts.changeRate', { intervalMinutes: 1, deletionsPerInterval: 10 }), 'test-config');
    expect(config.alerts.changeRate).toEqual({ intervalMinutes: 1, deletionsPerInterval: 10, writesPerInterval: 10_000 });
  });

  // Each row: what to change, then the exact problem line the user must see
  // (path, the value received, what was expected).
  const invalid: Array<[string, string, unknown, string]> = [
    [
      'backup account id too short',
      'backupAccount.accountId',
      '12345',
      'backupAccount.accountId: received "12345", expected a 12-digit AWS account id, as a string',
    ],
    [
      'backup account id as a number',
      'backupAccount.accountId',
      111111111111,
      'backupAccount.accountId: received 111111111111, expected a 12-digit AWS account id, as a string',
    ],
    [
      'primary account id with letters',
      'primaryAccounts[0].accountId',
      '22222222222x',
      'primaryAccounts[0].accountId: received "22222222222x", expected a 12-digit AWS account id, as a string',
    ],
    ['region not a region', 'region', 'europe', 'region: received "europe", expected an AWS region name such as "eu-west-1"'],
    [
      'bucket name with capitals',
      'primaryAccounts[0].sources[0].bucket',
      'Acme_Invoices',
      'primaryAccounts[0].sources[0].bucket: received "Acme_Invoices", expected an S3 bucket name: 3-63 characters of a-z, 0-9, "." and "-", starting and ending with a letter or digit',
    ],
    [
      'bucket name shaped like an IP',
      'primaryAccounts[0].sources[0].bucket',
      '192.168.1.1',
      'primaryAccounts[0].sources[0].bucket: received "192.168.1.1", expected an S3 bucket name without ".."',
    ],
    [
      'empty prefix list',
      'primaryAccounts[0].sources[1].prefixes',
      [],
      'primaryAccounts[0].sources[1].prefixes: received [], expected at least one prefix, or omit "prefixes" to back up the whole bucket',
    ],
    [
      'prefix with a leading slash',
      'primaryAccounts[0].sources[1].prefixes[0]',
      '/customer/',
      'primaryAccounts[0].sources[1].prefixes[0]: received "/customer/", expected a key prefix that does not start with "/"',
    ],
    [
      'no sources',
      'primaryAccounts[0].sources',
      [],
      'primaryAccounts[0].sources: received [], expected at least one source bucket',
    ],
    ['no primary accounts', 'primaryAccounts', [], 'primaryAccounts: received [], expected at least one primary account'],
    [
      'lock mode misspelt',
      'vault.objectLock.mode',
      'compliance',
      'vault.objectLock.mode: received "compliance", expected "COMPLIANCE"',
    ],
    [
      'retention as a string',
      'vault.objectLock.retentionDays',
      '30',
      'vault.objectLock.retentionDays: received "30", expected a whole number of days',
    ],
    [
      'retention fractional',
      'vault.objectLock.retentionDays',
      1.5,
      'vault.objectLock.retentionDays: received 1.5, expected a whole number of days',
    ],
    [
      'retention negative',
      'vault.objectLock.retentionDays',
      -1,
      'vault.objectLock.retentionDays: received -1, expected a whole number of days >= 0',
    ],
    [
      'retention beyond 100 years',
      'vault.objectLock.retentionDays',
      40000,
      'vault.objectLock.retentionDays: received 40000, expected at most 36500 days',
    ],
    [
      'retention missing',
      'vault.objectLock.retentionDays',
      undefined,
      'vault.objectLock.retentionDays: received (missing), expected a whole number of days',
    ],
    [
      'encryption of unknown type',
      'vault.encryption',
      { type: 'AES' },
      'vault.encryption.type: received "AES", expected an encryption setting: {"type": "SSE_S3"} or {"type": "SSE_KMS", "denyKeyDeletion": true}',
    ],
    [
      'KMS without the deletion flag',
      'vault.encryption',
      { type: 'SSE_KMS' },
      'vault.encryption.denyKeyDeletion: received (missing), expected true or false',
    ],
    [
      'malformed schedule',
      'backupPlan.schedule',
      'cron(0 3 * * ?)',
      'backupPlan.schedule: received "cron(0 3 * * ?)", expected a schedule expression',
    ],
    ['alert address not an address', 'alerts.email', 'oncall', 'alerts.email: received "oncall", expected an e-mail address'],
    ['external id too short', 'externalId', 'abc', 'externalId: received "abc", expected an external id: 16-1224 characters'],
    [
      'break-glass role name with a slash',
      'backupAccount.breakGlassRoleName',
      'admin/break',
      'backupAccount.breakGlassRoleName: received "admin/break", expected an IAM role name',
    ],
    [
      'source KMS key given as an alias',
      'primaryAccounts[0].sources[0].kmsKeyArn',
      'alias/aws/s3',
      'primaryAccounts[0].sources[0].kmsKeyArn: received "alias/aws/s3", expected a KMS key ARN',
    ],
    [
      'reserved concurrency zero',
      'pipeline',
      { copierReservedConcurrency: 0 },
      'pipeline.copierReservedConcurrency: received 0, expected an integer from 2 to 1000',
    ],
    [
      'reserved concurrency one (the SQS poller would throttle healthy messages into the DLQ)',
      'pipeline',
      { copierReservedConcurrency: 1 },
      'pipeline.copierReservedConcurrency: received 1, expected an integer from 2 to 1000 (the SQS event source needs a maximum concurrency of 2 or more, and a poller throttled by a lower reserved concurrency would push healthy messages into the DLQ)',
    ],
    [
      'a reconcile rate whose unit disagrees with its value',
      'pipeline',
      { reconcileSchedule: 'rate(1 hours)' },
      'pipeline.reconcileSchedule: received "rate(1 hours)", expected a rate of at least 1 whose unit agrees with it ("rate(1 hour)", "rate(6 hours)")',
    ],
    [
      'a reconcile rate of zero',
      'pipeline',
      { reconcileSchedule: 'rate(0 minutes)' },
      'pipeline.reconcileSchedule: received "rate(0 minutes)", expected a rate of at least 1 whose unit agrees with it',
    ],
    [
      'a reconcile schedule in neither form',
      'pipeline',
      { reconcileSchedule: 'every 6 hours' },
      'pipeline.reconcileSchedule: received "every 6 hours", expected a schedule expression: "cron(m h dom mon dow year)" with six fields, or "rate(N unit)"',
    ],
    [
      'a verify cron with both day fields set',
      'pipeline',
      { verifySchedule: 'cron(0 5 * * MON *)' },
      'pipeline.verifySchedule: received "cron(0 5 * * MON *)", expected "?" in exactly one of day-of-month and day-of-week (e.g. "cron(0 3 * * ? *)")',
    ],
    [
      'a verify cron with "?" in both day fields',
      'pipeline',
      { verifySchedule: 'cron(0 5 ? * ? *)' },
      'pipeline.verifySchedule: received "cron(0 5 ? * ? *)", expected "?" in exactly one of day-of-month and day-of-week',
    ],
    [
      'a verify cron with five fields',
      'pipeline',
      { verifySchedule: 'cron(0 5 * * ?)' },
      'pipeline.verifySchedule: received "cron(0 5 * * ?)", expected a schedule expression: "cron(m h dom mon dow year)" with six fields, or "rate(N unit)"',
    ],
    [
      'a verify schedule that is not a string',
      'pipeline',
      { verifySchedule: 6 },
      'pipeline.verifySchedule: received 6, expected a schedule expression',
    ],
    [
      'a rate() backup schedule (AWS Backup accepts cron only)',
      'backupPlan.schedule',
      'rate(1 day)',
      'backupPlan.schedule: received "rate(1 day)", expected a schedule expression: "cron(m h dom mon dow year)" with six fields (AWS Backup accepts no rate(...))',
    ],
    [
      'a backup cron with both day fields set',
      'backupPlan.schedule',
      'cron(0 3 * * MON *)',
      'backupPlan.schedule: received "cron(0 3 * * MON *)", expected "?" in exactly one of day-of-month and day-of-week',
    ],
    [
      'a prefix IAM would read as a wildcard',
      'primaryAccounts[0].sources[1].prefixes',
      ['customer/', 'exports*/'],
      'primaryAccounts[0].sources[1].prefixes[1]: received "exports*/", expected a prefix without "*", "?" or "${" (IAM would read them as wildcards or variables and grant more than the prefix)',
    ],
    [
      'a prefix IAM would read as a policy variable',
      'primaryAccounts[0].sources[1].prefixes',
      [`\${aws:username}/`],
      `primaryAccounts[0].sources[1].prefixes[0]: received "\${aws:username}/", expected a prefix without "*", "?" or "\${"`,
    ],
    [
      'a seal rate whose unit disagrees with its value',
      'pipeline',
      { sealSchedule: 'rate(2 hour)' },
      'pipeline.sealSchedule: received "rate(2 hour)", expected a rate of at least 1 whose unit agrees with it ("rate(1 hour)", "rate(6 hours)")',
    ],
    [
      'a seal cron with both day fields set',
      'pipeline',
      { sealSchedule: 'cron(0 * * * MON *)' },
      'pipeline.sealSchedule: received "cron(0 * * * MON *)", expected "?" in exactly one of day-of-month and day-of-week',
    ],
    [
      'a seal schedule in neither form',
      'pipeline',
      { sealSchedule: 'hourly' },
      'pipeline.sealSchedule: received "hourly", expected a schedule expression: "cron(m h dom mon dow year)" with six fields, or "rate(N unit)"',
    ],
    [
      'a seal settle time under a minute',
      'pipeline',
      { sealSettleSeconds: 59 },
      'pipeline.sealSettleSeconds: received 59, expected an integer from 60 to 3600',
    ],
    [
      'a seal settle time over an hour',
      'pipeline',
      { sealSettleSeconds: 3601 },
      'pipeline.sealSettleSeconds: received 3601, expected an integer from 60 to 3600',
    ],
    [
      'a fractional seal settle time',
      'pipeline',
      { sealSettleSeconds: 120.5 },
      'pipeline.sealSettleSeconds: received 120.5, expected an integer from 60 to 3600',
    ],
    [
      'a restore map concurrency of zero',
      'pipeline',
      { restoreMapConcurrency: 0 },
      'pipeline.restoreMapConcurrency: received 0, expected an integer from 1 to 1000',
    ],
    [
      'a restore map concurrency above 1000',
      'pipeline',
      { restoreMapConcurrency: 1001 },
      'pipeline.restoreMapConcurrency: received 1001, expected an integer from 1 to 1000',
    ],
    [
      'a restore map concurrency as a string',
      'pipeline',
      { restoreMapConcurrency: '10' },
      'pipeline.restoreMapConcurrency: received "10", expected an integer from 1 to 1000',
    ],
    [
      'log retention CloudWatch does not offer',
      'pipeline',
      { logRetentionDays: 10 },
      'pipeline.logRetentionDays: received 10, expected a CloudWatch Logs retention: one of 1, 3, 5, 7',
    ],
    [
      'vault lock max below min',
      'backupVault.lock.maxRetentionDays',
      3,
      'backupVault.lock.maxRetentionDays: received 3, expected a number of days >= backupVault.lock.minRetentionDays (7)',
    ],
    [
      'a change-rate interval CloudWatch alarms do not take',
      'alerts.changeRate',
      { intervalMinutes: 7 },
      'alerts.changeRate.intervalMinutes: received 7, expected a CloudWatch alarm period in minutes: one of 1, 5, 10, 15, 30, 60',
    ],
    [
      'a deletion threshold of zero',
      'alerts.changeRate',
      { deletionsPerInterval: 0 },
      'alerts.changeRate.deletionsPerInterval: received 0, expected an integer from 1 to 1000000000',
    ],
    [
      'a write threshold that is not whole',
      'alerts.changeRate',
      { writesPerInterval: 12.5 },
      'alerts.changeRate.writesPerInterval: received 12.5, expected an integer from 1 to 1000000000',
    ],
    [
      'a misspelt change-rate field',
      'alerts.changeRate',
      { deletionPerInterval: 5 },
      'alerts.changeRate.deletionPerInterval: received 5, expected no such key (allowed here: intervalMinutes, deletionsPerInterval, writesPerInterval); did you mean "deletionsPerInterval"?',
    ],
    [
      'local backup retention zero',
      'backupPlan.localRetentionDays',
      0,
      'backupPlan.localRetentionDays: received 0, expected an integer from 1 to 36500',
    ],
  ];

  it.each(invalid)('refuses %s', (_what, path, value, expected) => {
    const error = refusal(exampleWith(path, value));
    expect(error.message).toContain('test-config:');
    expect(error.message).toContain(expected);
  });

  it.each([
    ['pipeline.reconcileSchedule', { reconcileSchedule: 'rate(1 hour)' }],
    ['pipeline.reconcileSchedule', { reconcileSchedule: 'rate(15 minutes)' }],
    ['pipeline.verifySchedule', { verifySchedule: 'cron(0 5 ? * MON-FRI *)' }],
    ['pipeline.copierReservedConcurrency', { copierReservedConcurrency: 2 }],
    ['pipeline.sealSchedule', { sealSchedule: 'rate(15 minutes)' }],
    ['pipeline.sealSchedule', { sealSchedule: 'cron(5 * * * ? *)' }],
    ['pipeline.sealSettleSeconds', { sealSettleSeconds: 60 }],
    ['pipeline.sealSettleSeconds', { sealSettleSeconds: 3600 }],
    ['pipeline.restoreMapConcurrency', { restoreMapConcurrency: 1 }],
    ['pipeline.restoreMapConcurrency', { restoreMapConcurrency: 1000 }],
  ])('accepts %s as in %j', (_field, pipeline) => {
    expect(parseConfig({ ...exampleInput(), pipeline }, 'test-config').pipeline).toMatchObject(pipeline);
  });

  it('validates the default schedules as strictly as configured ones', () => {
    const { pipeline } = exampleConfig();
    expect(() => parseConfig({ ...exampleInput(), pipeline: { ...pipeline } }, 'test-config')).not.toThrow();
  });

  it('fills every pipeline and guardrail default when the object is given empty or left out', () => {
    const omitted = exampleConfig();
    const empty = parseConfig({ ...exampleInput(), pipeline: {}, guardrails: {} }, 'test-config');
    expect(empty.pipeline).toEqual(omitted.pipeline);
    expect(empty.guardrails).toEqual(omitted.guardrails);
    expect(omitted.pipeline).toEqual({
      copierTimeoutSeconds: 300,
      copierMemoryMb: 1024,
      copierReservedConcurrency: 10,
      queueBatchSize: 10,
      maxReceiveCount: 5,
      rpoMinutes: 60,
      reconcileSchedule: 'rate(6 hours)',
      verifySchedule: 'cron(0 5 * * ? *)',
      sealSchedule: 'rate(1 hour)',
      sealSettleSeconds: 300,
      restoreMapConcurrency: 10,
      logRetentionDays: 365,
    });
    expect(omitted.guardrails).toEqual({ minRetentionDays: 1 });
  });

  it('refuses an unknown key and suggests the one meant', () => {
    const raw = exampleWith('vault.objectLock.retentionDay', 30);
    const error = refusal(raw);
    expect(error.message).toContain(
      'vault.objectLock.retentionDay: received 30, expected no such key (allowed here: mode, retentionDays); did you mean "retentionDays"?',
    );
  });

  it('refuses an unknown key inside an array element and at the top level', () => {
    const raw = exampleWith('primaryAccounts[0].sources[0].prefix', 'x/') as Record<string, unknown>;
    raw.retentionDays = 30;
    const error = refusal(raw);
    expect(error.problems.map((p) => p.field)).toEqual(['primaryAccounts[0].sources[0].prefix', 'retentionDays']);
    expect(error.message).toContain('did you mean "prefixes"?');
  });

  it('refuses an unknown key in the encryption union with the keys of the chosen variant', () => {
    const error = refusal(exampleWith('vault.encryption', { type: 'SSE_KMS', denyKeyDeletion: true, keyArn: 'x' }));
    expect(error.message).toContain(
      'vault.encryption.keyArn: received "x", expected no such key (allowed here: type, denyKeyDeletion)',
    );
  });

  it('refuses the same primary account twice, and the same source bucket in two accounts', () => {
    const input = exampleInput();
    input.primaryAccounts.push({ ...input.primaryAccounts[0], name: 'copy' });
    const error = refusal(input);
    expect(error.message).toContain(
      'primaryAccounts[1].accountId: received "222222222222", expected each primary account listed once (already listed at primaryAccounts[0])',
    );
    expect(error.message).toContain(
      'primaryAccounts[1].sources[0].bucket: received "acme-prod-invoices", expected each source bucket listed once (already listed at primaryAccounts[0].sources[0])',
    );
  });

  it('reports every problem of a config at once, not only the first', () => {
    const input = exampleWith('region', 'nowhere') as Record<string, Record<string, unknown>>;
    input.alerts.email = 'x';
    const error = refusal(input);
    expect(error.problems).toHaveLength(2);
  });

  it('refuses a config that is not an object at all', () => {
    expect(refusal('hello').message).toContain('(top level): received "hello", expected a value of type object');
  });
});
