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
import fc from 'fast-check';
import type { TimelineBackend } from '../../../cli/backend';
import { EXIT } from '../../../cli/exit-codes';
import type { LocalBackend } from '../../../cli/local-backend';
import { main } from '../../../cli/main';
import { fakeBackend, fakeIo } from '../cli/support';
import { oddString, printTalliesAfterAll, runs, Tally } from './support';

/*
 * The `strongroom` command line (cli/main.ts) run in-process on random argv: the commands and their flags, with
 * good values, near misses, odd strings, unknown flags and stray arguments. Every argv ends in an exit code of
 * cli/exit-codes.ts, never a stack trace or a rejection; bad input exits 2 naming the flag and the value received;
 * and with a backend double (and a mocked BackupClient) that records what is asked, nothing is planned or started
 * on bad input, and nothing is written without --yes.
 */

const backup = mockClient(BackupClient);
const sts = mockClient(STSClient);
afterAll(() => {
  backup.restore();
  sts.restore();
});

function resetBackup(): void {
  backup.reset();
  sts.reset();
  backup.on(DescribeBackupVaultCommand).resolves({ Locked: true, MinRetentionDays: 7, MaxRetentionDays: 365 });
  backup.on(ListRecoveryPointsByBackupVaultCommand).resolves({ RecoveryPoints: [] });
  backup.on(StartCopyJobCommand).resolves({ CopyJobId: 'copy-1' });
  backup.on(DescribeCopyJobCommand).resolves({
    CopyJob: { State: 'COMPLETED', DestinationRecoveryPointArn: 'arn:aws:ec2:eu-west-1::snapshot/snap-copy1' },
  });
  backup.on(StartRestoreJobCommand).resolves({ RestoreJobId: 'restore-1' });
  backup.on(DescribeRestoreJobCommand).resolves({ Status: 'COMPLETED' });
  sts.on(AssumeRoleCommand).resolves({
    Credentials: { AccessKeyId: 'ASIA', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
  });
}

// ---------------------------------------------------------------------------------------------------------
// argv

type Token = readonly string[];
const flag = (name: string, values: fc.Arbitrary<string>): fc.Arbitrary<Token> =>
  fc.oneof({ arbitrary: values.map((v) => [name, v]), weight: 4 }, { arbitrary: oddString.map((v) => [name, v]), weight: 1 });
const bool = (name: string): fc.Arbitrary<Token> => fc.constant([name]);

const TIMES = fc.constantFrom(
  '2h ago',
  '90 minutes ago',
  'yesterday 14:00',
  'yesterday',
  '2026-12-01T03:12:00Z',
  '2026-12-01 03:12',
  '2027-01-01T00:00:00Z',
  'tomorrow 10:00',
  'now',
  '',
);
const BUCKETS = fc.constantFrom('acme-invoices', 'acme-restore', 'Not_A_Bucket', 'ab', 'a..b', '192.168.0.1');
const PREFIXES = fc.constantFrom('invoices/', '/abs', '', 'drill/');
const REGIONS = fc.constantFrom('eu-west-1', 'us-gov-west-1', 'mars-1', 'EU-WEST-1');
const NAMES = fc.constantFrom('strongroom', 'acme', 'A', '-x');
const ARN_ROLE = fc.constantFrom(
  'arn:aws:iam::111111111111:role/strongroom-copy-out',
  'arn:aws:iam::222222222222:role/StrongroomBackupServiceRole',
  'arn:aws:iam::12:role/x',
);
/** A local run never asks the local S3 for its latest deployment: the file is always named. */
const LOCAL: fc.Arbitrary<Token> = fc.constantFrom(['--local', '--deployment', '/tmp/d.json'], ['--deployment', '/tmp/d.json']);
const COMMON: fc.Arbitrary<Token>[] = [
  bool('--json'),
  bool('--yes'),
  bool('--help'),
  fc.constantFrom(['--no-such-flag'], ['-z'], ['stray-argument'], ['--'], ['--yes=1']),
];

const restoreFlags: fc.Arbitrary<Token>[] = [
  flag('--bucket', BUCKETS),
  flag('--prefix', PREFIXES),
  flag('--as-of', TIMES),
  flag('--distrust-writes-after', TIMES),
  flag('--target', BUCKETS),
  flag('--target-prefix', PREFIXES),
  flag('--mode', fc.constantFrom('state', 'changed-since', 'all')),
  bool('--remove-extraneous'),
  bool('--dry-run'),
  LOCAL,
  flag('--function', fc.constantFrom('strongroom-restore', 'arn:aws:lambda:eu-west-1:222222222222:function:f', 'a b')),
  flag('--name', NAMES),
  flag('--config', fc.constantFrom('config/strongroom.example.json', 'no-such.json', 'package.json')),
  flag('--profile', fc.constantFrom('prod', ' ')),
  flag('--region', REGIONS),
  flag('--poll-seconds', fc.constantFrom('5', '0', '61', '1.5', 'x')),
];
const timelineFlags: fc.Arbitrary<Token>[] = [
  flag('--distrust-writes-after', TIMES),
  LOCAL,
  BUCKETS.map((b) => [b]),
  fc.constantFrom(['invoices/2026/inv-0001.txt'], ['']),
];
const backupFlags: fc.Arbitrary<Token>[] = [
  flag('--vault', fc.constantFrom('strongroom-vault', 'x', 'bad vault')),
  flag('--name', NAMES),
  flag('--profile', fc.constantFrom('backup', '')),
  flag('--region', REGIONS),
  flag('--role-arn', ARN_ROLE),
  flag('--external-id', fc.constantFrom('strongroom-example-7f3c9a1e5b2d', 'x')),
];
const listFlags: fc.Arbitrary<Token>[] = [
  ...backupFlags,
  flag('--resource', fc.constantFrom('arn:aws:ec2:eu-west-1:222222222222:volume/vol-0abc1234', 'arn:aws:s3:::bucket', 'vol-1')),
];
const restoreRpFlags: fc.Arbitrary<Token>[] = [
  ...backupFlags,
  flag(
    '--recovery-point',
    fc.constantFrom(
      'arn:aws:ec2:eu-west-1::snapshot/snap-0001',
      'arn:aws:backup:eu-west-1:111111111111:recovery-point:1a2b',
      'snap-1',
    ),
  ),
  flag('--source-account', fc.constantFrom('222222222222', '2222')),
  flag('--copy-role-arn', ARN_ROLE),
  flag('--iam-role-arn', ARN_ROLE),
  flag(
    '--destination-vault-arn',
    fc.constantFrom(
      'arn:aws:backup:eu-west-1:222222222222:backup-vault:strongroom-local',
      'arn:aws:backup:us-east-1:2:backup-vault:x',
    ),
  ),
  flag('--metadata', fc.constantFrom('availabilityZone=eu-west-1a', 'volumeType=gp3', 'novalue', '=x')),
  flag('--resource-type', fc.constantFrom('EBS', 'RDS', '1x')),
  flag('--poll-seconds', fc.constantFrom('10', '0', '301')),
  flag('--primary-profile', fc.constantFrom('prod', ' ')),
];

/** One command and up to 10 of its flags (a valid invocation needs several), in any order, repeats allowed. */
const command = (words: Token, flags: fc.Arbitrary<Token>[]) =>
  fc
    .array(fc.oneof({ arbitrary: fc.oneof(...flags), weight: 6 }, { arbitrary: fc.oneof(...COMMON), weight: 1 }), {
      maxLength: 10,
    })
    .map((tokens) => [...words, ...tokens.flat()]);

/** A restore that only misses what the fuzz may add or break: the likeliest way to reach the backend. */
const nearlyValidRestore = fc
  .tuple(fc.array(fc.oneof(...restoreFlags, ...COMMON), { maxLength: 2 }), fc.boolean())
  .map(([extra, yes]) => [
    'restore',
    '--local',
    '--deployment',
    '/tmp/d.json',
    '--bucket',
    'acme-invoices',
    '--as-of',
    '2h ago',
    ...(yes ? ['--yes'] : []),
    ...extra.flat(),
  ]);

const argv: fc.Arbitrary<string[]> = fc.oneof(
  { arbitrary: command(['restore'], restoreFlags), weight: 4 },
  { arbitrary: nearlyValidRestore, weight: 5 },
  { arbitrary: command(['timeline'], timelineFlags), weight: 2 },
  { arbitrary: command(['recovery-points', 'list'], listFlags), weight: 2 },
  { arbitrary: command(['recovery-points', 'restore'], restoreRpFlags), weight: 3 },
  { arbitrary: command(['recovery-points'], [fc.constantFrom(['lst'], ['--help'])]), weight: 1 },
  { arbitrary: fc.array(oddString, { maxLength: 4 }), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------

const tally = new Tally('cli argv');
let wrote = 0;
printTalliesAfterAll(tally);

/** `--as-of: received "x", expected ...` (or `<bucket>`, `<command>`, `(arguments)`): a usage error naming what was wrong. */
const NAMED = /(^|\n)strongroom[\w -]*: (-{1,2}\S+|<\w+>|\(arguments\))( \(\w+\))?: received .+, expected .+/;
const STACK = /\n\s+at .+:\d+:\d+\)?/;

describe('fuzz: cli argv', () => {
  it('every argv exits 0-4 without a stack trace; bad input exits 2 naming the flag, and writes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(argv, async (args) => {
        resetBackup();
        const io = { ...fakeIo(), env: { LOCAL_S3_PORT: 'not-a-port' } };
        const backend = fakeBackend();
        const timeline: TimelineBackend = { ...backend, timeline: async () => [] };
        let code: number;
        try {
          code = await main(args, {
            io,
            openLocal: async () => ({ ...backend, ...timeline }) as unknown as LocalBackend,
            openLambda: () => backend,
            sleep: async () => undefined,
          });
        } catch (error) {
          return tally.unhandledError(error);
        }
        const { out, err } = io.text();
        const said = `argv: ${JSON.stringify(args)}\nexit ${code}\nstderr: ${err.slice(0, 2000)}`;
        if (!Object.values(EXIT).includes(code as never)) tally.unhandledError(new Error(`an exit code outside 0-4\n${said}`));
        if (STACK.test(err) || STACK.test(out)) tally.unhandledError(new Error(`a stack trace\n${said}`));
        const asked = backend.calls.filter(([what]) => what !== 'close').map(([what]) => what);
        const started = [
          ...asked.filter((what) => what === 'start'),
          ...backup.commandCalls(StartCopyJobCommand),
          ...backup.commandCalls(StartRestoreJobCommand),
        ];
        if (started.length > 0 && !args.includes('--yes')) tally.unhandledError(new Error(`a write without --yes\n${said}`));
        if (code === EXIT.usage) {
          const help = args.length === 0 || /^Usage: /m.test(err);
          if (!help && !NAMED.test(err)) tally.unhandledError(new Error(`exit 2 without naming the flag and value\n${said}`));
          const writes = asked.length + started.length;
          if (writes > 0) tally.unhandledError(new Error(`bad input reached the backend: ${asked.join(', ')}\n${said}`));
          tally.reject(writes);
          return;
        }
        if (code === EXIT.failure)
          tally.unhandledError(new Error(`a failure with nothing failing (the doubles never fail)\n${said}`));
        if (started.length > 0) wrote++;
        tally.accept();
      }),
      { numRuns: runs(200) },
    );
    tally.note(`${wrote} accepted runs started a restore or a copy job, each with --yes`);
    tally.expectSound({ accepted: 15, rejected: 100 });
    expect(wrote).toBeGreaterThan(0);
  });
});
