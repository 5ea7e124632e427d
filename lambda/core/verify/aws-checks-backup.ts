import {
  type BackupClient,
  DescribeBackupVaultCommand,
  paginateListRecoveryPointsByBackupVault,
  type RecoveryPointByBackupVault,
} from '@aws-sdk/client-backup';
import { paginateGetResources, type ResourceGroupsTaggingAPIClient } from '@aws-sdk/client-resource-groups-tagging-api';
import { describeError, StrongroomError } from '../../../contract/errors';
import { FINDINGS_SHOWN } from '../../../contract/verify-report';
import { parseAwsCron, scheduleInterval } from './aws-checks-schedule';
import { DAY_MS, HOUR_MS, hours, span, utc } from './aws-checks-time';
import { type CheckGroup, type CheckOutcome, pass, skipped } from './check';
import type { VerifyContext } from './context';

/*
 * The AWS Backup checks. AWS Backup has no local server, so both are proven with aws-sdk-client-mock only.
 *
 * backup-vault.lock (as the auditor): DescribeBackupVault. Vault Lock must be on in compliance mode (a lock
 * date: without one it is governance mode, removable at any time), with exactly the configured minimum and
 * maximum retention: a lower minimum lets copies expire sooner than promised, and any other difference means
 * the vault is not the one this config deployed (the plan's copy retention, chosen within the configured
 * range, may then be refused). Until the lock date the lock can still be removed: WARN, with when it sets.
 *
 * backup.recovery-points: the resources carrying the plan's tag (tag:GetResources, as the verify function's
 * own role in the primary account) against the vault's COMPLETED recovery points (as the auditor). A resource
 * passes when its newest one was created within the plan's interval (the longest gap between two fire times
 * of its schedule) plus RECOVERY_POINT_SLACK.
 */

/**
 * Time allowed for a scheduled backup to start, finish and be copied into the vault: AWS Backup's default
 * start window (8 hours, which Strongroom's plan keeps) plus 16 hours for the backup job and its
 * cross-account copy. A backup that takes longer shows as stale until its copy lands.
 */
export const RECOVERY_POINT_SLACK_MS = 24 * HOUR_MS;

/** The resource types Strongroom's backup plan selects (lib/constructs/cross-account-backup-plan.ts), as the tagging API names them. */
export const BACKED_UP_RESOURCE_TYPES = [
  'ec2:volume',
  'ec2:instance',
  'rds:db',
  'rds:cluster',
  'dynamodb:table',
  'elasticfilesystem:file-system',
];

const NO_AWS_BACKUP = 'no AWS Backup on this server: the local S3 stands in for S3 only';

// ---- backup-vault.lock --------------------------------------------------------------------------

export const backupVaultLockGroup: CheckGroup<VerifyContext> = {
  name: 'AWS Backup vault lock',
  ids: ['backup-vault.lock'],
  ranAs: 'auditor',
  async run(context) {
    return { 'backup-vault.lock': await vaultLockOutcome(context) };
  },
};

async function vaultLockOutcome(context: VerifyContext): Promise<CheckOutcome> {
  const configured = context.settings.backupVault;
  const backup = context.clients.aws?.auditorBackup;
  if (!configured || !backup) {
    return skipped(NO_AWS_BACKUP, 'none here; on AWS the auditor role reads the vault lock with backup:DescribeBackupVault');
  }
  const vault = await backup.send(new DescribeBackupVaultCommand({ BackupVaultName: configured.name }));
  const now = context.now();
  const lockDate = vault.LockDate;
  const evidence = {
    vault: vault.BackupVaultArn ?? configured.arn,
    locked: vault.Locked ?? false,
    mode: vault.Locked ? (lockDate ? 'compliance' : 'governance') : null,
    minRetentionDays: vault.MinRetentionDays ?? null,
    maxRetentionDays: vault.MaxRetentionDays ?? null,
    lockDate: lockDate ? utc(lockDate) : null,
    configuredMinRetentionDays: configured.minRetentionDays,
    configuredMaxRetentionDays: configured.maxRetentionDays,
  };
  const redeploy = `deploy StrongroomVault from this config (Vault Lock min ${configured.minRetentionDays}, max ${configured.maxRetentionDays} days, compliance mode)`;
  if (!vault.Locked) {
    return {
      status: 'FAIL',
      summary: `the AWS Backup vault ${configured.name} has no Vault Lock: any recovery point in it can be deleted`,
      evidence,
      remediation: redeploy,
    };
  }
  if (!lockDate) {
    return {
      status: 'FAIL',
      summary: `Vault Lock on ${configured.name} is in governance mode (no lock date): an administrator can remove it at any time`,
      evidence,
      remediation: `${redeploy}: a lock with ChangeableForDays becomes immutable when its grace period ends`,
    };
  }
  const differences = [
    vault.MinRetentionDays !== configured.minRetentionDays &&
      `minimum retention ${vault.MinRetentionDays ?? '(none)'} days, configured ${configured.minRetentionDays}${(vault.MinRetentionDays ?? 0) < configured.minRetentionDays ? ' (weaker: recovery points may expire sooner than promised)' : ''}`,
    vault.MaxRetentionDays !== configured.maxRetentionDays &&
      `maximum retention ${vault.MaxRetentionDays ?? '(none)'} days, configured ${configured.maxRetentionDays}`,
  ].filter((d): d is string => typeof d === 'string');
  if (differences.length > 0) {
    return {
      status: 'FAIL',
      summary: `Vault Lock on ${configured.name} differs from the config: ${differences.join('; ')}`,
      evidence,
      findings: differences,
      remediation: `${redeploy}; once the lock is immutable, set backupVault.lock in the config to the vault's values instead`,
    };
  }
  const range = `min ${configured.minRetentionDays}, max ${configured.maxRetentionDays} days`;
  if (lockDate.getTime() > now.getTime()) {
    const left = lockDate.getTime() - now.getTime();
    return {
      status: 'WARN',
      summary: `Vault Lock (compliance, ${range}) is in its grace period until ${utc(lockDate)} (in ${span(left)}): until then the lock can be removed`,
      evidence: { ...evidence, graceDaysLeft: Math.ceil(left / DAY_MS) },
      remediation:
        'alert on backup:DeleteBackupVaultLockConfiguration until the lock date; the SCP denies it to all but break-glass',
    };
  }
  return pass(
    `Vault Lock (compliance, ${range}) on ${configured.name} is immutable since ${utc(lockDate)}`,
    'nothing can remove it; keep the plan copy retention within its range',
    evidence,
  );
}

// ---- backup.recovery-points ---------------------------------------------------------------------

export const recoveryPointsGroup: CheckGroup<VerifyContext> = {
  name: 'AWS Backup recovery points',
  ids: ['backup.recovery-points'],
  // The recovery points are the evidence, read as the auditor; the tagged resources are listed as the
  // verify function's own role (the auditor lives in the backup account and sees no primary resource).
  ranAs: 'auditor',
  async run(context) {
    return { 'backup.recovery-points': await recoveryPointsOutcome(context) };
  },
};

/** Every resource of the backed-up types that carries the plan's tag (every page). */
async function taggedResources(
  tagging: ResourceGroupsTaggingAPIClient,
  tag: { readonly tagKey: string; readonly tagValue: string },
): Promise<string[]> {
  const arns: string[] = [];
  try {
    const pages = paginateGetResources(
      { client: tagging },
      { TagFilters: [{ Key: tag.tagKey, Values: [tag.tagValue] }], ResourceTypeFilters: BACKED_UP_RESOURCE_TYPES },
    );
    for await (const page of pages) {
      for (const resource of page.ResourceTagMappingList ?? []) if (resource.ResourceARN) arns.push(resource.ResourceARN);
    }
  } catch (error: unknown) {
    throw new StrongroomError(`tag:GetResources as the verify function's own role failed: ${describeError(error)}`, {
      cause: error,
    });
  }
  return [...new Set(arns)].sort();
}

/** COMPLETED recovery points of the vault matching `filter`, every page. */
async function completedRecoveryPoints(
  backup: BackupClient,
  vaultName: string,
  filter: { ByCreatedAfter?: Date; ByResourceArn?: string },
): Promise<RecoveryPointByBackupVault[]> {
  const points: RecoveryPointByBackupVault[] = [];
  const pages = paginateListRecoveryPointsByBackupVault(
    { client: backup, pageSize: 1000 },
    { BackupVaultName: vaultName, ...filter },
  );
  for await (const page of pages) {
    for (const point of page.RecoveryPoints ?? []) if (point.Status === 'COMPLETED' && point.CreationDate) points.push(point);
  }
  return points;
}

/** The newest CreationDate per resource ARN. */
function newestByResource(points: readonly RecoveryPointByBackupVault[]): Map<string, Date> {
  const newest = new Map<string, Date>();
  for (const point of points) {
    const [arn, created] = [point.ResourceArn, point.CreationDate];
    if (!arn || !created) continue;
    const known = newest.get(arn);
    if (!known || created > known) newest.set(arn, created);
  }
  return newest;
}

async function recoveryPointsOutcome(context: VerifyContext): Promise<CheckOutcome> {
  const { backupVault, backupPlan } = context.settings;
  const aws = context.clients.aws;
  if (!backupVault || !backupPlan || !aws) {
    return skipped(NO_AWS_BACKUP, "none here; on AWS the tagged resources are compared with the vault's recovery points");
  }
  const now = context.now();
  const interval = scheduleInterval(parseAwsCron(backupPlan.schedule, 'backupPlan.schedule'), now);
  const tag = `${backupPlan.tagKey}=${backupPlan.tagValue}`;
  if (!interval) {
    return {
      status: 'FAIL',
      summary: `the backup plan's schedule ${backupPlan.schedule} fires fewer than twice within a year of now: no interval, and no fresh recovery points to expect`,
      evidence: { schedule: backupPlan.schedule },
      remediation: 'set backupPlan.schedule to a recurring cron(...) expression and deploy the primary account stack',
    };
  }
  const cutoff = new Date(now.getTime() - interval.intervalMs - RECOVERY_POINT_SLACK_MS);
  const resources = await taggedResources(aws.verifyTagging, backupPlan);
  // One listing of the vault since the cutoff answers for every fresh resource; only the resources without a
  // fresh copy (the first FINDINGS_SHOWN of them) are looked up one by one, to say how old their newest is.
  const recent = await completedRecoveryPoints(aws.auditorBackup, backupVault.name, { ByCreatedAfter: cutoff });
  const fresh = newestByResource(recent.filter((p) => p.CreationDate && p.CreationDate > cutoff));
  const lacking = resources.filter((arn) => !fresh.has(arn));
  const findings: string[] = [];
  let stale = 0;
  let none = 0;
  for (const [i, arn] of lacking.entries()) {
    if (i >= FINDINGS_SHOWN) {
      findings.push(`${arn}: no COMPLETED recovery point since ${utc(cutoff)}`);
      continue;
    }
    const newest = newestByResource(
      await completedRecoveryPoints(aws.auditorBackup, backupVault.name, { ByResourceArn: arn }),
    ).get(arn);
    if (newest) {
      stale += 1;
      findings.push(
        `${arn}: newest COMPLETED recovery point ${utc(newest)} (${span(now.getTime() - newest.getTime())} ago), older than ${utc(cutoff)}`,
      );
    } else {
      none += 1;
      findings.push(`${arn}: no COMPLETED recovery point in ${backupVault.name}`);
    }
  }
  const evidence = {
    tag,
    schedule: backupPlan.schedule,
    intervalHours: hours(interval.intervalMs),
    slackHours: hours(RECOVERY_POINT_SLACK_MS),
    freshAfter: utc(cutoff),
    taggedResources: resources.length,
    fresh: resources.length - lacking.length,
    stale,
    none,
    notLookedUp: Math.max(0, lacking.length - FINDINGS_SHOWN),
    recentRecoveryPointsListed: recent.length,
  };
  const window = `the plan's interval (${span(interval.intervalMs)}) plus ${span(RECOVERY_POINT_SLACK_MS)}`;
  if (resources.length === 0) {
    return {
      status: 'WARN',
      summary: `no resource of the backed-up types carries the tag ${tag}: AWS Backup backs up nothing in this account`,
      evidence,
      remediation: `tag every EBS volume, EC2 instance, RDS database, DynamoDB table and EFS file system to back up with ${tag}`,
    };
  }
  if (lacking.length > 0) {
    return {
      status: 'FAIL',
      summary: `${lacking.length} of ${resources.length} resources tagged ${tag} have no COMPLETED recovery point in ${backupVault.name} within ${window}`,
      evidence,
      findings,
      remediation:
        'read the failed backup and copy jobs of those resources (aws backup list-copy-jobs --by-state FAILED) in the primary account, fix the cause, then start an on-demand backup',
    };
  }
  return pass(
    `all ${resources.length} resources tagged ${tag} have a COMPLETED recovery point in ${backupVault.name} created within ${window}`,
    'the backup plan and its cross-account copy keep it passing; a failed backup or copy job is e-mailed to the alerts topic',
    evidence,
  );
}
