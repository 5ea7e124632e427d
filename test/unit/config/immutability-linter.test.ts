import { IMMUTABILITY_RULES, lintImmutability } from '../../../lib/config/immutability-linter';
import { parseConfig } from '../../../lib/config/load';
import { exampleConfig, exampleInput, exampleWith, refusal } from '../../support/config';

describe('immutability linter', () => {
  it('finds nothing in the committed example', () => {
    expect(lintImmutability(exampleConfig())).toEqual([]);
  });

  // Each row: the weakening, then the rule that must refuse it and the field it must name.
  const weakenings: Array<[string, unknown, string, string, string]> = [
    [
      'GOVERNANCE mode',
      exampleWith('vault.objectLock.mode', 'GOVERNANCE'),
      'VaultLockModeIsCompliance',
      'vault.objectLock.mode: received "GOVERNANCE", expected "COMPLIANCE"',
      's3:BypassGovernanceRetention',
    ],
    [
      'zero-day retention',
      exampleWith('vault.objectLock.retentionDays', 0),
      'VaultRetentionAboveFloor',
      'vault.objectLock.retentionDays: received 0, expected at least 1 day(s)',
      'short retention is a short-lived backup',
    ],
    [
      'retention under a raised floor',
      (() => {
        const c = exampleWith('guardrails', { minRetentionDays: 90 });
        return c;
      })(),
      'VaultRetentionAboveFloor',
      'vault.objectLock.retentionDays: received 30, expected at least 90 day(s)',
      'short retention',
    ],
    [
      'floor lowered below the built-in one',
      exampleWith('guardrails', { minRetentionDays: 0 }),
      'RetentionFloorNotLowered',
      'guardrails.minRetentionDays: received 0, expected at least the built-in floor of 1 day',
      'zero-day retention',
    ],
    [
      'Vault Lock grace of one day',
      exampleWith('backupVault.lock.changeableForDays', 1),
      'VaultLockGracePeriodAtLeastThreeDays',
      'backupVault.lock.changeableForDays: received 1, expected at least 3 days',
      'AWS Backup refuses',
    ],
    [
      'Vault Lock minimum under the floor',
      exampleWith('backupVault.lock.minRetentionDays', 0),
      'BackupVaultRetentionAboveFloor',
      'backupVault.lock.minRetentionDays: received 0, expected at least 1 day(s)',
      'deleted sooner',
    ],
    [
      'copy retention outside the lock range',
      exampleWith('backupPlan.retentionDays', 400),
      'BackupPlanRetentionWithinVaultLock',
      'backupPlan.retentionDays: received 400, expected a value from backupVault.lock.minRetentionDays (7) to maxRetentionDays (365)',
      'silently stop',
    ],
    [
      'backup account equal to a primary account',
      exampleWith('primaryAccounts[0].accountId', '111111111111'),
      'BackupAccountSeparateFromPrimaries',
      'primaryAccounts[0].accountId: received "111111111111", expected an account other than backupAccount.accountId (111111111111)',
      'Code Spaces',
    ],
    [
      'the vault bucket as a source',
      exampleWith('primaryAccounts[0].sources[2]', { bucket: 'strongroom-vault-111111111111-eu-west-1' }),
      'VaultIsNeitherSourceNorRestoreTarget',
      'primaryAccounts[0].sources[2].bucket: received "strongroom-vault-111111111111-eu-west-1", expected a bucket other than the vault\'s own',
      'only path from a primary account is append',
    ],
    [
      'the vault log bucket as a restore target',
      exampleWith('primaryAccounts[0].restoreTargets', ['acme-prod-restore', 'strongroom-vault-logs-111111111111-eu-west-1']),
      'VaultIsNeitherSourceNorRestoreTarget',
      'primaryAccounts[0].restoreTargets[1]: received "strongroom-vault-logs-111111111111-eu-west-1", expected a bucket other than the vault\'s own',
      'reads or writes on the vault',
    ],
    [
      'a source key in the backup account',
      exampleWith(
        'primaryAccounts[0].sources[0].kmsKeyArn',
        'arn:aws:kms:eu-west-1:111111111111:key/0f4c1a7e-1111-2222-3333-444455556666',
      ),
      'SourceKeysOutsideBackupAccount',
      'primaryAccounts[0].sources[0].kmsKeyArn: received "arn:aws:kms:eu-west-1:111111111111:key/0f4c1a7e-1111-2222-3333-444455556666", expected a key outside the backup account (111111111111)',
      'beyond its three roles',
    ],
    [
      'deletable customer key',
      exampleWith('vault.encryption', { type: 'SSE_KMS', denyKeyDeletion: false }),
      'KmsKeyDeletionDenied',
      'vault.encryption.denyKeyDeletion: received false, expected true',
      'delete button',
    ],
    [
      'break-glass named like the ingest role',
      exampleWith('backupAccount.breakGlassRoleName', 'strongroom-ingest-222222222222'),
      'BreakGlassIsNotAPipelineRole',
      'backupAccount.breakGlassRoleName: received "strongroom-ingest-222222222222", expected a role name other than the deploy role',
      'exempt from every deny',
    ],
    [
      'break-glass named like the reserved evidence writer',
      exampleWith('backupAccount.breakGlassRoleName', 'strongroom-evidence-writer-222222222222'),
      'BreakGlassIsNotAPipelineRole',
      'backupAccount.breakGlassRoleName: received "strongroom-evidence-writer-222222222222", expected a role name other than the deploy role',
      'exempt from every deny',
    ],
    [
      'break-glass named like the deploy role',
      exampleWith('backupAccount.breakGlassRoleName', 'cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1'),
      'BreakGlassIsNotAPipelineRole',
      'backupAccount.breakGlassRoleName',
      'exempt from every deny',
    ],
  ];

  it.each(weakenings)('refuses %s, naming the field and the risk', (_what, raw, rule, problem, risk) => {
    const error = refusal(raw);
    const line = error.message.split('\n').find((l) => l.includes(`[${rule}]`));
    expect(line).toBeDefined();
    expect(line).toContain(problem);
    expect(line).toContain(`Risk: `);
    expect(line).toContain(risk);
  });

  it('lists every weakening of one config together', () => {
    const input = exampleInput();
    input.vault.objectLock.mode = 'GOVERNANCE';
    input.vault.objectLock.retentionDays = 0;
    input.backupVault.lock.changeableForDays = 1;
    input.primaryAccounts[0].accountId = input.backupAccount.accountId;
    const rules = refusal(input).problems.map((p) => p.rule);
    expect(rules).toEqual(
      expect.arrayContaining([
        'VaultLockModeIsCompliance',
        'VaultRetentionAboveFloor',
        'VaultLockGracePeriodAtLeastThreeDays',
        'BackupAccountSeparateFromPrimaries',
      ]),
    );
  });

  it('accepts a customer key whose deletion is denied, and a raised floor that every retention meets', () => {
    const raw = exampleInput();
    raw.vault.encryption = { type: 'SSE_KMS', denyKeyDeletion: true };
    raw.guardrails = { minRetentionDays: 30 };
    raw.backupVault.lock.minRetentionDays = 30;
    expect(() => parseConfig(raw)).not.toThrow();
  });

  it('gives every rule a distinct id and a one-sentence risk', () => {
    const ids = IMMUTABILITY_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of IMMUTABILITY_RULES) {
      expect(rule.risk.length).toBeGreaterThan(40);
      expect(rule.risk).not.toMatch(/\.\s+[A-Z]/); // one sentence
    }
  });
});
