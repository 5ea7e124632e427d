import { type PolicyDocument, policy } from '../../lib/policy/document';
import { arns } from '../../lib/policy/model';
import { backupAccountScp, renderScp } from '../../lib/policy/scp';
import { vaultBucketPolicy } from '../../lib/policy/vault-bucket';
import {
  type Actor,
  actors,
  BACKUP_ACCOUNT,
  backupAccountScps,
  backupVaultArn,
  cases,
  model,
  PRIMARY_ACCOUNT,
  prove,
  type Scenario,
  simulate,
  vaultBucketArn,
  vaultKeyArn,
  withoutStatement,
} from './simulate';

/*
 * The emitted SCP, attached to the backup account under FullAWSAccess, with no resource policy
 * unless a row needs one: these rows prove what the SCP stops on its own.
 *
 * The root user: S3 always lets the bucket owner's root replace or delete the bucket policy,
 * whatever the policy says. The simulator does not know this and lets the bucket policy's Deny
 * stop root, so the rows about root leave the bucket policy out (modelling AWS): only the SCP
 * stops root, and the rows prove that it does.
 */

const scp = backupAccountScp(model);
const scps = backupAccountScps({ name: 'StrongroomBackupAccount', policy: scp });
const root = actors.backupRoot;
const ingestRoleArn = arns.role(model, BACKUP_ACCOUNT, model.roleNames.ingest(PRIMARY_ACCOUNT));
const restoreReaderRoleArn = arns.role(model, BACKUP_ACCOUNT, model.roleNames.restoreReader(PRIMARY_ACCOUNT));
/** Reserved, not created: the vault's policy exempts this name from the report-write deny. */
const evidenceWriterRoleArn = arns.role(model, BACKUP_ACCOUNT, model.roleNames.evidenceWriter(PRIMARY_ACCOUNT));
/** A key whose policy merely delegates to IAM (the KMS default): the SCP must hold even there. */
const defaultKeyPolicy = policy({
  Sid: 'EnableIamUserPermissions',
  Effect: 'Allow',
  Principal: { AWS: arns.accountRoot(model, BACKUP_ACCOUNT) },
  Action: 'kms:*',
  Resource: '*',
});

const denied = (principal: Scenario['principal'], action: string, resource: string, sid: string): Scenario => ({
  principal,
  action,
  resource,
  expected: 'ExplicitlyDenied',
  reason: `scp:${sid}`,
  blockedBy: ['scp'],
});
const allowed = (principal: Scenario['principal'], action: string, resource: string): Scenario => ({
  principal,
  action,
  resource,
  expected: 'Allowed',
  reason: [principal === root ? 'identity:RootUser' : 'identity:AdministratorAccess', 'scp:FullAWSAccess'],
});

describe('backup-account SCP: what no resource policy can stop', () => {
  const rows: Scenario[] = [
    denied(root, 's3:PutBucketPolicy', vaultBucketArn, 'DenyVaultPolicyReplacementIncludingRoot'),
    denied(root, 's3:DeleteBucketPolicy', vaultBucketArn, 'DenyVaultPolicyReplacementIncludingRoot'),
    denied(actors.backupAdmin, 's3:PutBucketPolicy', vaultBucketArn, 'DenyVaultPolicyReplacementIncludingRoot'),
    allowed(actors.deployRole, 's3:PutBucketPolicy', vaultBucketArn),
    allowed(actors.breakGlass, 's3:PutBucketPolicy', vaultBucketArn),
    denied(root, 's3:PutBucketObjectLockConfiguration', vaultBucketArn, 'DenyVaultBucketReconfiguration'),
    denied(root, 's3:PutLifecycleConfiguration', vaultBucketArn, 'DenyVaultBucketReconfiguration'),
    denied(actors.deployRole, 's3:PutBucketObjectLockConfiguration', vaultBucketArn, 'DenyVaultBucketReconfiguration'),
    denied(actors.backupAdmin, 's3:DeleteBucket', vaultBucketArn, 'DenyVaultBucketReconfiguration'),
    allowed(actors.breakGlass, 's3:PutLifecycleConfiguration', vaultBucketArn),
    // Leaving the organization would shed the SCP itself: nobody, break-glass included.
    denied(root, 'organizations:LeaveOrganization', '*', 'DenyLeavingOrganization'),
    denied(actors.backupAdmin, 'organizations:LeaveOrganization', '*', 'DenyLeavingOrganization'),
    denied(actors.breakGlass, 'organizations:LeaveOrganization', '*', 'DenyLeavingOrganization'),
    // Vault Lock can be removed during its grace period; the SCP closes that window.
    denied(root, 'backup:DeleteBackupVaultLockConfiguration', backupVaultArn, 'DenyVaultLockRemovalAndVaultDeletion'),
    denied(
      actors.backupAdmin,
      'backup:DeleteBackupVaultLockConfiguration',
      backupVaultArn,
      'DenyVaultLockRemovalAndVaultDeletion',
    ),
    denied(actors.backupAdmin, 'backup:PutBackupVaultLockConfiguration', backupVaultArn, 'DenyVaultLockRemovalAndVaultDeletion'),
    denied(actors.backupAdmin, 'backup:DeleteBackupVault', backupVaultArn, 'DenyVaultLockRemovalAndVaultDeletion'),
    allowed(actors.breakGlass, 'backup:DeleteBackupVaultLockConfiguration', backupVaultArn),
    denied(actors.backupAdmin, 'iam:UpdateAssumeRolePolicy', ingestRoleArn, 'DenyVaultRoleTampering'),
    denied(actors.backupAdminUser, 'iam:PutRolePolicy', restoreReaderRoleArn, 'DenyVaultRoleTampering'),
    denied(root, 'iam:AttachRolePolicy', restoreReaderRoleArn, 'DenyVaultRoleTampering'),
    allowed(actors.deployRole, 'iam:UpdateAssumeRolePolicy', ingestRoleArn),
    // Whoever created a role of the reserved name first could file reports in the vault.
    denied(actors.backupAdmin, 'iam:CreateRole', evidenceWriterRoleArn, 'DenyVaultRoleTampering'),
    denied(root, 'iam:CreateRole', evidenceWriterRoleArn, 'DenyVaultRoleTampering'),
    denied(actors.backupAdminUser, 'iam:PutRolePolicy', evidenceWriterRoleArn, 'DenyVaultRoleTampering'),
    allowed(actors.deployRole, 'iam:CreateRole', evidenceWriterRoleArn),
    allowed(actors.breakGlass, 'iam:CreateRole', evidenceWriterRoleArn),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { serviceControlPolicies: scps }));

  // Key deletion: denied to everyone, even on a key whose own policy would allow it.
  const keyRows: Scenario[] = [root, actors.backupAdmin, actors.deployRole, actors.breakGlass].flatMap((who) => [
    denied(who, 'kms:ScheduleKeyDeletion', vaultKeyArn, 'DenyKeyDeletion'),
    denied(who, 'kms:DisableKey', vaultKeyArn, 'DenyKeyDeletion'),
  ]);
  it.each(cases(keyRows))('%s', async (_title, row) =>
    prove(row, { serviceControlPolicies: scps, resourcePolicy: defaultKeyPolicy }),
  );

  it('root replacing the vault bucket policy is blocked by the SCP (with the bucket policy present too)', async () => {
    // The simulator's view with the real bucket policy: it also lists the bucket-policy Deny, which
    // AWS would not apply to root. What matters is that the SCP layer blocks on its own.
    const outcome = await simulate({
      actor: root,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      resourcePolicy: vaultBucketPolicy(model),
      serviceControlPolicies: scps,
    });
    expect(outcome.result).toBe('ExplicitlyDenied');
    expect(outcome.blockedBy).toContain('scp');
    expect(outcome.because).toContain('scp:DenyVaultPolicyReplacementIncludingRoot');
  });

  it('fits within the size AWS accepts for an SCP', () => {
    expect(() => renderScp(scp)).not.toThrow();
  });
});

describe('backup-account SCP guards', () => {
  // Without the statement, the same request goes through: each row above rests on its statement.
  const guards: { sid: string; actor: Actor; action: string; resource: string; resourcePolicy?: PolicyDocument }[] = [
    { sid: 'DenyVaultPolicyReplacementIncludingRoot', actor: root, action: 's3:PutBucketPolicy', resource: vaultBucketArn },
    { sid: 'DenyLeavingOrganization', actor: root, action: 'organizations:LeaveOrganization', resource: '*' },
    {
      sid: 'DenyVaultLockRemovalAndVaultDeletion',
      actor: actors.backupAdmin,
      action: 'backup:DeleteBackupVaultLockConfiguration',
      resource: backupVaultArn,
    },
    {
      sid: 'DenyKeyDeletion',
      actor: actors.backupAdmin,
      action: 'kms:ScheduleKeyDeletion',
      resource: vaultKeyArn,
      resourcePolicy: defaultKeyPolicy,
    },
    { sid: 'DenyVaultRoleTampering', actor: actors.backupAdmin, action: 'iam:UpdateAssumeRolePolicy', resource: ingestRoleArn },
    { sid: 'DenyVaultRoleTampering', actor: actors.backupAdmin, action: 'iam:CreateRole', resource: evidenceWriterRoleArn },
  ];
  it.each(guards.map((g) => [g.sid, g] as const))('without %s the request goes through', async (sid, g) => {
    const { sid: _sid, ...request } = g;
    expect(await simulate({ ...request, serviceControlPolicies: scps })).toEqual({
      result: 'ExplicitlyDenied',
      because: [`scp:${sid}`],
      blockedBy: ['scp'],
    });
    const weakened = backupAccountScps({ name: 'StrongroomBackupAccount', policy: withoutStatement(scp, sid) });
    expect(await simulate({ ...request, serviceControlPolicies: weakened })).toMatchObject({ result: 'Allowed', blockedBy: [] });
  });
});
