import { parseConfig } from '../../lib/config/load';
import { vaultKeyPolicy } from '../../lib/policy/kms';
import { arns, vaultPolicyModel } from '../../lib/policy/model';
import { verifyStatements } from '../../lib/policy/primary-roles';
import { vaultBucketPolicy } from '../../lib/policy/vault-bucket';
import { auditorKeyReads, vaultRolePermissions } from '../../lib/policy/vault-roles';
import { exampleConfig, exampleInput } from '../support/config';
import {
  BACKUP_ACCOUNT,
  cases,
  PRIMARY_ACCOUNT,
  prove,
  roleSession,
  type Scenario,
  simulate,
  vaultKeyArn,
  vaultObject,
  withoutStatement,
} from './simulate';

/*
 * The reads of verify's AWS-only checks (lambda/core/verify/aws-checks*.ts), on the exact documents:
 * the auditor's DescribeKey and GetKeyPolicy on the vault key (SSE_KMS), and the verify function role's
 * tag:GetResources. Each new permission is present, and nothing more: the auditor still cannot read
 * backed-up bytes, delete anything, or change, disable or delete the key.
 */

const kmsInput = exampleInput();
kmsInput.vault.encryption = { type: 'SSE_KMS', denyKeyDeletion: true };
const kmsConfig = parseConfig(kmsInput, 'sse-kms');
const kmsModel = vaultPolicyModel(kmsConfig);
const ALIAS = 'alias/strongroom-vault';

const auditor = roleSession(
  'auditor(222, SSE_KMS)',
  BACKUP_ACCOUNT,
  kmsModel.roleNames.auditor(PRIMARY_ACCOUNT),
  [{ name: 'auditor', policy: vaultRolePermissions(kmsModel, 'auditor', PRIMARY_ACCOUNT) }],
  'strongroom-verify',
);
const keyPolicy = vaultKeyPolicy(kmsModel);
/** The key policy without its grant to the auditors: only the account's delegation to IAM is left. */
const delegatingOnly = withoutStatement(keyPolicy, 'AuditorsInspectKey');
const otherKeyArn = `arn:aws:kms:eu-west-1:${BACKUP_ACCOUNT}:key/9a8b7c6d-0000-1111-2222-333344445555`;
const onKey = (aliases: string[]) => ({ 'kms:CallerAccount': BACKUP_ACCOUNT, 'kms:ResourceAliases': aliases });

const IDENTITY = 'identity:AuditorInspectVaultKey';
const DELEGATES = 'resource:AccountAdministersKey';
const NO_DELETE = 'resource:DenyKeyDeletionAndDisablingToEveryone';

describe("the auditor's reads of the vault key (SSE_KMS)", () => {
  it('are granted only with SSE_KMS, on the keys of the backup account carrying the vault alias', () => {
    expect(auditorKeyReads(vaultPolicyModel(exampleConfig()))).toEqual([]);
    expect(auditorKeyReads(kmsModel)).toEqual([
      {
        Sid: 'AuditorInspectVaultKey',
        Effect: 'Allow',
        Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
        Resource: `arn:aws:kms:eu-west-1:${BACKUP_ACCOUNT}:key/*`,
        Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': ALIAS } },
      },
    ]);
  });

  const rows: Scenario[] = [
    // Present, through the key policy's grant and the role's own statement alike.
    ...['kms:DescribeKey', 'kms:GetKeyPolicy'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: vaultKeyArn,
        context: onKey([ALIAS]),
        expected: 'Allowed',
        reason: [IDENTITY, DELEGATES, 'resource:AuditorsInspectKey'],
      }),
    ),
    // Never a delete button, never a key-policy change, never a decryption.
    ...['kms:ScheduleKeyDeletion', 'kms:DisableKey'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: vaultKeyArn,
        context: onKey([ALIAS]),
        expected: 'ExplicitlyDenied',
        reason: NO_DELETE,
      }),
    ),
    ...['kms:PutKeyPolicy', 'kms:Decrypt', 'kms:CreateGrant', 'kms:DeleteAlias', 'kms:UpdateAlias'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: vaultKeyArn,
        context: onKey([ALIAS]),
        expected: 'ImplicitlyDenied',
        reason: 'implicit:identity',
      }),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: keyPolicy }));

  // The role's own statement, proven alone: a key policy that only delegates to IAM.
  const identityRows: Scenario[] = [
    ...['kms:DescribeKey', 'kms:GetKeyPolicy'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: vaultKeyArn,
        context: onKey([ALIAS]),
        expected: 'Allowed',
        reason: [IDENTITY, DELEGATES],
      }),
    ),
    {
      principal: auditor,
      action: 'kms:DescribeKey',
      resource: otherKeyArn,
      context: onKey(['alias/someone-elses-key']),
      expected: 'ImplicitlyDenied',
      reason: 'implicit:identity',
      note: 'another key of the backup account',
    },
    {
      principal: auditor,
      action: 'kms:GetKeyPolicy',
      resource: otherKeyArn,
      context: onKey([]),
      expected: 'ImplicitlyDenied',
      reason: 'implicit:identity',
      note: 'a key without an alias',
    },
  ];
  it.each(cases(identityRows))('identity statement alone: %s', async (_title, row) =>
    prove(row, { resourcePolicy: delegatingOnly }),
  );

  // Even were the key policy's deny gone, the auditor's own statements would not let it delete, disable,
  // re-police or use the key.
  const withoutDeny = withoutStatement(delegatingOnly, 'DenyKeyDeletionAndDisablingToEveryone');
  const noDenyRows = ['kms:ScheduleKeyDeletion', 'kms:DisableKey', 'kms:PutKeyPolicy', 'kms:Decrypt'].map(
    (action): Scenario => ({
      principal: auditor,
      action,
      resource: vaultKeyArn,
      context: onKey([ALIAS]),
      expected: 'ImplicitlyDenied',
      reason: 'implicit:identity',
    }),
  );
  it.each(cases(noDenyRows))('identity statement alone, key-policy deny removed: %s', async (_title, row) =>
    prove(row, { resourcePolicy: withoutDeny }),
  );

  it('guard: without the AuditorInspectVaultKey statement, a key policy that only delegates to IAM refuses the reads', async () => {
    const bare = roleSession('auditor without key reads', BACKUP_ACCOUNT, kmsModel.roleNames.auditor(PRIMARY_ACCOUNT), [
      {
        name: 'auditor',
        policy: withoutStatement(vaultRolePermissions(kmsModel, 'auditor', PRIMARY_ACCOUNT), 'AuditorInspectVaultKey'),
      },
    ]);
    const request = { action: 'kms:DescribeKey', resource: vaultKeyArn, context: onKey([ALIAS]), resourcePolicy: delegatingOnly };
    expect(await simulate({ ...request, actor: bare })).toMatchObject({ result: 'ImplicitlyDenied' });
    expect(await simulate({ ...request, actor: auditor })).toMatchObject({ result: 'Allowed' });
  });
});

describe('the auditor with its key reads still reads no backed-up bytes and deletes nothing in the vault bucket', () => {
  const bucketPolicy = vaultBucketPolicy(kmsModel);
  const object = vaultObject(`objects/${PRIMARY_ACCOUNT}/acme-prod-invoices/2026/invoice-0001.pdf`);
  const rows: Scenario[] = [
    ...['s3:GetObject', 's3:GetObjectVersion'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: object,
        expected: 'ExplicitlyDenied',
        reason: 'resource:DenyDataReadsExceptRestoreReaders',
      }),
    ),
    ...['s3:DeleteObject', 's3:DeleteObjectVersion'].map(
      (action): Scenario => ({
        principal: auditor,
        action,
        resource: object,
        expected: 'ExplicitlyDenied',
        reason: 'resource:DenyObjectDestructionExceptBreakGlass',
      }),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));

  it('the vault bucket policy does not grow with the key reads (they are identity and key-policy side)', () => {
    expect(JSON.stringify(bucketPolicy)).not.toContain('kms:');
    expect(bucketPolicy).toEqual(vaultBucketPolicy({ ...kmsModel, vaultKeyAlias: null }));
  });
});

describe("the verify function role's tag:GetResources", () => {
  const account = kmsConfig.primaryAccounts[0];
  if (!account) throw new Error('the example config has a primary account');
  const verify = roleSession('verify', PRIMARY_ACCOUNT, kmsModel.roleNames.verify, [
    { name: 'verify', policy: { Version: '2012-10-17', Statement: verifyStatements(kmsModel, account) } },
  ]);
  const inPrimary = { resourceAccount: PRIMARY_ACCOUNT };
  const rows: Scenario[] = [
    {
      principal: verify,
      action: 'tag:GetResources',
      resource: '*',
      expected: 'Allowed',
      reason: 'identity:ListTaggedBackupResources',
    },
    // Reading tags is all: no tagging, and nothing of the tagged resources or the vault's recovery points.
    ...['tag:TagResources', 'tag:UntagResources'].map(
      (action): Scenario => ({
        principal: verify,
        action,
        resource: '*',
        expected: 'ImplicitlyDenied',
        reason: 'implicit:identity',
      }),
    ),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, inPrimary));

  it('cannot read the recovery points itself: only the auditor role of the backup account does', async () => {
    expect(
      await simulate({
        actor: verify,
        action: 'backup:ListRecoveryPointsByBackupVault',
        resource: arns.backupVault(kmsModel, BACKUP_ACCOUNT, kmsModel.backupVault),
      }),
    ).toMatchObject({ result: 'ImplicitlyDenied' });
  });
});
