import {
  type BackupClient,
  DescribeBackupVaultCommand,
  type DescribeBackupVaultCommandOutput,
  DescribeCopyJobCommand,
  DescribeRestoreJobCommand,
  ListRecoveryPointsByBackupVaultCommand,
  type RecoveryPointByBackupVault,
  StartCopyJobCommand,
  StartRestoreJobCommand,
} from '@aws-sdk/client-backup';
import { describeError } from '../contract/errors';
import { AbortedError } from './errors';
import { EXIT } from './exit-codes';
import { columns, formatBytes } from './format';
import type { CliIo } from './io';
import type { ListArgs, RestoreRpArgs } from './recovery-points-args';
import { assertCanConfirm } from './restore-command';
import { formatInstant, formatRelative } from './time';

/*
 * strongroom recovery-points: the AWS Backup side of the vault. `list` reads the backup account's locked vault
 * (ListRecoveryPointsByBackupVault, by resource); `restore` is AWS's two-step cross-account restore: a copy job
 * in the backup account from the locked vault back into the primary account's local vault, then a restore job
 * in the primary account from that copy. Both jobs are polled until they end.
 */

export interface BackupAccess {
  /** The backup account's client (its region: the vault's). */
  readonly backupAccount: (region: string) => Promise<BackupClient>;
  /** The primary account's client (--primary-profile). */
  readonly primaryAccount: (region: string) => BackupClient;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Names resolved from --vault/--name/--config. */
export interface Resolved {
  readonly name: string;
  readonly vault: string;
  readonly region: string;
}

const line = (io: CliIo, text: string) => io.out(`${text}\n`);
const when = (date: Date | undefined, now: Date) => (date ? `${formatInstant(date)} (${formatRelative(date, now)})` : '-');

export interface RecoveryPointJson {
  readonly recoveryPointArn: string | null;
  readonly createdAt: string | null;
  readonly status: string | null;
  readonly statusMessage: string | null;
  readonly retainUntil: string | null;
  readonly sizeBytes: number | null;
  readonly resourceType: string | null;
  readonly sourceBackupVaultArn: string | null;
}

function pointJson(p: RecoveryPointByBackupVault): RecoveryPointJson {
  return {
    recoveryPointArn: p.RecoveryPointArn ?? null,
    createdAt: p.CreationDate ? p.CreationDate.toISOString() : null,
    status: p.Status ?? null,
    statusMessage: p.StatusMessage ?? null,
    retainUntil: p.CalculatedLifecycle?.DeleteAt ? p.CalculatedLifecycle.DeleteAt.toISOString() : null,
    sizeBytes: p.BackupSizeInBytes ?? null,
    resourceType: p.ResourceType ?? null,
    sourceBackupVaultArn: p.SourceBackupVaultArn ?? null,
  };
}

type VaultLock =
  | {
      readonly known: true;
      readonly locked: boolean;
      readonly minRetentionDays: number | null;
      readonly maxRetentionDays: number | null;
      readonly lockDate: string | null;
    }
  | { readonly known: false; readonly reason: string };

function lockOf(out: DescribeBackupVaultCommandOutput): VaultLock {
  return {
    known: true,
    locked: out.Locked === true,
    minRetentionDays: out.MinRetentionDays ?? null,
    maxRetentionDays: out.MaxRetentionDays ?? null,
    lockDate: out.LockDate ? out.LockDate.toISOString() : null,
  };
}

function lockLine(lock: VaultLock, now: Date): string {
  if (!lock.known) return `vault lock: unknown (${lock.reason})`;
  if (!lock.locked) return 'vault lock: NOT LOCKED';
  const range = `retention ${lock.minRetentionDays ?? '?'}-${lock.maxRetentionDays ?? '?'} days`;
  if (!lock.lockDate) return `vault lock: governance mode (no lock date), ${range}`;
  const date = new Date(lock.lockDate);
  return date.getTime() <= now.getTime()
    ? `vault lock: compliance, immutable since ${when(date, now)}, ${range}`
    : `vault lock: compliance, still changeable until ${when(date, now)}, ${range}`;
}

export async function listCommand(args: ListArgs, where: Resolved, access: BackupAccess, io: CliIo): Promise<number> {
  const client = await access.backupAccount(where.region);
  try {
    let lock: VaultLock;
    try {
      lock = lockOf(await client.send(new DescribeBackupVaultCommand({ BackupVaultName: where.vault })));
    } catch (error) {
      lock = { known: false, reason: describeError(error) };
    }
    const points: RecoveryPointByBackupVault[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(
        new ListRecoveryPointsByBackupVaultCommand({
          BackupVaultName: where.vault,
          ByResourceArn: args.resource,
          ...(token ? { NextToken: token } : {}),
        }),
      );
      points.push(...(page.RecoveryPoints ?? []));
      token = page.NextToken;
    } while (token);
    points.sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
    const now = io.now();
    if (args.json) {
      line(
        io,
        JSON.stringify(
          {
            vault: where.vault,
            region: where.region,
            resource: args.resource,
            vaultLock: lock,
            recoveryPoints: points.map(pointJson),
          },
          null,
          2,
        ),
      );
      return EXIT.ok;
    }
    line(io, `Recovery points of ${args.resource}`);
    line(io, `in the backup account's vault ${where.vault} (${where.region}); ${lockLine(lock, now)}`);
    line(io, '');
    if (points.length === 0) {
      line(io, `None. (Copies arrive after each backup job of the plan; the resource must carry the backup tag.)`);
      return EXIT.ok;
    }
    const rows = [
      ['created', 'status', 'retain until', 'size', 'recovery point'],
      ...points.map((p) => [
        when(p.CreationDate, now),
        p.Status ?? '-',
        p.CalculatedLifecycle?.DeleteAt ? when(p.CalculatedLifecycle.DeleteAt, now) : 'no expiry',
        p.BackupSizeInBytes === undefined ? '-' : formatBytes(p.BackupSizeInBytes),
        p.RecoveryPointArn ?? '-',
      ]),
    ];
    for (const l of columns(rows)) line(io, `  ${l}`);
    line(io, '');
    line(io, `${points.length} recovery point${points.length === 1 ? '' : 's'}, newest first.`);
    return EXIT.ok;
  } finally {
    client.destroy();
  }
}

const COPY_DONE = new Set(['COMPLETED', 'FAILED', 'PARTIAL']);
const RESTORE_DONE = new Set(['COMPLETED', 'FAILED', 'ABORTED']);

export interface JobJson {
  readonly jobId: string | null;
  readonly state: string | null;
  readonly statusMessage: string | null;
}

export interface RestoreRpReport {
  readonly recoveryPointArn: string;
  readonly sourceVault: string;
  readonly destinationVaultArn: string;
  readonly copyJob: (JobJson & { readonly destinationRecoveryPointArn: string | null }) | null;
  readonly restoreJob: (JobJson & { readonly createdResourceArn: string | null }) | null;
  readonly outcome: 'completed' | 'failed';
}

export function destinationVaultArn(args: RestoreRpArgs, where: Resolved): string {
  if (args.destinationVaultArn) return args.destinationVaultArn;
  const partition = args.recoveryPoint.split(':')[1] ?? 'aws';
  return `arn:${partition}:backup:${where.region}:${args.sourceAccount}:backup-vault:${where.name}-local`;
}

export function planLinesRp(args: RestoreRpArgs, where: Resolved, destination: string): string[] {
  const metadata = Object.entries(args.metadata).map(([k, v]) => `${k}=${v}`);
  return [
    `Restore of recovery point ${args.recoveryPoint}`,
    '',
    `  1. copy job, in the backup account (${args.roleArn ? `as ${args.roleArn}` : `credentials of ${args.profile ? `profile ${args.profile}` : 'the default chain'}`})`,
    `       from       ${where.vault} (the locked vault, ${where.region})`,
    `       into       ${destination}`,
    `       run as     ${args.copyRoleArn} (assumed by AWS Backup)`,
    `  2. restore job, in the primary account ${args.sourceAccount} (${args.primaryProfile ? `profile ${args.primaryProfile}` : 'credentials of the default chain'})`,
    '       from       the copy step 1 makes',
    `       run as     ${args.iamRoleArn} (assumed by AWS Backup)`,
    ...(args.resourceType ? [`       type       ${args.resourceType}`] : []),
    `       metadata   ${metadata.join('\n                  ')}`,
    '',
    '  The locked original stays as it is; the copy in the primary account keeps its own lifecycle (none: delete it when done).',
  ];
}

export async function restoreRpCommand(args: RestoreRpArgs, where: Resolved, access: BackupAccess, io: CliIo): Promise<number> {
  assertCanConfirm({ yes: args.yes, dryRun: false }, io);
  const destination = destinationVaultArn(args, where);
  const say = (text: string) => (args.json ? io.err(`${text}\n`) : line(io, text));
  for (const l of [...planLinesRp(args, where, destination), '']) say(l);
  if (!args.yes) {
    const answer = await io.prompt('Start the copy job, then the restore job? [y/N] ');
    if (answer === null || !/^\s*y(es)?\s*$/i.test(answer)) throw new AbortedError('aborted: no job started');
  }
  const report: { -readonly [K in keyof RestoreRpReport]: RestoreRpReport[K] } = {
    recoveryPointArn: args.recoveryPoint,
    sourceVault: where.vault,
    destinationVaultArn: destination,
    copyJob: null,
    restoreJob: null,
    outcome: 'failed',
  };
  const finish = (failure?: string): number => {
    report.outcome = failure ? 'failed' : 'completed';
    if (args.json) line(io, JSON.stringify(report, null, 2));
    if (failure) {
      io.err(`strongroom recovery-points restore: failed: ${failure}\n`);
      return EXIT.failure;
    }
    if (!args.json) line(io, `Restored: ${report.restoreJob?.createdResourceArn ?? '(AWS Backup named no created resource)'}`);
    return EXIT.ok;
  };

  // Step 1: in the backup account, copy back into the primary account's local vault.
  const backup = await access.backupAccount(where.region);
  let copied: string;
  try {
    const started = await backup.send(
      new StartCopyJobCommand({
        RecoveryPointArn: args.recoveryPoint,
        SourceBackupVaultName: where.vault,
        DestinationBackupVaultArn: destination,
        IamRoleArn: args.copyRoleArn,
      }),
    );
    const copyJobId = started.CopyJobId ?? '';
    say(`copy job ${copyJobId}: started`);
    io.onInterrupt(() => `interrupted: copy job ${copyJobId} goes on in AWS; only the watch stopped`);
    let last = '';
    for (;;) {
      const job = (await backup.send(new DescribeCopyJobCommand({ CopyJobId: copyJobId }))).CopyJob ?? {};
      const state = job.State ?? 'UNKNOWN';
      report.copyJob = {
        jobId: copyJobId,
        state,
        statusMessage: job.StatusMessage ?? null,
        destinationRecoveryPointArn: job.DestinationRecoveryPointArn ?? null,
      };
      const shown = `copy job ${copyJobId}: ${state}${job.StatusMessage ? ` (${job.StatusMessage})` : ''}`;
      if (shown !== last) say(shown);
      last = shown;
      if (COPY_DONE.has(state)) break;
      await access.sleep(args.pollMs);
    }
    if (report.copyJob.state !== 'COMPLETED')
      return finish(
        `copy job ${copyJobId} ended ${report.copyJob.state}: ${report.copyJob.statusMessage ?? '(no status message)'}`,
      );
    if (!report.copyJob.destinationRecoveryPointArn)
      return finish(`copy job ${copyJobId} COMPLETED but named no destination recovery point`);
    copied = report.copyJob.destinationRecoveryPointArn;
  } finally {
    backup.destroy();
  }

  // Step 2: in the primary account, restore from the copy.
  const primary = access.primaryAccount(where.region);
  try {
    const started = await primary.send(
      new StartRestoreJobCommand({
        RecoveryPointArn: copied,
        IamRoleArn: args.iamRoleArn,
        Metadata: { ...args.metadata },
        ...(args.resourceType ? { ResourceType: args.resourceType } : {}),
      }),
    );
    const restoreJobId = started.RestoreJobId ?? '';
    say(`restore job ${restoreJobId}: started from ${copied}`);
    io.onInterrupt(() => `interrupted: restore job ${restoreJobId} goes on in AWS; only the watch stopped`);
    let last = '';
    for (;;) {
      const job = await primary.send(new DescribeRestoreJobCommand({ RestoreJobId: restoreJobId }));
      const state = job.Status ?? 'UNKNOWN';
      report.restoreJob = {
        jobId: restoreJobId,
        state,
        statusMessage: job.StatusMessage ?? null,
        createdResourceArn: job.CreatedResourceArn ?? null,
      };
      const shown =
        `restore job ${restoreJobId}: ${state}${job.PercentDone ? ` ${job.PercentDone}` : ''}` +
        (job.StatusMessage ? ` (${job.StatusMessage})` : '');
      if (shown !== last) say(shown);
      last = shown;
      if (RESTORE_DONE.has(state)) break;
      await access.sleep(args.pollMs);
    }
    if (report.restoreJob.state !== 'COMPLETED')
      return finish(
        `restore job ${restoreJobId} ended ${report.restoreJob.state}: ${report.restoreJob.statusMessage ?? '(no status message)'}`,
      );
    return finish();
  } finally {
    primary.destroy();
  }
}
