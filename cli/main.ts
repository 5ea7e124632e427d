import type { BackupClient } from '@aws-sdk/client-backup';
import { Command, CommanderError, Option } from 'commander';
import { describeError } from '../contract/errors';
import { loadConfig } from '../lib/config/load';
import type { StrongroomConfig } from '../lib/config/schema';
import { primaryFunctionName } from '../lib/policy/primary-roles';
import packageJson from '../package.json';
import { type ActivityFlags, activityCommand, parseActivityArgs } from './activity-command';
import { type AwsTarget, parseRestoreArgs, parseTimelineArgs, type RestoreFlags, type TimelineFlags } from './args';
import type { ActivityBackend, RestoreBackend } from './backend';
import { backupAccountClient, primaryAccountClient } from './backup-clients';
import { AbortedError, CliUsageError, exitCodeOf, withFlagNames } from './errors';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';
import type { CliIo } from './io';
import { type LambdaBackendOptions, lambdaActivityBackend, lambdaBackend } from './lambda-backend';
import { deploymentFileFor, type LocalBackend, openLocalBackend } from './local-backend';
import { type ListFlags, parseListArgs, parseRestoreRpArgs, type RestoreRpFlags } from './recovery-points-args';
import { type BackupAccess, listCommand, type Resolved, restoreRpCommand } from './recovery-points-command';
import { assertCanConfirm, restoreCommand } from './restore-command';
import { timelineCommand } from './timeline-command';
import { verifyCommands } from './verify-command';

/*
 * The `strongroom` command line: commander parses, cli/args.ts checks every value, the commands run against a
 * backend (a local deployment, or the deployed restore Lambda). Every error ends in one exit code (exit-codes.ts)
 * and one message naming the flag, the value received and what was expected.
 */

export interface CliDependencies {
  readonly io: CliIo;
  readonly openLocal?: (deploymentFile: string) => Promise<LocalBackend>;
  readonly openLambda?: (options: LambdaBackendOptions) => RestoreBackend;
  readonly openLambdaActivity?: (options: LambdaBackendOptions) => ActivityBackend;
  /** Waits between two AWS Backup job status requests (tests: no wait). */
  readonly sleep?: (ms: number) => Promise<void>;
}

const LOCAL_HELP = 'Local (--local):';
const AWS_HELP = 'AWS (without --local): the deployed restore Lambda, credentials from the AWS SDK default chain:';

const RESTORE_EXAMPLES = `
Times (--as-of, --distrust-writes-after):
  ISO-8601 ("2026-12-01T03:12:00Z", "2026-12-01 03:12" is UTC), or relative: "2h ago", "90 minutes ago",
  "yesterday 14:00". UTC unless a zone is given ("yesterday 14:00 CET", "2026-12-01T04:12:00+01:00").
  A day without a time of day ("yesterday") is refused. The instant is echoed, absolute and relative,
  before anything is written.

Examples:
  strongroom timeline --local acme-invoices invoices/2026/inv-0001.txt      find T: when each version was current
  strongroom restore --local --bucket acme-invoices --as-of "2h ago" --dry-run
  strongroom restore --local --bucket acme-invoices --as-of 2026-12-01T03:12:00Z --distrust-writes-after 2026-12-01T03:10:00Z
  strongroom restore --bucket acme-invoices --as-of "yesterday 14:00" --target acme-restore --profile prod --region eu-west-1

${EXIT_CODES_HELP}
`;

const ACTIVITY_EXAMPLES = `
Counts are by source time (the source's clock as S3 recorded it) in intervals aligned on UTC; a key's new
version is an overwrite when the key had a current version, a write when it had none. The suggested T is
1 ms before the latest burst's first change: restoring as of it keeps every change before the burst.

Examples:
  strongroom activity --local acme-invoices
  strongroom activity --local acme-invoices --since "2h ago" --interval 1m
  strongroom activity acme-invoices --profile prod --region eu-west-1 --json

${EXIT_CODES_HELP}
`;

const TIMELINE_EXAMPLES = `
Example:
  strongroom timeline --local acme-invoices invoices/2026/inv-0001.txt --distrust-writes-after "40 minutes ago"

${EXIT_CODES_HELP}
`;

/** The flags the commands that read a deployment share: where the local one is, and which deployed function. */
const deploymentOption = () =>
  new Option(
    '--deployment <file>',
    'the local deployment file; default the latest one on the local S3 at LOCAL_S3_PORT (7480)',
  ).helpGroup(LOCAL_HELP);
const functionOption = () =>
  new Option('--function <name>', 'the restore function (name or ARN); default <name>-restore').helpGroup(AWS_HELP);
const nameOption = () =>
  new Option('--name <prefix>', 'the deployment\'s name prefix (config "name"); default from --config, or strongroom').helpGroup(
    AWS_HELP,
  );

/** A command whose usage errors become CliUsageError (exit 2) naming the flag, the value and what was expected. */
class StrongroomCommand extends Command {
  override createCommand(name?: string): Command {
    return new StrongroomCommand(name);
  }

  override error(message: string, options?: { code?: string; exitCode?: number }): never {
    throw usageError(this, message.replace(/^error: /, ''), options?.code);
  }
}

/** Commander's own usage errors, in the CLI's form: field, received, expected. */
function usageError(command: Command, message: string, code: string | undefined): CliUsageError {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  const path = ['strongroom', ...names].join(' ');
  const suggestion = /\(Did you mean (.+)\?\)/.exec(message)?.[1];
  const didYouMean = suggestion ? `; did you mean ${suggestion}?` : '';
  switch (code) {
    case 'commander.unknownOption': {
      const flag = /unknown option '([^']+)'/.exec(message)?.[1] ?? message;
      return CliUsageError.of(flag, JSON.stringify(flag), `one of the flags of ${path}${didYouMean}`);
    }
    case 'commander.unknownCommand': {
      const name = /unknown command '([^']+)'/.exec(message)?.[1] ?? message;
      const choices = command.commands.map((c) => `"${c.name()}"`);
      const expected = `${choices.slice(0, -1).join(', ')} or ${choices[choices.length - 1]}`;
      return CliUsageError.of('<command>', JSON.stringify(name), `${expected}${didYouMean}`);
    }
    case 'commander.optionMissingArgument': {
      const flags = /option '([^']+)' argument missing/.exec(message)?.[1] ?? '';
      const option = command.options.find((o) => o.flags === flags);
      const flag = option?.long ?? flags;
      return CliUsageError.of(flag, '(missing)', `a value after ${flag}${option ? `: ${option.description}` : ''}`);
    }
    case 'commander.missingArgument': {
      const name = /missing required argument '([^']+)'/.exec(message)?.[1] ?? 'argument';
      const argument = command.registeredArguments.find((a) => a.name() === name);
      return CliUsageError.of(`<${name}>`, '(missing)', argument?.description ?? `the ${name} argument of ${path}`);
    }
    case 'commander.excessArguments': {
      const expected = command.registeredArguments.map((a) => `<${a.name()}>`).join(' ');
      const given = command.args.slice(command.registeredArguments.length);
      return CliUsageError.of(
        '(arguments)',
        JSON.stringify(given.length > 0 ? given : command.args),
        expected ? `only ${expected}; every other value follows a flag` : 'no arguments: every value follows a flag',
      );
    }
    default:
      return CliUsageError.of(path, JSON.stringify(message), 'valid usage');
  }
}

/** --config, for the AWS path: the deployment's name and restore targets. */
export function configFor(file: string | undefined): StrongroomConfig | undefined {
  if (file === undefined) return undefined;
  try {
    return loadConfig(file);
  } catch (error) {
    throw CliUsageError.of('--config', JSON.stringify(file), `a Strongroom config file that loads: ${describeError(error)}`);
  }
}

/** The restore targets of the primary account that backs `bucket` up (or of the only primary account). */
function restoreTargetsFor(config: StrongroomConfig, bucket: string): readonly string[] {
  const owners = config.primaryAccounts.filter((a) => a.sources.some((s) => s.bucket === bucket));
  const account = owners.length === 1 ? owners[0] : config.primaryAccounts.length === 1 ? config.primaryAccounts[0] : undefined;
  return account?.restoreTargets ?? [];
}

export function lambdaOptions(aws: AwsTarget, bucket: string): LambdaBackendOptions {
  const config = configFor(aws.config);
  const name = aws.name ?? config?.name ?? 'strongroom';
  return {
    functionName: aws.function ?? primaryFunctionName(name, 'restore'),
    ...((aws.region ?? config?.region) ? { region: aws.region ?? config?.region } : {}),
    ...(aws.profile ? { profile: aws.profile } : {}),
    pollMs: aws.pollMs,
    ...(config ? { restoreTargets: restoreTargetsFor(config, bucket) } : {}),
  };
}

export function buildProgram(deps: CliDependencies, setExit: (code: number) => void): Command {
  const { io } = deps;
  const openLocal = deps.openLocal ?? openLocalBackend;
  const openLambda = deps.openLambda ?? lambdaBackend;
  const program = new StrongroomCommand('strongroom')
    .description(
      'Strongroom for the incident responder: find when an attack on a bucket began (activity) and when a key was ' +
        'last good (timeline), then put a bucket or a ' +
        'prefix back as it was at that instant (restore), from the immutable vault; list and restore AWS Backup ' +
        "recovery points of the backup account's locked vault (recovery-points).",
    )
    .version(packageJson.version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => undefined })
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n`);

  program
    .command('restore')
    .summary('put a bucket or prefix back as it was at an instant (plan, confirm, restore)')
    .description(
      'Plan a restore of --bucket (or --prefix of it) as it was at --as-of into a restore target, print the plan ' +
        '(objects to write, already identical, extraneous, absent at that instant; bytes; sample keys), ask for ' +
        'confirmation, then restore with a progress bar and print the result. Only configured restore targets can ' +
        'be written (the restore role may write nowhere else); every object written is checked against the SHA-256 ' +
        'the journal recorded. A rerun skips what is already identical.',
    )
    .addOption(new Option('--bucket <name>', 'the source bucket whose backups to restore, as configured (e.g. acme-invoices)'))
    .addOption(new Option('--prefix <prefix>', 'only keys under this prefix (e.g. invoices/); default every key'))
    .addOption(new Option('--as-of <time>', 'restore every key as it was at this instant (UTC unless a zone is given)'))
    .addOption(
      new Option(
        '--distrust-writes-after <time>',
        "set aside every journal entry and vault object the vault's own clock says was written after this instant (the intruder's)",
      ),
    )
    .addOption(new Option('--target <bucket>', 'the restore target to write into; default the first configured restore target'))
    .addOption(new Option('--target-prefix <prefix>', 'write each key under this prefix of the target (e.g. drill-2026-12/)'))
    .addOption(
      new Option(
        '--mode <mode>',
        'state: every key as it was (default); changed-since: only keys deleted or overwritten since --as-of',
      ).default(undefined, 'state'),
    )
    .addOption(
      new Option(
        '--remove-extraneous',
        'also remove keys of the target that did not exist at --as-of (a delete marker each: the target must be versioned)',
      ),
    )
    .addOption(new Option('--dry-run', 'plan and print the plan, then stop: nothing is written but the plan itself'))
    .addOption(new Option('--yes', 'restore without asking (needed when stdin is not a terminal)'))
    .addOption(new Option('--json', 'print one JSON document (plan and result) on stdout; no progress bar'))
    .addOption(
      new Option('--local', 'restore on a saved local deployment (the local two-account S3) instead of AWS').helpGroup(
        LOCAL_HELP,
      ),
    )
    .addOption(deploymentOption())
    .addOption(functionOption())
    .addOption(nameOption())
    .addOption(
      new Option('--config <file>', 'the Strongroom config: its name, region and restore targets become the defaults').helpGroup(
        AWS_HELP,
      ),
    )
    .addOption(
      new Option('--profile <profile>', 'the AWS profile to use (shared config and credentials files)').helpGroup(AWS_HELP),
    )
    .addOption(
      new Option('--region <region>', "the restore function's region; default --config's, or the SDK's (AWS_REGION)").helpGroup(
        AWS_HELP,
      ),
    )
    .addOption(
      new Option('--poll-seconds <n>', 'seconds between two status requests while the restore runs (1-60)')
        .default(undefined, '5')
        .helpGroup(AWS_HELP),
    )
    .addHelpText('after', RESTORE_EXAMPLES)
    .action(async (flags: RestoreFlags) => {
      const args = parseRestoreArgs(flags, io.now());
      assertCanConfirm(args, io);
      const backend = args.local
        ? await openLocal(await deploymentFileFor(args.local.deployment, io.env))
        : openLambda({ ...lambdaOptions(args.aws as AwsTarget, args.bucket), onNote: (text) => io.err(`\n${text}\n`) });
      try {
        setExit(await restoreCommand(args, backend, io));
      } finally {
        backend.close();
      }
    });

  program
    .command('timeline')
    .summary("a key's versions and tombstones, and when each version was current: to pick --as-of")
    .description(
      "Print one key's history as the vault's journal records it: each version and tombstone with its kind, source " +
        "time (UTC and relative), size, SHA-256 (first 12 hex digits) and the time the vault wrote it (the server's " +
        'clock, which an intruder cannot set); which one is current now; and for each version the --as-of instants ' +
        'that restore it.',
    )
    .argument('<bucket>', 'the source bucket, as configured (e.g. acme-invoices)')
    .argument('<key>', 'the object key (e.g. invoices/2026/inv-0001.txt)')
    .addOption(
      new Option(
        '--distrust-writes-after <time>',
        'mark entries the vault wrote after this instant as set aside (a restore with this flag ignores them)',
      ),
    )
    .addOption(new Option('--json', 'print one JSON document on stdout'))
    .addOption(new Option('--local', 'read the journal of a saved local deployment (required: see below)').helpGroup(LOCAL_HELP))
    .addOption(deploymentOption())
    .addHelpText(
      'after',
      '\nIn AWS only the restore function may assume the restore-reader role, and the restore API has no timeline\n' +
        'request: the timeline reads local deployments only (--local).\n' +
        TIMELINE_EXAMPLES,
    )
    .action(async (bucket: string, key: string, flags: TimelineFlags) => {
      const args = parseTimelineArgs(bucket, key, flags, io.now());
      const backend = await openLocal(await deploymentFileFor(args.deployment, io.env));
      try {
        setExit(await timelineCommand(args, backend, io));
      } finally {
        backend.close();
      }
    });
  activityCommandOf(program, deps, setExit);
  recoveryPointsCommands(program, deps, setExit);
  verifyCommands(program, io, setExit);
  return program;
}

function activityCommandOf(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const { io } = deps;
  const openLocal = deps.openLocal ?? openLocalBackend;
  const openLambda = deps.openLambdaActivity ?? lambdaActivityBackend;
  program
    .command('activity')
    .summary('writes, overwrites and deletions of a bucket per interval; bursts, and the T just before the latest')
    .description(
      "Read a source bucket's changes from the vault's journal and print, per interval, its writes (new keys), " +
        'overwrites (a new version over a current one) and deletions (delete markers, destroyed versions, ' +
        'unversioned deletes); mark bursts; suggest the instant just before the latest burst began, and the ' +
        'restore command (a dry run) that takes the bucket back to it.',
    )
    .argument('<bucket>', 'the source bucket, as configured (e.g. acme-invoices)')
    .addOption(new Option('--prefix <prefix>', 'only keys under this prefix (e.g. invoices/)'))
    .addOption(
      new Option('--since <time>', 'count changes from this instant on (earlier ones still tell overwrites from writes)'),
    )
    .addOption(new Option('--until <time>', 'count changes up to this instant'))
    .addOption(new Option('--interval <length>', 'the interval: "10s", "5m", "1h", "1d"; default chosen for the span'))
    .addOption(new Option('--json', 'print one JSON document on stdout'))
    .addOption(new Option('--local', 'read the journal of a saved local deployment instead of AWS').helpGroup(LOCAL_HELP))
    .addOption(deploymentOption())
    .addOption(functionOption())
    .addOption(nameOption())
    .addOption(
      new Option('--config <file>', 'the Strongroom config: its name and region become the defaults').helpGroup(AWS_HELP),
    )
    .addOption(new Option('--profile <profile>', 'the AWS profile to use').helpGroup(AWS_HELP))
    .addOption(
      new Option('--region <region>', "the restore function's region; default --config's, or AWS_REGION").helpGroup(AWS_HELP),
    )
    .addHelpText('after', ACTIVITY_EXAMPLES)
    .action(async (bucket: string, flags: ActivityFlags) => {
      const args = parseActivityArgs(bucket, flags, io.now());
      const backend = args.local
        ? await openLocal(await deploymentFileFor(args.local.deployment, io.env))
        : openLambda(lambdaOptions(args.aws as AwsTarget, args.bucket));
      try {
        setExit(await activityCommand(args, backend, io));
      } finally {
        backend.close();
      }
    });
}

const BACKUP_HELP = 'Backup account (the locked vault):';
const PRIMARY_HELP = 'Primary account (the restore):';

const LIST_EXAMPLES = `
Runs in the backup account: credentials (--profile, or the SDK's default chain) allowed
backup:ListRecoveryPointsByBackupVault (and backup:DescribeBackupVault, for the lock line) on <name>-vault,
e.g. a read-only role of the backup account; or --role-arn to assume such a role (--external-id if its trust
requires one). The Strongroom auditor role <name>-auditor-<primary> has exactly these reads, but its trust admits
only the primary account's verify, reconciler and sealer roles (with the external id), not a person.

Example:
  strongroom recovery-points list --resource arn:aws:ec2:eu-west-1:222222222222:volume/vol-0abc1234 --profile strongroom-backup

${EXIT_CODES_HELP}
`;

const RESTORE_RP_EXAMPLES = `
The two steps AWS requires for a cross-account restore, each in its own account:
  1. backup account (--profile / --role-arn): backup:StartCopyJob and backup:DescribeCopyJob on the locked
     vault, and iam:PassRole of --copy-role-arn. That role (trusting backup.amazonaws.com) is what AWS Backup
     copies as; no Strongroom stack creates it. The destination vault (<name>-local in --source-account) must
     have an access policy allowing backup:CopyIntoBackupVault from the backup account: Strongroom's plan does
     not set one, so add it before the first restore. Recovery points whose key is AWS-managed cannot be copied.
  2. primary account (--primary-profile): backup:StartRestoreJob and backup:DescribeRestoreJob, and
     iam:PassRole of --iam-role-arn: a role trusting backup.amazonaws.com with AWS's restore permissions
     (AWSBackupServiceRolePolicyForRestores; the plan's own service role has only the backup policy).
--metadata is required: which keys a restore needs depends on the resource type, and Strongroom does not
guess them; \`aws backup get-recovery-point-restore-metadata\` (primary account, on the copy) shows the backup's.

Example:
  strongroom recovery-points restore --profile strongroom-backup --primary-profile strongroom-prod \\
    --recovery-point arn:aws:ec2:eu-west-1::snapshot/snap-0abc1234 --source-account 222222222222 \\
    --copy-role-arn arn:aws:iam::111111111111:role/strongroom-copy-out \\
    --iam-role-arn arn:aws:iam::222222222222:role/StrongroomBackupServiceRole \\
    --metadata availabilityZone=eu-west-1a --metadata volumeType=gp3

${EXIT_CODES_HELP}
`;

function backupAccountOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--vault <name>', 'the locked vault in the backup account; default <name>-vault').helpGroup(BACKUP_HELP),
    )
    .addOption(
      new Option(
        '--name <prefix>',
        'the deployment\'s name prefix (config "name"); default from --config, or strongroom',
      ).helpGroup(BACKUP_HELP),
    )
    .addOption(
      new Option('--config <file>', 'the Strongroom config: its name and region become the defaults').helpGroup(BACKUP_HELP),
    )
    .addOption(
      new Option('--profile <profile>', 'the AWS profile of the backup account (shared config and credentials)').helpGroup(
        BACKUP_HELP,
      ),
    )
    .addOption(new Option('--region <region>', "the vault's region; default --config's, or the ARN's").helpGroup(BACKUP_HELP))
    .addOption(
      new Option('--role-arn <arn>', 'a role of the backup account to assume first (from --profile)').helpGroup(BACKUP_HELP),
    )
    .addOption(new Option('--external-id <id>', 'the external id --role-arn requires').helpGroup(BACKUP_HELP))
    .addOption(new Option('--json', 'print one JSON document on stdout'));
}

function resolveNames(args: { vault?: string; name?: string; config?: string; region?: string }, arnRegion: string): Resolved {
  const config = configFor(args.config);
  const name = args.name ?? config?.name ?? 'strongroom';
  return { name, vault: args.vault ?? `${name}-vault`, region: args.region ?? config?.region ?? arnRegion };
}

function recoveryPointsCommands(program: Command, deps: CliDependencies, setExit: (code: number) => void): void {
  const { io } = deps;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const group = program
    .command('recovery-points')
    .summary("AWS Backup recovery points in the backup account's locked vault: list them, restore one")
    .description(
      "The AWS Backup side of the vault: recovery points (EBS, EC2, RDS, DynamoDB, EFS) copied into the backup account's locked vault.",
    )
    .addHelpText(
      'after',
      `
${EXIT_CODES_HELP}
`,
    );

  backupAccountOptions(
    group
      .command('list')
      .summary("a resource's recovery points in the locked vault, newest first")
      .description(
        "List the recovery points of --resource in the backup account's locked vault (ListRecoveryPointsByBackupVault, " +
          "every page), newest first: creation time (UTC and relative), status, retain until (the lifecycle's DeleteAt), " +
          'size and ARN, under a line saying whether and how the vault is locked.',
      )
      .addOption(new Option('--resource <arn>', 'the ARN of the backed-up resource (volume, instance, DB, table, file system)')),
  )
    .addHelpText('after', LIST_EXAMPLES)
    .action(async (flags: ListFlags) => {
      const args = parseListArgs(flags);
      const where = resolveNames(args, args.resource.split(':')[3] ?? '');
      const access: BackupAccess = {
        backupAccount: (region) => backupAccountClient({ ...args, region }),
        primaryAccount: () => {
          throw new Error('list uses no primary-account client');
        },
        sleep,
      };
      setExit(await listCommand(args, where, access, io));
    });

  backupAccountOptions(
    group
      .command('restore')
      .summary('copy a recovery point back to its primary account, then restore it there (plan, confirm, two jobs)')
      .description(
        'Print the plan, ask for confirmation, then: (1) in the backup account, a copy job from the locked vault into ' +
          "the primary account's local vault (<name>-local); (2) in the primary account, a restore job from that copy " +
          'with --metadata. Both jobs are polled until they end; a job that does not complete exits 1 with its status message.',
      )
      .addOption(
        new Option('--recovery-point <arn>', 'the recovery point in the locked vault (as `recovery-points list` prints it)'),
      )
      .addOption(new Option('--source-account <id>', 'the primary account the resource came from (12 digits)'))
      .addOption(
        new Option(
          '--copy-role-arn <arn>',
          'step 1: the backup-account role AWS Backup copies as (trusting backup.amazonaws.com)',
        ),
      )
      .addOption(
        new Option(
          '--destination-vault-arn <arn>',
          "step 1: the primary account's vault to copy into; default <name>-local in --source-account",
        ),
      )
      .addOption(new Option('--poll-seconds <n>', 'seconds between two job status requests (1-300)').default(undefined, '10'))
      .addOption(new Option('--yes', 'start the jobs without asking (needed when stdin is not a terminal)')),
  )
    .addOption(
      new Option(
        '--primary-profile <profile>',
        'step 2: the AWS profile of the primary account (default chain if absent)',
      ).helpGroup(PRIMARY_HELP),
    )
    .addOption(
      new Option(
        '--iam-role-arn <arn>',
        "step 2: the primary account's AWS Backup service role the restore job runs as",
      ).helpGroup(PRIMARY_HELP),
    )
    .addOption(
      new Option('--metadata <key=value>', 'step 2: restore metadata, repeatable; required (see below)')
        .argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), value])
        .helpGroup(PRIMARY_HELP),
    )
    .addOption(
      new Option(
        '--resource-type <type>',
        'step 2: the resource type (EBS, EC2, RDS, DynamoDB, EFS); default what AWS Backup infers',
      ).helpGroup(PRIMARY_HELP),
    )
    .addHelpText('after', RESTORE_RP_EXAMPLES)
    .action(async (flags: RestoreRpFlags) => {
      const args = parseRestoreRpArgs(flags);
      assertCanConfirm({ yes: args.yes, dryRun: false }, io);
      const where = resolveNames({ ...args, region: args.recoveryPointRegion }, args.recoveryPointRegion);
      const access: BackupAccess = {
        backupAccount: (region: string): Promise<BackupClient> => backupAccountClient({ ...args, region }),
        primaryAccount: (region) =>
          primaryAccountClient({ region, ...(args.primaryProfile ? { profile: args.primaryProfile } : {}) }),
        sleep,
      };
      setExit(await restoreRpCommand(args, where, access, io));
    });
}

/** The message of an error for the responder: the flags' names where the restore API names fields. */
function messageOf(error: unknown): string {
  if (error instanceof CliUsageError || error instanceof AbortedError) return error.message;
  const name = error instanceof Error ? error.name : '';
  if (name.startsWith('LocalDeploymentFile')) return `--deployment: ${(error as Error).message}`;
  // The restore service's refusals say what was wrong with which field: their message is all there is to say.
  if (name === 'RestoreRequestError' || name === 'RestoreRefusedError' || name === 'ActivityRequestError')
    return withFlagNames((error as Error).message);
  return withFlagNames(describeError(error));
}

/** Runs the CLI on `argv` (without node and the script); returns the exit code. */
export async function main(argv: readonly string[], deps: CliDependencies): Promise<number> {
  const { io } = deps;
  let code: number = EXIT.ok;
  const program = buildProgram(deps, (c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      io.err(program.helpInformation());
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (error: unknown) {
    // --help and --version end through commander's exit (code 0); a command-less call showed help (exit 2).
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    const exitCode = exitCodeOf(error);
    const command = argv.find((a) => !a.startsWith('-'));
    const sub = command === 'recovery-points' ? argv.slice(argv.indexOf(command) + 1).find((a) => !a.startsWith('-')) : undefined;
    const where =
      command === 'restore' || command === 'timeline' || command === 'activity'
        ? `strongroom ${command}`
        : command === 'recovery-points'
          ? `strongroom recovery-points${sub === 'list' || sub === 'restore' ? ` ${sub}` : ''}`
          : 'strongroom';
    const message = messageOf(error);
    const hint = exitCode === EXIT.usage ? `\n(${where} --help lists every flag and what it takes)` : '';
    io.err(
      `${where}: ${exitCode === EXIT.failure ? 'failed: ' : ''}${message.replace(/\n/g, `\n${' '.repeat(where.length + 2)}`)}${hint}\n`,
    );
    if (argv.includes('--json')) {
      const problems = error instanceof CliUsageError ? error.problems : undefined;
      io.out(
        `${JSON.stringify({ error: { exitCode, name: (error as Error)?.name, message, ...(problems ? { problems } : {}) } }, null, 2)}\n`,
      );
    }
    return exitCode;
  }
}
