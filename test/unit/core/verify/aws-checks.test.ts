/**
 * The AWS-only checks of verify. MOCK-TESTED: AWS Backup, KMS, the tagging API and EventBridge have no local
 * server, so these run against aws-sdk-client-mock clients, never AWS. They prove the requests, the paging and
 * how each answer becomes PASS, WARN, FAIL or SKIPPED; not that AWS answers a real deployment this way.
 */
import {
  BackupClient,
  DescribeBackupVaultCommand,
  ListRecoveryPointsByBackupVaultCommand,
  type RecoveryPointByBackupVault,
} from '@aws-sdk/client-backup';
import { DescribeKeyCommand, GetKeyPolicyCommand, type KeyMetadata, KMSClient } from '@aws-sdk/client-kms';
import { GetResourcesCommand, ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { GetBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import {
  backupVaultLockGroup,
  kmsKeyOutcome,
  RECOVERY_POINT_SLACK_MS,
  recoveryPointsGroup,
  sourceEventsGroup,
} from '../../../../lambda/core/verify/aws-checks';
import { deniesToEveryone } from '../../../../lambda/core/verify/aws-checks-kms';
import { type CheckGroup, runGroup } from '../../../../lambda/core/verify/check';
import type { VerifyContext, VerifySettings } from '../../../../lambda/core/verify/context';
import { vaultKeyPolicy } from '../../../../lib/policy/kms';
import { vaultPolicyModel } from '../../../../lib/policy/model';
import { exampleConfig } from '../../../support/config';

const MOCKED = '(mock-tested: no local AWS Backup/KMS/tagging server)';
const NOW = new Date('2026-03-10T12:00:00Z');
const HOUR = 3_600_000;
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);

const backup = mockClient(BackupClient);
const kms = mockClient(KMSClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const s3 = mockClient(S3Client);
beforeEach(() => {
  backup.reset();
  kms.reset();
  tagging.reset();
  s3.reset();
});
afterAll(() => {
  for (const mock of [backup, kms, tagging, s3]) mock.restore();
});

const KEY_ARN = 'arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const KEY_ALIAS = 'arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault';
const VAULT = 'strongroom-vault';

function settings(change: Partial<VerifySettings> = {}): VerifySettings {
  return {
    deploymentName: 'strongroom',
    where: 'account 222222222222 (eu-west-1)',
    primaryAccount: '222222222222',
    backupAccount: '111111111111',
    vaultBucket: 'strongroom-vault-111111111111-eu-west-1',
    retentionDays: 30,
    rpoMinutes: 60,
    sources: [
      { bucket: 'acme-prod-invoices', prefixes: [] },
      { bucket: 'acme-prod-uploads', prefixes: ['customer/'] },
    ],
    encryption: { type: 'SSE_KMS', keyArn: KEY_ALIAS },
    expectedPolicy: { denies: {}, tlsSid: 'DenyInsecureTransport' },
    backupVault: {
      arn: `arn:aws:backup:eu-west-1:111111111111:backup-vault:${VAULT}`,
      name: VAULT,
      minRetentionDays: 7,
      maxRetentionDays: 365,
      changeableForDays: 3,
    },
    backupPlan: { tagKey: 'strongroom:backup', tagValue: 'true', schedule: 'cron(0 3 * * ? *)' },
    retention: 100,
    sourceEventsObservable: true,
    drill: null,
    unavailable: {},
    ...change,
  };
}

function context(change: Partial<VerifySettings> = {}, aws = true): VerifyContext {
  const client = new S3Client({ region: 'eu-west-1' });
  return {
    drill: null,
    settings: settings(change),
    clients: {
      auditorVault: client,
      source: client,
      aws: aws
        ? {
            auditorBackup: new BackupClient({ region: 'eu-west-1' }),
            auditorKms: new KMSClient({ region: 'eu-west-1' }),
            verifyTagging: new ResourceGroupsTaggingAPIClient({ region: 'eu-west-1' }),
          }
        : null,
    },
    now: () => NOW,
    random: () => 0.5,
  };
}

/** One group's one outcome, through the framework's runner (a throw becomes a FAIL there). */
async function runOne(group: CheckGroup<VerifyContext>, ctx: VerifyContext) {
  const [result] = await runGroup(group, ctx, new Set(group.ids));
  if (!result) throw new Error(`${group.name} returned nothing`);
  return result;
}

// ---- vault.encryption (KMS half) ----------------------------------------------------------------

const healthyKey: KeyMetadata = {
  KeyId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  Arn: KEY_ARN,
  AWSAccountId: '111111111111',
  KeyState: 'Enabled',
  Enabled: true,
  KeyManager: 'CUSTOMER',
  Origin: 'AWS_KMS',
};
/** The key policy exactly as lib/policy/kms.ts writes it. */
const strongroomKeyPolicy = vaultKeyPolicy(vaultPolicyModel(exampleConfig()));
const withoutDeny = {
  ...strongroomKeyPolicy,
  Statement: strongroomKeyPolicy.Statement.filter((s) => s.Sid !== 'DenyKeyDeletionAndDisablingToEveryone'),
};

function keyAnswers(key: KeyMetadata, keyPolicy: unknown = strongroomKeyPolicy) {
  kms.on(DescribeKeyCommand).resolves({ KeyMetadata: key });
  kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(keyPolicy) });
}

describe(`vault.encryption, KMS half ${MOCKED}`, () => {
  it(`PASS: an enabled customer key whose policy is lib/policy/kms.ts's, resolved from its alias ${MOCKED}`, async () => {
    keyAnswers(healthyKey);
    const outcome = await kmsKeyOutcome(context(), KEY_ALIAS);
    expect(outcome.status).toBe('PASS');
    expect(outcome.evidence).toMatchObject({
      keyArn: KEY_ARN,
      keyState: 'Enabled',
      keyManager: 'CUSTOMER',
      origin: 'AWS_KMS',
      denyScheduleKeyDeletion: 'DenyKeyDeletionAndDisablingToEveryone',
      denyDisableKey: 'DenyKeyDeletionAndDisablingToEveryone',
    });
    expect(kms.commandCalls(DescribeKeyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ALIAS });
    // GetKeyPolicy takes no alias: the key ARN DescribeKey resolved.
    expect(kms.commandCalls(GetKeyPolicyCommand)[0]?.args[0].input).toEqual({ KeyId: KEY_ARN, PolicyName: 'default' });
  });

  it(`FAIL: a key pending deletion names the deletion date and says to cancel it ${MOCKED}`, async () => {
    keyAnswers({ ...healthyKey, KeyState: 'PendingDeletion', Enabled: false, DeletionDate: new Date('2026-03-17T09:30:00Z') });
    const outcome = await kmsKeyOutcome(context(), KEY_ARN);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.summary).toContain('scheduled for deletion on 2026-03-17T09:30:00Z');
    expect(outcome.evidence).toMatchObject({ keyState: 'PendingDeletion', deletionDate: '2026-03-17T09:30:00Z' });
    expect(outcome.remediation).toMatch(/^cancel the key deletion at once/);
  });

  it(`FAIL: a disabled key ${MOCKED}`, async () => {
    keyAnswers({ ...healthyKey, KeyState: 'Disabled', Enabled: false });
    const outcome = await kmsKeyOutcome(context(), KEY_ARN);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.findings).toEqual(['KeyState is Disabled, expected Enabled: the vault can neither be written nor read']);
  });

  it(`FAIL: a key policy without the deny names both actions ${MOCKED}`, async () => {
    keyAnswers(healthyKey, withoutDeny);
    const outcome = await kmsKeyOutcome(context(), KEY_ARN);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.findings).toHaveLength(2);
    expect(outcome.findings?.[0]).toContain('does not deny kms:ScheduleKeyDeletion to every principal');
    expect(outcome.findings?.[1]).toContain('does not deny kms:DisableKey to every principal');
    expect(outcome.evidence).toMatchObject({ denyScheduleKeyDeletion: null, denyDisableKey: null });
  });

  it(`FAIL: a deny weakened by a condition, or covering DisableKey only, does not count ${MOCKED}`, async () => {
    const weakened = {
      ...withoutDeny,
      Statement: [
        ...withoutDeny.Statement,
        {
          Sid: 'DenyDeletionUnlessBreakGlass',
          Effect: 'Deny',
          Principal: '*',
          Action: 'kms:ScheduleKeyDeletion',
          Resource: '*',
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111111111111:role/StrongroomBreakGlass' } },
        },
        { Sid: 'DenyDisable', Effect: 'Deny', Principal: { AWS: '*' }, Action: ['kms:DisableKey'], Resource: '*' },
      ],
    };
    keyAnswers(healthyKey, weakened);
    const outcome = await kmsKeyOutcome(context(), KEY_ARN);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.findings).toEqual([expect.stringContaining('does not deny kms:ScheduleKeyDeletion')]);
    expect(outcome.evidence).toMatchObject({ denyScheduleKeyDeletion: null, denyDisableKey: 'DenyDisable' });
  });

  it(`FAIL: imported key material, an AWS-managed key, a key of another account ${MOCKED}`, async () => {
    keyAnswers({ ...healthyKey, Origin: 'EXTERNAL', KeyManager: 'AWS', AWSAccountId: '222222222222' });
    const outcome = await kmsKeyOutcome(context({ encryption: { type: 'SSE_KMS', keyArn: KEY_ARN } }), KEY_ARN);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.findings).toEqual([
      'KeyManager is AWS, expected CUSTOMER (the Strongroom-made key)',
      expect.stringMatching(/^Origin is EXTERNAL, expected AWS_KMS/),
      'the key is in account 222222222222, expected the backup account 111111111111',
    ]);
  });

  it(`FAIL: the bucket encrypts with a key other than the Strongroom key the deployment names ${MOCKED}`, async () => {
    const rogue = 'arn:aws:kms:eu-west-1:111111111111:key/aaaaaaaa-0000-1111-2222-333344445555';
    kms.on(DescribeKeyCommand, { KeyId: rogue }).resolves({ KeyMetadata: { ...healthyKey, Arn: rogue } });
    kms.on(DescribeKeyCommand, { KeyId: KEY_ALIAS }).resolves({ KeyMetadata: healthyKey });
    kms.on(GetKeyPolicyCommand).resolves({ Policy: JSON.stringify(strongroomKeyPolicy) });
    const outcome = await kmsKeyOutcome(context(), rogue);
    expect(outcome.status).toBe('FAIL');
    expect(outcome.findings).toEqual([`the bucket encrypts with ${rogue}, not the Strongroom key ${KEY_ALIAS} (${KEY_ARN})`]);
  });

  it(`SKIPPED: no AWS clients (a local S3) ${MOCKED}`, async () => {
    const outcome = await kmsKeyOutcome(context({}, false), KEY_ARN);
    expect(outcome.status).toBe('SKIPPED');
    expect(outcome.summary).toContain('no AWS KMS on this server');
    expect(kms.calls()).toHaveLength(0);
  });

  it(`a deny counts only unconditional, to every principal, on every resource ${MOCKED}`, () => {
    const deny = { Effect: 'Deny', Principal: '*', Action: ['kms:ScheduleKeyDeletion'], Resource: '*' };
    expect(deniesToEveryone(deny, 'kms:ScheduleKeyDeletion')).toBe(true);
    expect(deniesToEveryone({ ...deny, Action: 'kms:Schedule*' }, 'kms:ScheduleKeyDeletion')).toBe(true);
    expect(deniesToEveryone({ ...deny, Action: undefined, NotAction: 'kms:Decrypt' }, 'kms:ScheduleKeyDeletion')).toBe(true);
    expect(deniesToEveryone({ ...deny, Action: undefined, NotAction: 'kms:Schedule*' }, 'kms:ScheduleKeyDeletion')).toBe(false);
    expect(deniesToEveryone({ ...deny, Effect: 'Allow' }, 'kms:ScheduleKeyDeletion')).toBe(false);
    expect(deniesToEveryone({ ...deny, Principal: { AWS: 'arn:aws:iam::111111111111:root' } }, 'kms:ScheduleKeyDeletion')).toBe(
      false,
    );
    expect(deniesToEveryone({ ...deny, NotPrincipal: { AWS: 'arn:aws:iam::1:root' } }, 'kms:ScheduleKeyDeletion')).toBe(false);
    expect(deniesToEveryone({ ...deny, Resource: KEY_ARN }, 'kms:ScheduleKeyDeletion')).toBe(false);
    expect(deniesToEveryone(deny, 'kms:DisableKey')).toBe(false);
  });
});

// ---- backup-vault.lock --------------------------------------------------------------------------

const lockedVault = {
  BackupVaultName: VAULT,
  BackupVaultArn: `arn:aws:backup:eu-west-1:111111111111:backup-vault:${VAULT}`,
  Locked: true,
  MinRetentionDays: 7,
  MaxRetentionDays: 365,
  LockDate: new Date('2026-01-03T10:00:00Z'),
};

describe(`backup-vault.lock ${MOCKED}`, () => {
  it(`PASS: compliance mode past its lock date, the configured range: "immutable since <UTC>" ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand, { BackupVaultName: VAULT }).resolves(lockedVault);
    const result = await runOne(backupVaultLockGroup, context());
    expect(result).toMatchObject({ status: 'PASS', ranAs: 'auditor' });
    expect(result.summary).toBe(
      'Vault Lock (compliance, min 7, max 365 days) on strongroom-vault is immutable since 2026-01-03T10:00:00Z',
    );
    expect(result.evidence).toMatchObject({ locked: true, mode: 'compliance', lockDate: '2026-01-03T10:00:00Z' });
  });

  it(`WARN: in the grace period, "grace period until <UTC> (in N days): until then the lock can be removed" ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand).resolves({ ...lockedVault, LockDate: new Date('2026-03-13T12:30:00Z') });
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('WARN');
    expect(result.summary).toBe(
      'Vault Lock (compliance, min 7, max 365 days) is in its grace period until 2026-03-13T12:30:00Z (in 3 days): until then the lock can be removed',
    );
    expect(result.evidence).toMatchObject({ graceDaysLeft: 4 });
  });

  it(`FAIL: no Vault Lock ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand).resolves({ BackupVaultName: VAULT, Locked: false });
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.summary).toContain('has no Vault Lock');
  });

  it(`FAIL: governance mode (locked, no lock date) ${MOCKED}`, async () => {
    const { LockDate: _none, ...governance } = lockedVault;
    backup.on(DescribeBackupVaultCommand).resolves(governance);
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.evidence).toMatchObject({ mode: 'governance' });
    expect(result.summary).toContain('governance mode');
  });

  it(`FAIL: a retention range other than the configured one; a lower minimum is named weaker ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand).resolves({ ...lockedVault, MinRetentionDays: 1, MaxRetentionDays: 3650 });
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.findings).toEqual([
      'minimum retention 1 days, configured 7 (weaker: recovery points may expire sooner than promised)',
      'maximum retention 3650 days, configured 365',
    ]);
  });

  it(`FAIL: a stricter minimum differs from the config too (copies within the configured range may be refused) ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand).resolves({ ...lockedVault, MinRetentionDays: 30 });
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.findings).toEqual(['minimum retention 30 days, configured 7']);
  });

  it(`FAIL: DescribeBackupVault refused, through the runner, naming the auditor role ${MOCKED}`, async () => {
    backup.on(DescribeBackupVaultCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const result = await runOne(backupVaultLockGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.summary).toBe('the check could not run as the auditor role: AccessDeniedException: not authorized');
  });

  it.each([
    ['no AWS Backup vault in the settings', { backupVault: null }, true],
    ['no AWS clients', {}, false],
  ])(`SKIPPED: %s ("no AWS Backup on this server") ${MOCKED}`, async (_case, change, aws) => {
    const result = await runOne(backupVaultLockGroup, context(change as Partial<VerifySettings>, aws));
    expect(result.status).toBe('SKIPPED');
    expect(result.summary).toMatch(/^no AWS Backup on this server/);
    expect(backup.calls()).toHaveLength(0);
  });
});

// ---- backup.recovery-points ---------------------------------------------------------------------

const resource = (n: number) => `arn:aws:ec2:eu-west-1:222222222222:volume/vol-000${n}`;
const point = (arn: string, created: Date, status: RecoveryPointByBackupVault['Status'] = 'COMPLETED') => ({
  RecoveryPointArn: `${arn}-rp-${created.getTime()}`,
  ResourceArn: arn,
  CreationDate: created,
  Status: status,
});
/** The daily schedule's interval (24 h) plus the slack: anything newer is fresh. */
const DAILY_CUTOFF = new Date(NOW.getTime() - 24 * HOUR - RECOVERY_POINT_SLACK_MS);

function taggedPages(...pages: string[][]) {
  const mock = tagging.on(GetResourcesCommand);
  pages.forEach((arns, i) => {
    const page = {
      ResourceTagMappingList: arns.map((ResourceARN) => ({ ResourceARN })),
      PaginationToken: i < pages.length - 1 ? `page-${i + 1}` : '',
    };
    if (i === 0) tagging.on(GetResourcesCommand, { PaginationToken: undefined }).resolves(page);
    else tagging.on(GetResourcesCommand, { PaginationToken: `page-${i}` }).resolves(page);
  });
  return mock;
}

describe(`backup.recovery-points ${MOCKED}`, () => {
  it(`PASS: every tagged resource, over two tagging pages, has a fresh COMPLETED point, over two listing pages ${MOCKED}`, async () => {
    taggedPages([resource(1), resource(2)], [resource(3)]);
    backup
      .on(ListRecoveryPointsByBackupVaultCommand, { NextToken: undefined })
      .resolves({ RecoveryPoints: [point(resource(1), ago(5)), point(resource(2), ago(30))], NextToken: 'more' })
      .on(ListRecoveryPointsByBackupVaultCommand, { NextToken: 'more' })
      .resolves({ RecoveryPoints: [point(resource(3), ago(47))] });
    const result = await runOne(recoveryPointsGroup, context());
    expect(result.status).toBe('PASS');
    expect(result.summary).toContain('all 3 resources tagged strongroom:backup=true have a COMPLETED recovery point');
    expect(result.evidence).toMatchObject({
      taggedResources: 3,
      fresh: 3,
      intervalHours: 24,
      slackHours: 24,
      freshAfter: '2026-03-08T12:00:00Z',
      recentRecoveryPointsListed: 3,
    });
    // (The SDK's tagging paginator reuses one input object, so a recorded call shows the last page's token.)
    expect(tagging.commandCalls(GetResourcesCommand)[0]?.args[0].input).toMatchObject({
      TagFilters: [{ Key: 'strongroom:backup', Values: ['true'] }],
      ResourceTypeFilters: [
        'ec2:volume',
        'ec2:instance',
        'rds:db',
        'rds:cluster',
        'dynamodb:table',
        'elasticfilesystem:file-system',
      ],
    });
    expect(tagging.commandCalls(GetResourcesCommand)).toHaveLength(2);
    // One vault listing since the cutoff, both pages; no per-resource look-up when all are fresh.
    const listings = backup.commandCalls(ListRecoveryPointsByBackupVaultCommand).map((c) => c.args[0].input);
    expect(listings).toHaveLength(2);
    for (const input of listings) expect(input).toMatchObject({ BackupVaultName: VAULT, ByCreatedAfter: DAILY_CUTOFF });
    expect(listings.some((input) => 'ByResourceArn' in input)).toBe(false);
  });

  it(`FAIL: a resource with a stale recovery point and one with none are listed; a fresh FAILED point counts for nothing ${MOCKED}`, async () => {
    taggedPages([resource(1), resource(2), resource(3)]);
    backup
      .on(ListRecoveryPointsByBackupVaultCommand, { ByCreatedAfter: DAILY_CUTOFF })
      .resolves({ RecoveryPoints: [point(resource(1), ago(3)), point(resource(3), ago(2), 'PARTIAL')] })
      .on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: resource(2) })
      .resolves({ RecoveryPoints: [point(resource(2), ago(24 * 6)), point(resource(2), ago(24 * 5))] })
      .on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: resource(3) })
      .resolves({ RecoveryPoints: [point(resource(3), ago(2), 'PARTIAL')] });
    const result = await runOne(recoveryPointsGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.summary).toBe(
      "2 of 3 resources tagged strongroom:backup=true have no COMPLETED recovery point in strongroom-vault within the plan's interval (1 day) plus 1 day",
    );
    expect(result.findings).toEqual([
      `${resource(2)}: newest COMPLETED recovery point 2026-03-05T12:00:00Z (5 days ago), older than 2026-03-08T12:00:00Z`,
      `${resource(3)}: no COMPLETED recovery point in strongroom-vault`,
    ]);
    expect(result.evidence).toMatchObject({ taggedResources: 3, fresh: 1, stale: 1, none: 1 });
  });

  it(`the interval follows the schedule: weekdays at 03:00 allow 72 hours plus the slack ${MOCKED}`, async () => {
    taggedPages([resource(1), resource(2)]);
    const cutoff = new Date(NOW.getTime() - 72 * HOUR - RECOVERY_POINT_SLACK_MS);
    backup
      .on(ListRecoveryPointsByBackupVaultCommand, { ByCreatedAfter: cutoff })
      .resolves({ RecoveryPoints: [point(resource(1), ago(80))] })
      .on(ListRecoveryPointsByBackupVaultCommand, { ByResourceArn: resource(2) })
      .resolves({ RecoveryPoints: [point(resource(2), ago(100))] });
    const plan = { tagKey: 'strongroom:backup', tagValue: 'true', schedule: 'cron(0 3 ? * MON-FRI *)' };
    const result = await runOne(recoveryPointsGroup, context({ backupPlan: plan }));
    expect(result.status).toBe('FAIL');
    expect(result.evidence).toMatchObject({ intervalHours: 72, freshAfter: '2026-03-06T12:00:00Z', fresh: 1, stale: 1 });
    expect(result.findings).toEqual([expect.stringMatching(/vol-0002: newest COMPLETED recovery point 2026-03-06T08:00:00Z/)]);
  });

  it(`WARN: no resource carries the tag ${MOCKED}`, async () => {
    taggedPages([]);
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    const result = await runOne(recoveryPointsGroup, context());
    expect(result.status).toBe('WARN');
    expect(result.summary).toContain('no resource of the backed-up types carries the tag strongroom:backup=true');
  });

  it(`FAIL: a schedule that no longer fires (its year field has run out) ${MOCKED}`, async () => {
    const plan = { tagKey: 'strongroom:backup', tagValue: 'true', schedule: 'cron(0 3 * * ? 2024)' };
    const result = await runOne(recoveryPointsGroup, context({ backupPlan: plan }));
    expect(result.status).toBe('FAIL');
    expect(result.summary).toContain('fires fewer than twice within a year of now');
    expect(tagging.calls()).toHaveLength(0);
  });

  it(`FAIL: tag:GetResources refused, naming the verify function's role ${MOCKED}`, async () => {
    tagging.on(GetResourcesCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException' }));
    const result = await runOne(recoveryPointsGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.summary).toContain("tag:GetResources as the verify function's own role failed: AccessDeniedException: no");
  });

  it.each([
    ['no backup plan in the settings', { backupPlan: null }, true],
    ['no AWS clients', {}, false],
  ])(`SKIPPED: %s ${MOCKED}`, async (_case, change, aws) => {
    const result = await runOne(recoveryPointsGroup, context(change as Partial<VerifySettings>, aws));
    expect(result.status).toBe('SKIPPED');
    expect(tagging.calls()).toHaveLength(0);
    expect(backup.calls()).toHaveLength(0);
  });
});

// ---- sources.events -----------------------------------------------------------------------------

describe(`sources.events ${MOCKED}`, () => {
  it(`PASS: every source bucket, each read once, has EventBridge on ${MOCKED}`, async () => {
    s3.on(GetBucketNotificationConfigurationCommand).resolves({ EventBridgeConfiguration: {} });
    const sources = [
      { bucket: 'acme-prod-invoices', prefixes: [] },
      { bucket: 'acme-prod-uploads', prefixes: ['customer/'] },
      { bucket: 'acme-prod-uploads', prefixes: ['exports/'] },
    ];
    const result = await runOne(sourceEventsGroup, context({ sources }));
    expect(result).toMatchObject({ status: 'PASS', ranAs: 'verify', evidence: { sources: 2, withEventBridge: 2 } });
    expect(s3.commandCalls(GetBucketNotificationConfigurationCommand).map((c) => c.args[0].input.Bucket)).toEqual([
      'acme-prod-invoices',
      'acme-prod-uploads',
    ]);
  });

  it(`FAIL: names the buckets without EventBridge and those it could not read ${MOCKED}`, async () => {
    s3.on(GetBucketNotificationConfigurationCommand, { Bucket: 'acme-prod-invoices' })
      .resolves({ QueueConfigurations: [] })
      .on(GetBucketNotificationConfigurationCommand, { Bucket: 'acme-prod-uploads' })
      .rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const result = await runOne(sourceEventsGroup, context());
    expect(result.status).toBe('FAIL');
    expect(result.summary).toBe('2 of 2 source buckets do not send events to EventBridge: acme-prod-invoices, acme-prod-uploads');
    expect(result.findings).toEqual([
      'acme-prod-invoices: EventBridge notifications are off',
      'acme-prod-uploads: could not read its notification configuration as the verify role (AccessDenied: Access Denied)',
    ]);
  });

  it(`SKIPPED: the local S3 has no EventBridge; the local pipeline delivers events itself ${MOCKED}`, async () => {
    const result = await runOne(sourceEventsGroup, context({ sourceEventsObservable: false }));
    expect(result.status).toBe('SKIPPED');
    expect(result.summary).toBe('the local S3 has no EventBridge: the local pipeline delivers each change to the copier itself');
    expect(s3.calls()).toHaveLength(0);
  });
});
