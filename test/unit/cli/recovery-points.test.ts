/**
 * strongroom recovery-points list|restore.
 * MOCK-TESTED: AWS Backup has no local server; these tests run against aws-sdk-client-mock's BackupClient (and
 * STSClient), never against AWS. What they prove is the requests the CLI sends, in which order, how it pages and
 * polls, and how it reads the answers; not that AWS accepts the roles and vault policies of a real deployment.
 */
import {
  BackupClient,
  DescribeBackupVaultCommand,
  DescribeCopyJobCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByBackupVaultCommand,
  StartCopyJobCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { fakeIo, run } from './support';

const backup = mockClient(BackupClient);
const sts = mockClient(STSClient);
beforeEach(() => {
  backup.reset();
  sts.reset();
});
afterAll(() => {
  backup.restore();
  sts.restore();
});

const noWait = { sleep: async () => undefined };
const VOLUME = 'arn:aws:ec2:eu-west-1:222222222222:volume/vol-0abc1234';
const RP = (n: number) => `arn:aws:ec2:eu-west-1::snapshot/snap-000${n}`;
const COPY = 'arn:aws:ec2:eu-west-1:222222222222:snapshot/snap-copy1';

describe('recovery-points list (MOCKED BackupClient; AWS Backup has no local server)', () => {
  it('pages through ListRecoveryPointsByBackupVault by resource and prints newest first, UTC and relative', async () => {
    backup.on(DescribeBackupVaultCommand).resolves({
      Locked: true,
      MinRetentionDays: 30,
      MaxRetentionDays: 400,
      LockDate: new Date('2026-11-01T00:00:00Z'),
    });
    backup
      .on(ListRecoveryPointsByBackupVaultCommand)
      .resolvesOnce({
        RecoveryPoints: [
          {
            RecoveryPointArn: RP(1),
            CreationDate: new Date('2026-11-30T03:00:00Z'),
            Status: 'COMPLETED',
            BackupSizeInBytes: 8 * 1024 ** 3,
            CalculatedLifecycle: { DeleteAt: new Date('2027-11-30T03:00:00Z') },
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        RecoveryPoints: [
          {
            RecoveryPointArn: RP(2),
            CreationDate: new Date('2026-12-01T03:00:00Z'),
            Status: 'COMPLETED',
            BackupSizeInBytes: 8 * 1024 ** 3,
            CalculatedLifecycle: { DeleteAt: new Date('2027-12-01T03:00:00Z') },
          },
        ],
      });
    const { code, out } = await run(['recovery-points', 'list', '--resource', VOLUME, '--profile', 'strongroom-backup'], {
      deps: noWait,
    });
    expect(code).toBe(0);
    const pages = backup.commandCalls(ListRecoveryPointsByBackupVaultCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { BackupVaultName: 'strongroom-vault', ByResourceArn: VOLUME },
      { BackupVaultName: 'strongroom-vault', ByResourceArn: VOLUME, NextToken: 'page-2' },
    ]);
    expect(out.split('\n')).toEqual([
      `Recovery points of ${VOLUME}`,
      "in the backup account's vault strongroom-vault (eu-west-1); vault lock: compliance, immutable since 2026-11-01T00:00:00Z (30 days 5 hours ago), retention 30-400 days",
      '',
      '  created                                        status     retain until                                 size     recovery point',
      `  2026-12-01T03:00:00Z (2 hours 12 minutes ago)  COMPLETED  2027-12-01T03:00:00Z (in 364 days 21 hours)  8.0 GiB  ${RP(2)}`,
      `  2026-11-30T03:00:00Z (1 day 2 hours ago)       COMPLETED  2027-11-30T03:00:00Z (in 363 days 21 hours)  8.0 GiB  ${RP(1)}`,
      '',
      '2 recovery points, newest first.',
      '',
    ]);
  });

  it('--json: one document with the vault, its lock and each point; --vault and --region are used as given', async () => {
    backup.on(DescribeBackupVaultCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({
      RecoveryPoints: [{ RecoveryPointArn: RP(1), Status: 'COMPLETED', CreationDate: new Date('2026-12-01T03:00:00Z') }],
    });
    const { code, out } = await run(
      ['recovery-points', 'list', '--resource', VOLUME, '--vault', 'acme-vault', '--region', 'eu-central-1', '--json'],
      { deps: noWait },
    );
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({
      vault: 'acme-vault',
      region: 'eu-central-1',
      vaultLock: { known: false },
      recoveryPoints: [
        { recoveryPointArn: RP(1), status: 'COMPLETED', createdAt: '2026-12-01T03:00:00.000Z', retainUntil: null },
      ],
    });
    expect(backup.commandCalls(ListRecoveryPointsByBackupVaultCommand)[0]?.args[0].input.BackupVaultName).toBe('acme-vault');
  });

  it('--role-arn: assumes the role (with --external-id) before listing', async () => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIA',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date('2026-12-01T06:00:00Z'),
      },
    });
    backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
    const role = 'arn:aws:iam::111111111111:role/strongroom-reader';
    const { code, out } = await run(
      ['recovery-points', 'list', '--resource', VOLUME, '--role-arn', role, '--external-id', 'strongroom-x1'],
      { deps: noWait },
    );
    expect(code).toBe(0);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toMatchObject({ RoleArn: role, ExternalId: 'strongroom-x1' });
    expect(out).toContain('None.');
  });

  it.each([
    [
      ['--resource', 'arn:aws:s3:::acme-invoices'],
      '--resource: received "arn:aws:s3:::acme-invoices", expected the ARN of a backed-up resource',
    ],
    [[], '--resource: received (missing), expected the ARN of a backed-up resource'],
    [
      ['--resource', VOLUME, '--role-arn', 'strongroom-auditor'],
      '--role-arn: received "strongroom-auditor", expected an IAM role ARN',
    ],
    [['--resource', VOLUME, '--external-id', 'x1y2'], '--external-id: received "x1y2", expected only with --role-arn'],
    [['--resource', VOLUME, '--vault', 'a'], '--vault: received "a", expected an AWS Backup vault name'],
    [['--resource', VOLUME, '--region', 'Ireland'], '--region: received "Ireland", expected an AWS region'],
  ])('refuses %j with exit 2 naming the flag, the value and what was expected', async (flags, message) => {
    const { code, err } = await run(['recovery-points', 'list', ...flags], { deps: noWait });
    expect(code).toBe(2);
    expect(err).toContain(`strongroom recovery-points list: ${message}`);
    expect(backup.calls()).toHaveLength(0);
  });

  it('--help lists the flags and says which account and role runs it', async () => {
    const { code, out } = await run(['recovery-points', 'list', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('--resource <arn>');
    expect(out).toContain('Runs in the backup account');
  });
});

const RESTORE = [
  'recovery-points',
  'restore',
  '--recovery-point',
  RP(2),
  '--source-account',
  '222222222222',
  '--copy-role-arn',
  'arn:aws:iam::111111111111:role/strongroom-copy-out',
  '--iam-role-arn',
  'arn:aws:iam::222222222222:role/strongroom-restore-service',
  '--metadata',
  'availabilityZone=eu-west-1a',
  '--metadata',
  'volumeType=gp3',
  '--profile',
  'strongroom-backup',
  '--primary-profile',
  'strongroom-prod',
];

function jobsThat(options: { copy?: 'COMPLETED' | 'FAILED'; restore?: 'COMPLETED' | 'FAILED' } = {}) {
  backup.on(StartCopyJobCommand).resolves({ CopyJobId: 'copy-1' });
  backup
    .on(DescribeCopyJobCommand)
    .resolvesOnce({ CopyJob: { CopyJobId: 'copy-1', State: 'CREATED' } })
    .resolvesOnce({ CopyJob: { CopyJobId: 'copy-1', State: 'RUNNING' } })
    .resolves({
      CopyJob: {
        CopyJobId: 'copy-1',
        State: options.copy ?? 'COMPLETED',
        ...(options.copy === 'FAILED'
          ? { StatusMessage: 'Access denied: the destination vault policy does not allow CopyIntoBackupVault' }
          : { DestinationRecoveryPointArn: COPY }),
      },
    });
  backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'restore-1' });
  backup
    .on(DescribeRestoreJobCommand)
    .resolvesOnce({ RestoreJobId: 'restore-1', Status: 'PENDING' })
    .resolvesOnce({ RestoreJobId: 'restore-1', Status: 'RUNNING', PercentDone: '40.00%' })
    .resolves({
      RestoreJobId: 'restore-1',
      Status: options.restore ?? 'COMPLETED',
      ...(options.restore === 'FAILED'
        ? { StatusMessage: 'Availability zone eu-west-1z does not exist' }
        : { CreatedResourceArn: 'arn:aws:ec2:eu-west-1:222222222222:volume/vol-0restored' }),
    });
}

/** The commands sent, in order, by name. */
const sent = () => backup.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);

describe('recovery-points restore (MOCKED BackupClient; AWS Backup has no local server)', () => {
  it('prints the plan, then copies back (backup account), polls to COMPLETED, restores from the copy (primary), polls to COMPLETED', async () => {
    jobsThat();
    const { code, out } = await run([...RESTORE, '--yes'], { deps: noWait });
    expect(code).toBe(0);
    expect(sent()).toEqual([
      'StartCopyJobCommand',
      'DescribeCopyJobCommand',
      'DescribeCopyJobCommand',
      'DescribeCopyJobCommand',
      'StartRestoreJobCommand',
      'DescribeRestoreJobCommand',
      'DescribeRestoreJobCommand',
      'DescribeRestoreJobCommand',
    ]);
    expect(backup.commandCalls(StartCopyJobCommand)[0]?.args[0].input).toEqual({
      RecoveryPointArn: RP(2),
      SourceBackupVaultName: 'strongroom-vault',
      DestinationBackupVaultArn: 'arn:aws:backup:eu-west-1:222222222222:backup-vault:strongroom-local',
      IamRoleArn: 'arn:aws:iam::111111111111:role/strongroom-copy-out',
    });
    expect(backup.commandCalls(StartRestoreJobCommand)[0]?.args[0].input).toEqual({
      RecoveryPointArn: COPY,
      IamRoleArn: 'arn:aws:iam::222222222222:role/strongroom-restore-service',
      Metadata: { availabilityZone: 'eu-west-1a', volumeType: 'gp3' },
    });
    // The two clients: the backup account's profile for the copy, the primary account's for the restore.
    const profileOf = (call: { thisValue: unknown } | undefined) =>
      (call?.thisValue as { config: { profile?: string } } | undefined)?.config.profile;
    const profiles = [
      profileOf(backup.commandCalls(StartCopyJobCommand)[0]),
      profileOf(backup.commandCalls(StartRestoreJobCommand)[0]),
    ];
    expect(profiles).toEqual(['strongroom-backup', 'strongroom-prod']);
    const planAt = out.indexOf('1. copy job, in the backup account');
    expect(planAt).toBeGreaterThanOrEqual(0);
    expect(out.indexOf('copy job copy-1: started')).toBeGreaterThan(planAt);
    expect(out).toContain('2. restore job, in the primary account 222222222222 (profile strongroom-prod)');
    expect(out).toContain('copy job copy-1: RUNNING');
    expect(out).toContain('restore job restore-1: RUNNING 40.00%');
    expect(out).toContain('Restored: arn:aws:ec2:eu-west-1:222222222222:volume/vol-0restored');
  });

  it('--json prints the job ids and final states; --destination-vault-arn and --resource-type are passed on', async () => {
    jobsThat();
    const vault = 'arn:aws:backup:eu-west-1:222222222222:backup-vault:acme-restores';
    const { code, out, err } = await run(
      [...RESTORE, '--yes', '--json', '--destination-vault-arn', vault, '--resource-type', 'EBS'],
      { deps: noWait },
    );
    expect(code).toBe(0);
    expect(err).toContain('1. copy job, in the backup account');
    expect(JSON.parse(out)).toEqual({
      recoveryPointArn: RP(2),
      sourceVault: 'strongroom-vault',
      destinationVaultArn: vault,
      copyJob: { jobId: 'copy-1', state: 'COMPLETED', statusMessage: null, destinationRecoveryPointArn: COPY },
      restoreJob: {
        jobId: 'restore-1',
        state: 'COMPLETED',
        statusMessage: null,
        createdResourceArn: 'arn:aws:ec2:eu-west-1:222222222222:volume/vol-0restored',
      },
      outcome: 'completed',
    });
    expect(backup.commandCalls(StartCopyJobCommand)[0]?.args[0].input.DestinationBackupVaultArn).toBe(vault);
    expect(backup.commandCalls(StartRestoreJobCommand)[0]?.args[0].input.ResourceType).toBe('EBS');
  });

  it('a FAILED copy job exits 1 with its StatusMessage, and no restore job is started', async () => {
    jobsThat({ copy: 'FAILED' });
    const { code, err } = await run([...RESTORE, '--yes'], { deps: noWait });
    expect(code).toBe(1);
    expect(err).toContain(
      'failed: copy job copy-1 ended FAILED: Access denied: the destination vault policy does not allow CopyIntoBackupVault',
    );
    expect(sent()).not.toContain('StartRestoreJobCommand');
  });

  it('a FAILED restore job exits 1 with its StatusMessage (and --json says which job ended how)', async () => {
    jobsThat({ restore: 'FAILED' });
    const { code, out, err } = await run([...RESTORE, '--yes', '--json'], { deps: noWait });
    expect(code).toBe(1);
    expect(err).toContain('failed: restore job restore-1 ended FAILED: Availability zone eu-west-1z does not exist');
    expect(JSON.parse(out)).toMatchObject({
      copyJob: { state: 'COMPLETED' },
      restoreJob: { jobId: 'restore-1', state: 'FAILED' },
      outcome: 'failed',
    });
  });

  it('refuses without --yes when stdin is not a terminal (exit 2), before any request', async () => {
    jobsThat();
    const { code, err } = await run(RESTORE, { deps: noWait });
    expect(code).toBe(2);
    expect(err).toContain('--yes: received (missing), expected --yes to restore without a prompt: stdin is not a terminal');
    expect(backup.calls()).toHaveLength(0);
  });

  it('on a terminal: asks after the plan; "n" aborts (exit 4) with no job started, "y" runs both', async () => {
    jobsThat();
    const declined = await run(RESTORE, { io: fakeIo({ tty: true, answers: ['n'] }), deps: noWait });
    expect(declined.code).toBe(4);
    expect(declined.io.stdout.join('')).toContain('1. copy job');
    expect(backup.calls()).toHaveLength(0);
    const accepted = await run(RESTORE, { io: fakeIo({ tty: true, answers: ['y'] }), deps: noWait });
    expect(accepted.code).toBe(0);
    expect(sent()[0]).toBe('StartCopyJobCommand');
  });

  const without = (flag: string) => RESTORE.filter((a, i) => a !== flag && RESTORE[i - 1] !== flag);
  const replacing = (flag: string, value: string) => RESTORE.map((a, i) => (RESTORE[i - 1] === flag ? value : a));
  it.each([
    [replacing('--recovery-point', 'snap-0002'), '--recovery-point: received "snap-0002", expected a recovery point ARN'],
    [without('--copy-role-arn'), '--copy-role-arn: received (missing), expected a role in the backup account'],
    [without('--iam-role-arn'), "--iam-role-arn: received (missing), expected the primary account's AWS Backup service role"],
    [
      replacing('--source-account', '2222'),
      '--source-account: received "2222", expected the primary account id the resource came from: 12 digits',
    ],
    [replacing('--iam-role-arn', 'arn:aws:iam::333333333333:role/x'), '(its account is 333333333333, not 222222222222)'],
    [without('--metadata'), '--metadata: received (missing), expected at least one --metadata key=value'],
    [replacing('--metadata', 'availabilityZone'), '--metadata: received "availabilityZone", expected key=value'],
    [[...RESTORE, '--poll-seconds', '0'], '--poll-seconds: received "0", expected seconds between two job status requests'],
    [
      [...RESTORE, '--destination-vault-arn', 'arn:aws:backup:eu-west-1:444444444444:backup-vault:x-local'],
      '--destination-vault-arn: received "arn:aws:backup:eu-west-1:444444444444:backup-vault:x-local", expected a vault of the primary account 222222222222',
    ],
    [[...RESTORE, '--region', 'us-east-1'], '--region: received "us-east-1", expected the recovery point\'s region (eu-west-1)'],
  ])('refuses a bad flag with exit 2 naming it, its value and what was expected (%#)', async (argv, message) => {
    const { code, err } = await run([...argv, '--yes'], { deps: noWait });
    expect(code).toBe(2);
    expect(err).toContain(message);
    expect(err.startsWith('strongroom recovery-points restore: ')).toBe(true);
    expect(backup.calls()).toHaveLength(0);
  });

  it('--help says which account and role runs each step, and why --metadata is required', async () => {
    const { code, out } = await run(['recovery-points', 'restore', '--help']);
    expect(code).toBe(0);
    expect(out).toContain('1. backup account (--profile / --role-arn)');
    expect(out).toContain('2. primary account (--primary-profile)');
    expect(out).toContain('--metadata is required');
  });
});
