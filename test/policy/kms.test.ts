import { vaultKeyPolicy } from '../../lib/policy/kms';
import { arns } from '../../lib/policy/model';
import {
  type Actor,
  actors,
  BACKUP_ACCOUNT,
  cases,
  model,
  OTHER_PRIMARY_ACCOUNT,
  prove,
  roleSession,
  type Scenario,
  simulate,
  vaultKeyArn,
  withoutStatement,
} from './simulate';

/*
 * The vault key's policy alone (used only with SSE_KMS). KMS sets kms:CallerAccount on every
 * request; a request that S3 makes on the caller's behalf also carries kms:ViaService and
 * aws:ViaAWSService=true, which is how the ingest and restore roles reach the key.
 */

const keyPolicy = vaultKeyPolicy(model);
const direct = (who: Actor) => ({ 'kms:CallerAccount': who.account });
const viaService = (who: Actor, service: string) => ({ ...direct(who), 'kms:ViaService': service, 'aws:ViaAWSService': 'true' });
const viaS3 = (who: Actor) => viaService(who, `s3.${model.region}.amazonaws.com`);

const NO_DELETE = 'resource:DenyKeyDeletionAndDisablingToEveryone';
/*
 * Simulator quirk: for any principal of the backup account it lists the statement that delegates
 * to IAM (Principal: the account root) among the grants, even when the principal's IAM policies
 * grant nothing and a named-role statement is what allows. Same-account rows therefore show both.
 * When nothing allows, the key policy still delegates to IAM, so the missing grant is reported on
 * the identity side only.
 */
const DELEGATES = 'resource:AccountAdministersKey';
const ungranted = 'implicit:identity';
const neighbourIngest = roleSession(
  'ingest(333)',
  BACKUP_ACCOUNT,
  model.roleNames.ingest(OTHER_PRIMARY_ACCOUNT),
  [],
  'strongroom-copier',
);
const { ingest, restoreReader, auditor } = actors;

const rows: Scenario[] = [
  // Threat T5: the key is never a delete button, not even for break-glass or root.
  ...[actors.backupAdmin, actors.backupAdminUser, actors.backupRoot, actors.deployRole, actors.breakGlass].flatMap(
    (who): Scenario[] => [
      {
        principal: who,
        action: 'kms:ScheduleKeyDeletion',
        resource: vaultKeyArn,
        context: direct(who),
        expected: 'ExplicitlyDenied',
        reason: NO_DELETE,
        blockedBy: ['resource'],
      },
      {
        principal: who,
        action: 'kms:DisableKey',
        resource: vaultKeyArn,
        context: direct(who),
        expected: 'ExplicitlyDenied',
        reason: NO_DELETE,
        blockedBy: ['resource'],
      },
    ],
  ),
  {
    principal: actors.primaryAdmin,
    action: 'kms:ScheduleKeyDeletion',
    resource: vaultKeyArn,
    context: direct(actors.primaryAdmin),
    expected: 'ExplicitlyDenied',
    reason: NO_DELETE,
  },
  {
    principal: actors.primaryAdmin,
    action: 'kms:Decrypt',
    resource: vaultKeyArn,
    context: viaS3(actors.primaryAdmin),
    expected: 'ImplicitlyDenied',
    reason: 'implicit:resource',
  },
  // Ingest encrypts only through S3 in the vault's region.
  {
    principal: ingest,
    action: 'kms:GenerateDataKey',
    resource: vaultKeyArn,
    context: viaS3(ingest),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:IngestEncryptsThroughS3'],
  },
  {
    principal: neighbourIngest,
    action: 'kms:GenerateDataKey',
    resource: vaultKeyArn,
    context: viaS3(neighbourIngest),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:IngestEncryptsThroughS3'],
  },
  {
    principal: ingest,
    action: 'kms:GenerateDataKey',
    resource: vaultKeyArn,
    context: direct(ingest),
    expected: 'ImplicitlyDenied',
    reason: ungranted,
  },
  {
    principal: ingest,
    action: 'kms:GenerateDataKey',
    resource: vaultKeyArn,
    context: viaService(ingest, `ec2.${model.region}.amazonaws.com`),
    expected: 'ImplicitlyDenied',
    reason: ungranted,
  },
  {
    principal: ingest,
    action: 'kms:GenerateDataKey',
    resource: vaultKeyArn,
    context: viaService(ingest, 's3.us-east-1.amazonaws.com'),
    expected: 'ImplicitlyDenied',
    reason: ungranted,
  },
  // S3 needs kms:Decrypt from the uploader to complete a multipart upload under SSE-KMS, and the
  // copier streams large objects as multipart uploads (DESIGN.md "Copy"). Reading stays denied by
  // the bucket policy, so Decrypt through S3 gives the ingest role no read path.
  {
    principal: ingest,
    action: 'kms:Decrypt',
    resource: vaultKeyArn,
    context: viaS3(ingest),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:IngestEncryptsThroughS3'],
    note: 'multipart uploads to an SSE-KMS bucket',
  },
  // Restore readers decrypt only through S3.
  {
    principal: restoreReader,
    action: 'kms:Decrypt',
    resource: vaultKeyArn,
    context: viaS3(restoreReader),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:RestoreReadersDecryptThroughS3'],
  },
  {
    principal: restoreReader,
    action: 'kms:Decrypt',
    resource: vaultKeyArn,
    context: direct(restoreReader),
    expected: 'ImplicitlyDenied',
    reason: ungranted,
  },
  // The auditor inspects the key, never decrypts with it.
  {
    principal: auditor,
    action: 'kms:DescribeKey',
    resource: vaultKeyArn,
    context: direct(auditor),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:AuditorsInspectKey'],
  },
  {
    principal: auditor,
    action: 'kms:GetKeyPolicy',
    resource: vaultKeyArn,
    context: direct(auditor),
    expected: 'Allowed',
    reason: [DELEGATES, 'resource:AuditorsInspectKey'],
  },
  {
    principal: auditor,
    action: 'kms:Decrypt',
    resource: vaultKeyArn,
    context: viaS3(auditor),
    expected: 'ImplicitlyDenied',
    reason: ungranted,
  },
];

describe('vault key policy', () => {
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: keyPolicy }));

  it('names the backup account root as administrator, as the KMS lockout check requires', () => {
    const [first] = keyPolicy.Statement;
    expect(first?.Principal).toEqual({ AWS: arns.accountRoot(model, BACKUP_ACCOUNT) });
  });
});

describe('vault key policy guard', () => {
  it.each([actors.backupAdmin, actors.breakGlass])('without the deny, $label may schedule the key for deletion', async (who) => {
    const request = { actor: who, action: 'kms:ScheduleKeyDeletion', resource: vaultKeyArn, context: direct(who) };
    expect(await simulate({ ...request, resourcePolicy: keyPolicy })).toEqual({
      result: 'ExplicitlyDenied',
      because: [NO_DELETE],
      blockedBy: ['resource'],
    });
    expect(
      await simulate({ ...request, resourcePolicy: withoutStatement(keyPolicy, 'DenyKeyDeletionAndDisablingToEveryone') }),
    ).toMatchObject({ result: 'Allowed', blockedBy: [] });
  });
});
