import { backupVaultAccessPolicy } from '../../lib/policy/backup-vault';
import {
  actors,
  backupVaultArn,
  cases,
  model,
  OTHER_PRIMARY_ACCOUNT,
  PRIMARY_ACCOUNT,
  prove,
  recoveryPointArn,
  roleSession,
  type Scenario,
  simulate,
  UNRELATED_ACCOUNT,
  withoutStatement,
} from './simulate';

/*
 * The AWS Backup vault's access policy alone (Vault Lock is not modelled by the simulator: in
 * compliance mode it refuses early deletion of a recovery point whoever asks, as Object Lock does
 * for the bucket). Cross-account copies are made by AWS Backup with the source account's backup
 * role, which AWSBackupServiceRolePolicyForBackup lets copy into any vault.
 */

const accessPolicy = backupVaultAccessPolicy(model);
const copyAnywhere = {
  name: 'AWSBackupServiceRolePolicyForBackup',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Sid: 'CopyIntoVaults', Effect: 'Allow', Action: 'backup:CopyIntoBackupVault', Resource: '*' }],
  },
};
const backupServiceRole = (account: string) =>
  roleSession(
    `AWSBackupDefaultServiceRole(${account.slice(0, 3)})`,
    account,
    'AWSBackupDefaultServiceRole',
    [copyAnywhere],
    'copy-job',
  );

const copyIn = ['identity:CopyIntoVaults', 'resource:AllowCopyIntoVaultFromPrimaryAccounts'];
const deniedDeletion = 'resource:DenyRecoveryPointDeletionExceptBreakGlass';
const rows: Scenario[] = [
  {
    principal: backupServiceRole(PRIMARY_ACCOUNT),
    action: 'backup:CopyIntoBackupVault',
    resource: backupVaultArn,
    expected: 'Allowed',
    reason: copyIn,
  },
  {
    principal: backupServiceRole(OTHER_PRIMARY_ACCOUNT),
    action: 'backup:CopyIntoBackupVault',
    resource: backupVaultArn,
    expected: 'Allowed',
    reason: copyIn,
  },
  {
    principal: backupServiceRole(UNRELATED_ACCOUNT),
    action: 'backup:CopyIntoBackupVault',
    resource: backupVaultArn,
    expected: 'ImplicitlyDenied',
    reason: 'implicit:resource',
  },
  {
    principal: actors.backupAdmin,
    action: 'backup:DeleteRecoveryPoint',
    resource: recoveryPointArn,
    expected: 'ExplicitlyDenied',
    reason: deniedDeletion,
    blockedBy: ['resource'],
  },
  {
    principal: actors.backupAdmin,
    action: 'backup:UpdateRecoveryPointLifecycle',
    resource: recoveryPointArn,
    expected: 'ExplicitlyDenied',
    reason: deniedDeletion,
    blockedBy: ['resource'],
  },
  {
    principal: actors.backupRoot,
    action: 'backup:DeleteRecoveryPoint',
    resource: recoveryPointArn,
    expected: 'ExplicitlyDenied',
    reason: deniedDeletion,
    blockedBy: ['resource'],
  },
  {
    principal: actors.primaryAdmin,
    action: 'backup:DeleteRecoveryPoint',
    resource: recoveryPointArn,
    expected: 'ExplicitlyDenied',
    reason: deniedDeletion,
  },
  // The access policy does not stand in break-glass's way; Vault Lock still does.
  {
    principal: actors.breakGlass,
    action: 'backup:DeleteRecoveryPoint',
    resource: recoveryPointArn,
    expected: 'Allowed',
    reason: 'identity:AdministratorAccess',
  },
  {
    principal: actors.backupAdmin,
    action: 'backup:DeleteBackupVault',
    resource: backupVaultArn,
    expected: 'ExplicitlyDenied',
    reason: 'resource:DenyVaultDeletionExceptBreakGlass',
    blockedBy: ['resource'],
  },
  {
    principal: actors.backupAdmin,
    action: 'backup:DeleteBackupVaultAccessPolicy',
    resource: backupVaultArn,
    expected: 'ExplicitlyDenied',
    reason: 'resource:DenyVaultDeletionExceptBreakGlass',
    blockedBy: ['resource'],
  },
  {
    principal: actors.backupAdmin,
    action: 'backup:PutBackupVaultAccessPolicy',
    resource: backupVaultArn,
    expected: 'ExplicitlyDenied',
    reason: 'resource:DenyAccessPolicyChangesExceptBreakGlassAndDeployer',
    blockedBy: ['resource'],
  },
  {
    principal: actors.deployRole,
    action: 'backup:PutBackupVaultAccessPolicy',
    resource: backupVaultArn,
    expected: 'Allowed',
    reason: 'identity:AdministratorAccess',
  },
  {
    principal: actors.primaryAdmin,
    action: 'backup:PutBackupVaultAccessPolicy',
    resource: backupVaultArn,
    expected: 'ExplicitlyDenied',
    reason: 'resource:DenyAccessPolicyChangesExceptBreakGlassAndDeployer',
  },
];

describe('AWS Backup vault access policy', () => {
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: accessPolicy }));
});

describe('AWS Backup vault access policy guards', () => {
  it.each([
    ['DenyRecoveryPointDeletionExceptBreakGlass', 'backup:DeleteRecoveryPoint', recoveryPointArn],
    ['DenyVaultDeletionExceptBreakGlass', 'backup:DeleteBackupVault', backupVaultArn],
    ['DenyAccessPolicyChangesExceptBreakGlassAndDeployer', 'backup:PutBackupVaultAccessPolicy', backupVaultArn],
  ])('without %s the backup admin may %s', async (sid, action, resource) => {
    const request = { actor: actors.backupAdmin, action, resource };
    expect(await simulate({ ...request, resourcePolicy: accessPolicy })).toEqual({
      result: 'ExplicitlyDenied',
      because: [`resource:${sid}`],
      blockedBy: ['resource'],
    });
    expect(await simulate({ ...request, resourcePolicy: withoutStatement(accessPolicy, sid) })).toEqual({
      result: 'Allowed',
      because: ['identity:AdministratorAccess'],
      blockedBy: [],
    });
  });
});
