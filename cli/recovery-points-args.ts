import { checkAwsFlags, Problems } from './args';

/*
 * The flags of `strongroom recovery-points list|restore`, checked in one place like cli/args.ts: every problem
 * is collected, and each names the flag, the value received and what was expected (exit 2).
 */

/** Where the backup account's calls go: a profile, or a role assumed from it (with its external id). */
export interface BackupAccountFlags {
  readonly vault?: string;
  readonly name?: string;
  readonly config?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
  readonly json?: boolean;
}

export interface ListFlags extends BackupAccountFlags {
  readonly resource?: string;
}

export interface RestoreRpFlags extends BackupAccountFlags {
  readonly recoveryPoint?: string;
  readonly sourceAccount?: string;
  readonly iamRoleArn?: string;
  readonly copyRoleArn?: string;
  readonly destinationVaultArn?: string;
  readonly primaryProfile?: string;
  readonly metadata?: readonly string[];
  readonly resourceType?: string;
  readonly pollSeconds?: string;
  readonly yes?: boolean;
}

/** The backup-account flags once checked: `vault` undefined means `<name>-vault` once the name is known. */
export type BackupAccountTarget = Omit<BackupAccountFlags, 'json'> & { readonly json: boolean };

export interface ListArgs extends BackupAccountTarget {
  readonly resource: string;
}

export interface RestoreRpArgs extends BackupAccountTarget {
  readonly recoveryPoint: string;
  /** The region of the recovery point's ARN: copy and restore happen there. */
  readonly recoveryPointRegion: string;
  readonly sourceAccount: string;
  readonly iamRoleArn: string;
  readonly copyRoleArn: string;
  readonly destinationVaultArn?: string;
  readonly primaryProfile?: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly resourceType?: string;
  readonly pollMs: number;
  readonly yes: boolean;
}

const PARTITION = 'aws[a-z-]*';
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const ACCOUNT = /^\d{12}$/;
const VAULT_NAME = /^[A-Za-z0-9_.-]{2,50}$/;
const ROLE_ARN = new RegExp(`^arn:${PARTITION}:iam::(\\d{12}):role/[\\w+=,.@/-]{1,512}$`);
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** A resource the plan backs up (cross-account-backup-plan.ts BACKUP_RESOURCE_PATTERNS). */
export const RESOURCE_ARN = new RegExp(
  `^arn:${PARTITION}:(ec2|rds|dynamodb|elasticfilesystem):([a-z0-9-]+):(\\d{12}):(volume/|instance/|db:|cluster:|table/|file-system/)\\S+$`,
);
/** A recovery point: AWS Backup's own, or an EBS/EC2 snapshot or image, or an RDS snapshot. */
export const RECOVERY_POINT_ARN = new RegExp(
  `^arn:${PARTITION}:(backup|ec2|rds):([a-z0-9-]+):(\\d{12})?:(recovery-point:|snapshot/|image/|snapshot:|cluster-snapshot:)\\S+$`,
);
const BACKUP_VAULT_ARN = new RegExp(`^arn:${PARTITION}:backup:([a-z0-9-]+):(\\d{12}):backup-vault:[A-Za-z0-9_.-]{2,50}$`);
const METADATA = /^([A-Za-z][A-Za-z0-9_.-]{0,127})=(.*)$/s;

export const RESOURCE_EXPECTED =
  'the ARN of a backed-up resource: an EBS volume, EC2 instance, RDS instance or cluster, DynamoDB table or EFS file ' +
  'system, e.g. "arn:aws:ec2:eu-west-1:222222222222:volume/vol-0abc1234"';
export const RECOVERY_POINT_EXPECTED =
  'a recovery point ARN of the locked vault, as `strongroom recovery-points list` prints it, e.g. ' +
  '"arn:aws:backup:eu-west-1:111111111111:recovery-point:1a2b3c4d-..." or "arn:aws:ec2:eu-west-1::snapshot/snap-0abc"';
export const METADATA_EXPECTED =
  'at least one --metadata key=value: the restore metadata the resource type requires (AWS Backup documents it per ' +
  'type, e.g. EBS "availabilityZone=eu-west-1a", RDS "DBInstanceIdentifier=acme-restored"); ' +
  '`aws backup get-recovery-point-restore-metadata` shows what the backup recorded. Strongroom does not guess it';

function backupAccount(problems: Problems, flags: BackupAccountFlags): BackupAccountTarget {
  if (flags.vault !== undefined && !VAULT_NAME.test(flags.vault))
    problems.add('--vault', flags.vault, 'an AWS Backup vault name: 2-50 of letters, digits, "-", "_" and "."');
  checkAwsFlags(problems, flags);
  if (flags.roleArn !== undefined && !ROLE_ARN.test(flags.roleArn))
    problems.add(
      '--role-arn',
      flags.roleArn,
      'an IAM role ARN in the backup account, e.g. "arn:aws:iam::111111111111:role/strongroom-auditor-222222222222"',
    );
  if (flags.externalId !== undefined) {
    if (flags.roleArn === undefined)
      problems.add('--external-id', flags.externalId, 'only with --role-arn (the external id of the role to assume)');
    else if (!EXTERNAL_ID.test(flags.externalId))
      problems.add('--external-id', flags.externalId, 'an STS external id: 2-1224 of letters, digits and +=,.@:/-_');
  }
  return {
    ...(flags.vault !== undefined ? { vault: flags.vault } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(flags.config !== undefined ? { config: flags.config } : {}),
    ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
    ...(flags.region !== undefined ? { region: flags.region } : {}),
    ...(flags.roleArn !== undefined ? { roleArn: flags.roleArn } : {}),
    ...(flags.externalId !== undefined ? { externalId: flags.externalId } : {}),
    json: flags.json === true,
  };
}

export function parseListArgs(flags: ListFlags): ListArgs {
  const problems = new Problems();
  if (flags.resource === undefined) problems.add('--resource', undefined, RESOURCE_EXPECTED);
  else if (!RESOURCE_ARN.test(flags.resource)) problems.add('--resource', flags.resource, RESOURCE_EXPECTED);
  const target = backupAccount(problems, flags);
  problems.throwIfAny();
  return { ...target, resource: flags.resource as string };
}

export function parseRestoreRpArgs(flags: RestoreRpFlags): RestoreRpArgs {
  const problems = new Problems();
  const point = flags.recoveryPoint === undefined ? null : RECOVERY_POINT_ARN.exec(flags.recoveryPoint);
  if (!point) problems.add('--recovery-point', flags.recoveryPoint, RECOVERY_POINT_EXPECTED);
  const region = point?.[2] ?? '';
  if (point && flags.region !== undefined && REGION.test(flags.region) && flags.region !== region)
    problems.add('--region', flags.region, `the recovery point's region (${region}): copy and restore stay in one region`);
  if (flags.sourceAccount === undefined || !ACCOUNT.test(flags.sourceAccount))
    problems.add('--source-account', flags.sourceAccount, 'the primary account id the resource came from: 12 digits');
  const role = (flag: string, value: string | undefined, expected: string, account?: string): void => {
    const m = value === undefined ? null : ROLE_ARN.exec(value);
    if (!m) problems.add(flag, value, expected);
    else if (account !== undefined && ACCOUNT.test(account) && m[1] !== account)
      problems.add(flag, value, `${expected} (its account is ${m[1]}, not ${account})`);
  };
  role(
    '--iam-role-arn',
    flags.iamRoleArn,
    'the primary account\'s AWS Backup service role that runs the restore job, e.g. "arn:aws:iam::222222222222:role/StrongroomPlanServiceRole"',
    flags.sourceAccount,
  );
  role(
    '--copy-role-arn',
    flags.copyRoleArn,
    'a role in the backup account that AWS Backup (backup.amazonaws.com) assumes to copy out of the locked vault; no Strongroom stack creates one, so it must be named',
    point?.[3] || undefined,
  );
  if (flags.destinationVaultArn !== undefined) {
    const m = BACKUP_VAULT_ARN.exec(flags.destinationVaultArn);
    if (!m) problems.add('--destination-vault-arn', flags.destinationVaultArn, 'an AWS Backup vault ARN in the primary account');
    else if (ACCOUNT.test(flags.sourceAccount ?? '') && m[2] !== flags.sourceAccount)
      problems.add(
        '--destination-vault-arn',
        flags.destinationVaultArn,
        `a vault of the primary account ${flags.sourceAccount} (--source-account)`,
      );
    else if (point && m[1] !== region)
      problems.add('--destination-vault-arn', flags.destinationVaultArn, `a vault in the recovery point's region (${region})`);
  }
  if (flags.primaryProfile !== undefined && flags.primaryProfile.trim() === '')
    problems.add('--primary-profile', flags.primaryProfile, 'a profile name of the AWS shared config, for the primary account');
  const metadata: Record<string, string> = {};
  if (!flags.metadata || flags.metadata.length === 0) problems.add('--metadata', undefined, METADATA_EXPECTED);
  for (const pair of flags.metadata ?? []) {
    const m = METADATA.exec(pair);
    if (!m) problems.add('--metadata', pair, 'key=value, the key a restore metadata name such as "availabilityZone"');
    else if ((m[1] as string) in metadata) problems.add('--metadata', pair, `each key once ("${m[1]}" is given twice)`);
    else metadata[m[1] as string] = m[2] as string;
  }
  if (flags.resourceType !== undefined && !/^[A-Za-z][A-Za-z0-9 ]{1,49}$/.test(flags.resourceType))
    problems.add(
      '--resource-type',
      flags.resourceType,
      'an AWS Backup resource type such as "EBS", "RDS", "DynamoDB", "EFS" or "EC2"',
    );
  let pollMs = 10_000;
  if (flags.pollSeconds !== undefined) {
    const n = Number(flags.pollSeconds);
    if (!/^\d+(\.\d+)?$/.test(flags.pollSeconds) || n < 1 || n > 300)
      problems.add('--poll-seconds', flags.pollSeconds, 'seconds between two job status requests: a number from 1 to 300');
    else pollMs = Math.round(n * 1000);
  }
  const target = backupAccount(problems, flags);
  problems.throwIfAny();
  return {
    ...target,
    recoveryPoint: flags.recoveryPoint as string,
    recoveryPointRegion: region,
    sourceAccount: flags.sourceAccount as string,
    iamRoleArn: flags.iamRoleArn as string,
    copyRoleArn: flags.copyRoleArn as string,
    ...(flags.destinationVaultArn !== undefined ? { destinationVaultArn: flags.destinationVaultArn } : {}),
    ...(flags.primaryProfile !== undefined ? { primaryProfile: flags.primaryProfile } : {}),
    metadata,
    ...(flags.resourceType !== undefined ? { resourceType: flags.resourceType } : {}),
    pollMs,
    yes: flags.yes === true,
  };
}
