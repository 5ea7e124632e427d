import { describeValue } from '../../contract/errors';
import { pipelineRoleNames, strongroomNames } from '../naming';
import type { ConfigProblem } from './errors';
import type { StrongroomConfig } from './schema';

/**
 * Synth-time guardrails: refuse any config that would make the vault deletable or weaker than
 * promised, before a single resource is built. One rule per guarantee, each named after what it
 * checks and carrying the risk in one sentence (cdk-nag's habit).
 */
export interface ImmutabilityRule {
  readonly id: string;
  readonly risk: string;
  check(config: StrongroomConfig): Array<Omit<ConfigProblem, 'rule' | 'risk'>>;
}

/** Retention can never be configured below this, whatever `guardrails.minRetentionDays` says. */
export const BUILT_IN_RETENTION_FLOOR_DAYS = 1;
/** AWS Backup's own minimum grace period for a compliance-mode Vault Lock. */
export const MIN_CHANGEABLE_FOR_DAYS = 3;

export const IMMUTABILITY_RULES: readonly ImmutabilityRule[] = [
  {
    id: 'VaultLockModeIsCompliance',
    risk: 'in GOVERNANCE mode anyone granted s3:BypassGovernanceRetention can delete versions or shorten their retention, so one compromised admin of the backup account could erase the vault',
    check: (c) =>
      c.vault.objectLock.mode === 'COMPLIANCE'
        ? []
        : [{ field: 'vault.objectLock.mode', received: describeValue(c.vault.objectLock.mode), expected: '"COMPLIANCE"' }],
  },
  {
    id: 'RetentionFloorNotLowered',
    risk: 'the floor exists so that no config can promise immutability it does not deliver; lowering it would let a zero-day retention through',
    check: (c) =>
      c.guardrails.minRetentionDays >= BUILT_IN_RETENTION_FLOOR_DAYS
        ? []
        : [
            {
              field: 'guardrails.minRetentionDays',
              received: describeValue(c.guardrails.minRetentionDays),
              expected: `at least the built-in floor of ${BUILT_IN_RETENTION_FLOOR_DAYS} day (the floor can be raised, never lowered)`,
            },
          ],
  },
  {
    id: 'VaultRetentionAboveFloor',
    risk: 'versions whose retention has expired can be deleted by whoever controls the backup account, so a short retention is a short-lived backup',
    check: (c) => {
      const floor = Math.max(c.guardrails.minRetentionDays, BUILT_IN_RETENTION_FLOOR_DAYS);
      return c.vault.objectLock.retentionDays >= floor
        ? []
        : [
            {
              field: 'vault.objectLock.retentionDays',
              received: describeValue(c.vault.objectLock.retentionDays),
              expected: `at least ${floor} day(s) (guardrails.minRetentionDays)`,
            },
          ];
    },
  },
  {
    id: 'BackupVaultRetentionAboveFloor',
    risk: 'the Vault Lock would admit recovery points that can be deleted sooner than the guardrails promise',
    check: (c) => {
      const floor = Math.max(c.guardrails.minRetentionDays, BUILT_IN_RETENTION_FLOOR_DAYS);
      return c.backupVault.lock.minRetentionDays >= floor
        ? []
        : [
            {
              field: 'backupVault.lock.minRetentionDays',
              received: describeValue(c.backupVault.lock.minRetentionDays),
              expected: `at least ${floor} day(s) (guardrails.minRetentionDays)`,
            },
          ];
    },
  },
  {
    id: 'VaultLockGracePeriodAtLeastThreeDays',
    risk: 'AWS Backup refuses a compliance-mode Vault Lock with fewer than 3 changeable days, so the deploy would fail and leave the vault unlocked, its recovery points deletable',
    check: (c) =>
      c.backupVault.lock.changeableForDays >= MIN_CHANGEABLE_FOR_DAYS
        ? []
        : [
            {
              field: 'backupVault.lock.changeableForDays',
              received: describeValue(c.backupVault.lock.changeableForDays),
              expected: `at least ${MIN_CHANGEABLE_FOR_DAYS} days`,
            },
          ],
  },
  {
    id: 'BackupPlanRetentionWithinVaultLock',
    risk: 'AWS Backup refuses to copy a recovery point whose retention lies outside the destination Vault Lock range, so every cross-account copy would fail and the backups would silently stop',
    check: (c) => {
      const { minRetentionDays, maxRetentionDays } = c.backupVault.lock;
      const days = c.backupPlan.retentionDays;
      return days >= minRetentionDays && days <= maxRetentionDays
        ? []
        : [
            {
              field: 'backupPlan.retentionDays',
              received: describeValue(days),
              expected: `a value from backupVault.lock.minRetentionDays (${minRetentionDays}) to maxRetentionDays (${maxRetentionDays})`,
            },
          ];
    },
  },
  {
    id: 'BackupAccountSeparateFromPrimaries',
    risk: 'a vault in a primary account is reachable from that account’s console, so whoever deletes the data can delete the backups too (the Code Spaces failure)',
    check: (c) =>
      c.primaryAccounts.flatMap((account, i) =>
        account.accountId === c.backupAccount.accountId
          ? [
              {
                field: `primaryAccounts[${i}].accountId`,
                received: describeValue(account.accountId),
                expected: `an account other than backupAccount.accountId (${c.backupAccount.accountId})`,
              },
            ]
          : [],
      ),
  },
  {
    id: 'VaultIsNeitherSourceNorRestoreTarget',
    risk: "a vault bucket named as a source or restore target would grant a primary account's functions reads or writes on the vault, whose only path from a primary account is append",
    check: (c) => {
      const names = strongroomNames(c);
      const vaultBuckets = [names.vaultBucket, names.vaultLogBucket];
      const expected = `a bucket other than the vault's own (${vaultBuckets.join(', ')})`;
      return c.primaryAccounts.flatMap((account, i) => [
        ...account.sources.flatMap((source, j) =>
          vaultBuckets.includes(source.bucket)
            ? [{ field: `primaryAccounts[${i}].sources[${j}].bucket`, received: describeValue(source.bucket), expected }]
            : [],
        ),
        ...account.restoreTargets.flatMap((target, j) =>
          vaultBuckets.includes(target)
            ? [{ field: `primaryAccounts[${i}].restoreTargets[${j}]`, received: describeValue(target), expected }]
            : [],
        ),
      ]);
    },
  },
  {
    id: 'SourceKeysOutsideBackupAccount',
    risk: "a source key in the backup account would give a primary account's functions rights on a backup-account resource, a path into the vault's account beyond its three roles",
    check: (c) =>
      c.primaryAccounts.flatMap((account, i) =>
        account.sources.flatMap((source, j) =>
          source.kmsKeyArn?.split(':')[4] === c.backupAccount.accountId
            ? [
                {
                  field: `primaryAccounts[${i}].sources[${j}].kmsKeyArn`,
                  received: describeValue(source.kmsKeyArn),
                  expected: `a key outside the backup account (${c.backupAccount.accountId})`,
                },
              ]
            : [],
        ),
      ),
  },
  {
    id: 'KmsKeyDeletionDenied',
    risk: 'a customer key that can be disabled or scheduled for deletion turns encryption into a delete button for every version in the vault',
    check: (c) =>
      c.vault.encryption.type === 'SSE_KMS' && c.vault.encryption.denyKeyDeletion !== true
        ? [
            {
              field: 'vault.encryption.denyKeyDeletion',
              received: describeValue(c.vault.encryption.denyKeyDeletion),
              expected: 'true (or use {"type": "SSE_S3"}, which has no customer key to delete)',
            },
          ]
        : [],
  },
  {
    id: 'BreakGlassIsNotAPipelineRole',
    risk: 'the break-glass role is exempt from every deny, so giving it the name of a role the pipeline assumes would hand those exemptions to every Lambda and to anyone who steals its credentials',
    check: (c) => {
      const names = strongroomNames(c);
      const pipelineRoles = pipelineRoleNames(c);
      const breakGlass = names.breakGlassRole;
      const clash = pipelineRoles.includes(breakGlass) || breakGlass === names.deployRole;
      return clash
        ? [
            {
              field: 'backupAccount.breakGlassRoleName',
              received: describeValue(breakGlass),
              expected: `a role name other than the deploy role and Strongroom's own roles (${pipelineRoles.join(', ')})`,
            },
          ]
        : [];
    },
  },
];

/** Every finding of every rule, each with the rule's id and risk attached. */
export function lintImmutability(config: StrongroomConfig, rules = IMMUTABILITY_RULES): ConfigProblem[] {
  return rules.flatMap((rule) => rule.check(config).map((finding) => ({ ...finding, rule: rule.id, risk: rule.risk })));
}
