import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { SCP_ARTIFACT_FILE, writeScpArtifact } from '../../lib/artifacts';
import { parseConfig } from '../../lib/config/load';
import { backupVaultAccessPolicy } from '../../lib/policy/backup-vault';
import { statementBySid } from '../../lib/policy/document';
import { vaultKeyPolicy } from '../../lib/policy/kms';
import { vaultPolicyModel } from '../../lib/policy/model';
import { backupAccountScp, SCP_MAX_CHARACTERS } from '../../lib/policy/scp';
import {
  BUCKET_RECONFIGURATION_ACTIONS,
  OBJECT_DESTRUCTION_ACTIONS,
  OBJECT_TAGGING_ACTIONS,
  REPLICATION_WRITE_ACTIONS,
  vaultBucketPolicy,
  vaultLogBucketPolicyStatements,
} from '../../lib/policy/vault-bucket';
import { VAULT_CONFIG_READ_ACTIONS, vaultRolePermissions, vaultRoleTrust } from '../../lib/policy/vault-roles';
import { VaultStack } from '../../lib/stacks/vault-stack';
import { testApp } from '../support/app';
import { exampleConfig, exampleInput, twoAccountConfig } from '../support/config';
import { normalizePolicy, onlyResource, synthVaultStack } from '../support/synth';

const config = exampleConfig();
const model = vaultPolicyModel(config);
const { template } = synthVaultStack(config);
const VAULT = 'strongroom-vault-111111111111-eu-west-1';
const LOGS = 'strongroom-vault-logs-111111111111-eu-west-1';
const BREAK_GLASS = 'arn:aws:iam::111111111111:role/StrongroomBreakGlass';
const DEPLOYER = 'arn:aws:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1';

const vaultBucket = () => onlyResource(template, 'AWS::S3::Bucket', { BucketName: VAULT });
const logBucket = () => onlyResource(template, 'AWS::S3::Bucket', { BucketName: LOGS });
const bucketPolicyOf = (bucket: string) => onlyResource(template, 'AWS::S3::BucketPolicy', { Bucket: bucket });
const templateStatement = (bucket: string, sid: string) => {
  const statements: Array<Record<string, unknown>> = bucketPolicyOf(bucket).resource.Properties.PolicyDocument.Statement;
  const found = statements.find((s) => s.Sid === sid);
  if (!found) throw new Error(`bucket policy of ${bucket} has no statement ${sid}`);
  return found;
};

describe('VaultStack: the vault bucket', () => {
  it('has Object Lock on in COMPLIANCE mode with the configured default retention', () => {
    const { Properties } = vaultBucket().resource;
    expect(Properties.ObjectLockEnabled).toBe(true);
    expect(Properties.ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
    });
  });

  it('is versioned, SSE-S3 encrypted, fully private and owned by the bucket owner whoever writes', () => {
    const { Properties } = vaultBucket().resource;
    expect(Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(Properties.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
  });

  it('logs access into the separate log bucket and is retained when the stack is deleted', () => {
    const { resource } = vaultBucket();
    expect(resource.Properties.LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logBucket().logicalId },
      LogFilePrefix: 'vault/',
    });
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
  });

  it('sweeps parts of crashed multipart uploads and expires nothing else', () => {
    expect(vaultBucket().resource.Properties.LifecycleConfiguration).toEqual({
      Rules: [
        { Id: 'AbortIncompleteMultipartUploads', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' },
      ],
    });
  });
});

describe('VaultStack: the access-log bucket', () => {
  it('has no Object Lock (S3 refuses a locked log destination), is versioned, SSE-S3, private and retained', () => {
    const { resource } = logBucket();
    expect(resource.Properties.ObjectLockEnabled).toBeUndefined();
    expect(resource.Properties.ObjectLockConfiguration).toBeUndefined();
    expect(resource.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(resource.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
      SSEAlgorithm: 'AES256',
    });
    expect(resource.Properties.PublicAccessBlockConfiguration.BlockPublicPolicy).toBe(true);
    expect(resource.DeletionPolicy).toBe('Retain');
  });

  it('is protected by the policy denies instead, and admits the S3 logging service for the vault bucket only', () => {
    const statements: unknown[] = bucketPolicyOf(LOGS).resource.Properties.PolicyDocument.Statement;
    for (const statement of vaultLogBucketPolicyStatements(model)) {
      expect(statements.map(normalizePolicy)).toContainEqual(normalizePolicy(statement));
    }
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 'logging.s3.amazonaws.com' },
        Action: 's3:PutObject',
        Condition: expect.objectContaining({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': [vaultBucket().logicalId, 'Arn'] } } }),
      }),
    );
    expect(templateStatement(LOGS, 'DenyLogDeletionExceptBreakGlass')).toMatchObject({
      Effect: 'Deny',
      Action: expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion']),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
    expect(bucketPolicyOf(LOGS).resource.DeletionPolicy).toBe('Retain');
  });
});

describe('VaultStack: the vault bucket policy', () => {
  it('is exactly the shared policy module document', () => {
    expect(normalizePolicy(bucketPolicyOf(VAULT).resource.Properties.PolicyDocument)).toEqual(
      normalizePolicy(vaultBucketPolicy(model)),
    );
  });

  it('is retained with the bucket, and created only after the roles it names', () => {
    const { resource } = bucketPolicyOf(VAULT);
    expect(resource.DeletionPolicy).toBe('Retain');
    const roleIds = Object.keys(template.findResources('AWS::IAM::Role'));
    expect(roleIds).toHaveLength(4);
    expect(resource.DependsOn).toEqual(expect.arrayContaining(roleIds));
  });

  it('grants the ingest role s3:PutObject on its own prefixes and nothing that reads, lists objects or deletes', () => {
    const grant = templateStatement(VAULT, 'IngestAppendOnly222222222222');
    expect(grant).toEqual({
      Sid: 'IngestAppendOnly222222222222',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::111111111111:role/strongroom-ingest-222222222222' },
      Action: 's3:PutObject',
      Resource: [`arn:aws:s3:::${VAULT}/objects/222222222222/*`, `arn:aws:s3:::${VAULT}/journal/222222222222/*`],
    });
    const ingestActions = (bucketPolicyOf(VAULT).resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>)
      .filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('strongroom-ingest-'))
      .flatMap((s) => [s.Action].flat());
    expect(ingestActions.sort()).toEqual(['s3:AbortMultipartUpload', 's3:ListBucketMultipartUploads', 's3:PutObject']);
  });

  it('grants the restore reader reads of its own prefixes and the auditor settings, retention and evidence', () => {
    expect(templateStatement(VAULT, 'RestoreReaderReadObjects222222222222')).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222' },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: [`arn:aws:s3:::${VAULT}/objects/222222222222/*`, `arn:aws:s3:::${VAULT}/journal/222222222222/*`],
    });
    expect(templateStatement(VAULT, 'AuditorReadVaultSettings222222222222')).toMatchObject({
      Principal: { AWS: 'arn:aws:iam::111111111111:role/strongroom-auditor-222222222222' },
      Action: expect.arrayContaining(['s3:GetBucketObjectLockConfiguration', 's3:GetBucketPolicy', 's3:GetBucketVersioning']),
    });
    expect(templateStatement(VAULT, 'AuditorReadEvidence222222222222').Resource).toEqual([
      `arn:aws:s3:::${VAULT}/journal/222222222222/*`,
      `arn:aws:s3:::${VAULT}/reports/222222222222/*`,
    ]);
  });

  it('denies every object-destroying action to everyone but break-glass', () => {
    expect(templateStatement(VAULT, 'DenyObjectDestructionExceptBreakGlass')).toEqual({
      Sid: 'DenyObjectDestructionExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_DESTRUCTION_ACTIONS,
      Resource: `arn:aws:s3:::${VAULT}/*`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
    expect(OBJECT_DESTRUCTION_ACTIONS).toEqual(
      expect.arrayContaining([
        's3:DeleteObjectVersion',
        's3:PutObjectRetention',
        's3:PutObjectLegalHold',
        's3:BypassGovernanceRetention',
      ]),
    );
  });

  it('denies puts that carry object-lock headers to everyone but break-glass', () => {
    const keys = ['s3:object-lock-mode', 's3:object-lock-retain-until-date', 's3:object-lock-legal-hold'];
    const statements = (bucketPolicyOf(VAULT).resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter(
      (s) => s.Effect === 'Deny' && s.Action === 's3:PutObject' && s.Condition?.Null,
    );
    for (const key of keys) {
      expect(statements).toContainEqual(
        expect.objectContaining({
          Principal: '*',
          Condition: { Null: { [key]: 'false' }, ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
        }),
      );
    }
  });

  it('denies any object-creating write without If-None-Match, so no vault key ever gets a second version', () => {
    expect(templateStatement(VAULT, 'DenyOverwritesExceptBreakGlass')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Condition: {
        Null: { 's3:if-none-match': 'true' },
        Bool: { 's3:ObjectCreationOperation': 'true' },
        ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS },
      },
    });
  });

  it("denies object creation under an account's prefixes to all but its ingest role or its evidence writer", () => {
    const role = (name: string) => `arn:aws:iam::111111111111:role/${name}`;
    expect(templateStatement(VAULT, 'DenyBackupWritesExceptIngest222222222222')).toEqual({
      Sid: 'DenyBackupWritesExceptIngest222222222222',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: [`arn:aws:s3:::${VAULT}/objects/222222222222/*`, `arn:aws:s3:::${VAULT}/journal/222222222222/*`],
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [role('strongroom-ingest-222222222222'), BREAK_GLASS] } },
    });
    expect(templateStatement(VAULT, 'DenyReportWritesExceptEvidenceWriter222222222222')).toEqual({
      Sid: 'DenyReportWritesExceptEvidenceWriter222222222222',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: `arn:aws:s3:::${VAULT}/reports/222222222222/*`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [role('strongroom-evidence-writer-222222222222'), BREAK_GLASS] } },
    });
  });

  it('denies object creation anywhere else to everyone but break-glass', () => {
    expect(templateStatement(VAULT, 'DenyWritesOutsideAccountPrefixesExceptBreakGlass')).toEqual({
      Sid: 'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      NotResource: ['objects', 'journal', 'reports'].map((area) => `arn:aws:s3:::${VAULT}/${area}/222222222222/*`),
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
  });

  it('creates the evidence writer: it files reports under its own reports/ prefix and does nothing else', () => {
    const names = Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties.RoleName);
    expect(names.filter((n: string) => n.includes('evidence-writer'))).toEqual(['strongroom-evidence-writer-222222222222']);
    const writerStatements = (
      bucketPolicyOf(VAULT).resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>
    ).filter((s) => s.Effect === 'Allow' && JSON.stringify(s.Principal).includes('strongroom-evidence-writer-'));
    expect(writerStatements).toEqual([
      {
        Sid: 'EvidenceWriterFilesReports222222222222',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111111111111:role/strongroom-evidence-writer-222222222222' },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${VAULT}/reports/222222222222/*`,
      },
    ]);
  });

  it('denies replication writes and object tagging to everyone but break-glass', () => {
    for (const [sid, actions] of [
      ['DenyReplicationWritesExceptBreakGlass', REPLICATION_WRITE_ACTIONS],
      ['DenyObjectTaggingExceptBreakGlass', OBJECT_TAGGING_ACTIONS],
    ] as const) {
      expect(templateStatement(VAULT, sid)).toEqual({
        Sid: sid,
        Effect: 'Deny',
        Principal: '*',
        Action: actions,
        Resource: `arn:aws:s3:::${VAULT}/*`,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
      });
    }
    expect(REPLICATION_WRITE_ACTIONS).toEqual(['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags']);
    expect(OBJECT_TAGGING_ACTIONS).toEqual([
      's3:PutObjectTagging',
      's3:PutObjectVersionTagging',
      's3:DeleteObjectTagging',
      's3:DeleteObjectVersionTagging',
    ]);
  });

  it('denies data reads to everyone but the restore readers and break-glass', () => {
    expect(templateStatement(VAULT, 'DenyDataReadsExceptRestoreReaders')).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: `arn:aws:s3:::${VAULT}/objects/*`,
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/strongroom-restore-reader-222222222222', BREAK_GLASS],
        },
      },
    });
  });

  it('denies lock, lifecycle, versioning, ownership, ACL, replication and exposing changes to everyone but break-glass', () => {
    const statement = templateStatement(VAULT, 'DenyBucketReconfigurationExceptBreakGlass');
    expect(statement).toMatchObject({
      Effect: 'Deny',
      Principal: '*',
      Resource: `arn:aws:s3:::${VAULT}`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
    });
    expect(statement.Action).toEqual(BUCKET_RECONFIGURATION_ACTIONS);
    expect(BUCKET_RECONFIGURATION_ACTIONS).toEqual(
      expect.arrayContaining([
        's3:PutBucketObjectLockConfiguration',
        's3:PutLifecycleConfiguration',
        's3:PutBucketVersioning',
        's3:PutBucketOwnershipControls',
        's3:PutBucketAcl',
        's3:DeleteBucketPolicy',
        's3:PutReplicationConfiguration',
        's3:PutBucketCORS',
        's3:PutBucketWebsite',
        's3:DeleteBucketWebsite',
        's3:PutBucketNotification',
        's3:PutAnalyticsConfiguration',
        's3:PutInventoryConfiguration',
        's3:PutMetricsConfiguration',
        's3:PutIntelligentTieringConfiguration',
        's3:PutAccelerateConfiguration',
        's3:PutBucketRequestPayment',
      ]),
    );
  });

  it('exempts the CloudFormation deploy role from the PutBucketPolicy deny, and from nothing else', () => {
    expect(templateStatement(VAULT, 'DenyPolicyChangesExceptBreakGlassAndDeployer')).toEqual({
      Sid: 'DenyPolicyChangesExceptBreakGlassAndDeployer',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutBucketPolicy',
      Resource: `arn:aws:s3:::${VAULT}`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS, DEPLOYER] } },
    });
    const exempting = (bucketPolicyOf(VAULT).resource.Properties.PolicyDocument.Statement as Array<Record<string, any>>).filter(
      (s) => JSON.stringify(s.Condition ?? {}).includes(DEPLOYER),
    );
    expect(exempting.map((s) => s.Sid)).toEqual(['DenyPolicyChangesExceptBreakGlassAndDeployer']);
  });

  it('honours a deploy role named in config (a custom bootstrap qualifier)', () => {
    const input = exampleInput();
    input.backupAccount.deployRoleName = 'cdk-custom-cfn-exec-role-111111111111-eu-west-1';
    const doc = vaultBucketPolicy(vaultPolicyModel(parseConfig(input)));
    expect(statementBySid(doc, 'DenyPolicyChangesExceptBreakGlassAndDeployer').Condition).toEqual({
      ArnNotEquals: {
        'aws:PrincipalArn': [BREAK_GLASS, 'arn:aws:iam::111111111111:role/cdk-custom-cfn-exec-role-111111111111-eu-west-1'],
      },
    });
  });

  it('refuses plain HTTP for every principal', () => {
    expect(templateStatement(VAULT, 'DenyInsecureTransport')).toEqual({
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: [`arn:aws:s3:::${VAULT}`, `arn:aws:s3:::${VAULT}/*`],
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    });
  });
});

describe('VaultStack: the vault roles', () => {
  const role = (name: string) => onlyResource(template, 'AWS::IAM::Role', { RoleName: name }).resource.Properties;

  it.each([
    ['ingest', 'strongroom-ingest-222222222222', ['strongroom-copier', 'strongroom-sealer']],
    ['restoreReader', 'strongroom-restore-reader-222222222222', ['strongroom-restore']],
  ] as const)('%s is trusted only by the named primary roles %j, with the external id', (kind, name, callers) => {
    const trust = role(name).AssumeRolePolicyDocument;
    expect(trust).toEqual(vaultRoleTrust(model, kind, '222222222222'));
    expect(trust.Statement).toEqual([
      {
        Sid: 'AssumeFromNamedPrimaryRole',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::222222222222:root' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': 'strongroom-example-7f3c9a1e5b2d' },
          ArnEquals: { 'aws:PrincipalArn': callers.map((caller) => `arn:aws:iam::222222222222:role/${caller}`) },
        },
      },
    ]);
  });

  it('auditor is trusted by the verify, reconciler and sealer roles only', () => {
    expect(role('strongroom-auditor-222222222222').AssumeRolePolicyDocument.Statement[0].Condition.ArnEquals).toEqual({
      'aws:PrincipalArn': [
        'arn:aws:iam::222222222222:role/strongroom-verify',
        'arn:aws:iam::222222222222:role/strongroom-reconciler',
        'arn:aws:iam::222222222222:role/strongroom-sealer',
      ],
    });
  });

  it.each([
    ['ingest', 'strongroom-ingest-222222222222'],
    ['restoreReader', 'strongroom-restore-reader-222222222222'],
    ['auditor', 'strongroom-auditor-222222222222'],
  ] as const)('%s has exactly the shared permissions, one-hour sessions and no managed policy', (kind, name) => {
    const props = role(name);
    expect(props.Policies).toHaveLength(1);
    expect(normalizePolicy(props.Policies[0].PolicyDocument)).toEqual(
      normalizePolicy(vaultRolePermissions(model, kind, '222222222222')),
    );
    expect(props.MaxSessionDuration).toBe(3600);
    expect(props.ManagedPolicyArns).toBeUndefined();
  });

  it('admitting the sealer gives the ingest and auditor roles no permission: their grants, written out by hand', () => {
    const atoms = (name: string) =>
      (role(name).Policies[0].PolicyDocument.Statement as any[])
        .flatMap((s) =>
          [s.Action]
            .flat()
            .flatMap((action: string) =>
              [s.Resource]
                .flat()
                .map((resource: string) => `${action} ${resource}${s.Condition ? ` ${JSON.stringify(s.Condition)}` : ''}`),
            ),
        )
        .sort();
    const under = (area: string) => `arn:aws:s3:::${VAULT}/${area}/222222222222/*`;
    expect(atoms('strongroom-ingest-222222222222')).toEqual(
      [
        `s3:PutObject ${under('objects')}`,
        `s3:PutObject ${under('journal')}`,
        `s3:AbortMultipartUpload ${under('objects')}`,
        `s3:ListBucketMultipartUploads arn:aws:s3:::${VAULT}`,
      ].sort(),
    );
    const prefixes = JSON.stringify({
      StringLike: { 's3:prefix': ['objects/222222222222/*', 'journal/222222222222/*', 'reports/222222222222/*'] },
    });
    // The bucket-settings reads are the shared list (each a Get on the bucket, no object data).
    expect(VAULT_CONFIG_READ_ACTIONS).toHaveLength(10);
    for (const action of VAULT_CONFIG_READ_ACTIONS) expect(action).toMatch(/^s3:Get(Bucket|Encryption|Lifecycle)/);
    expect(atoms('strongroom-auditor-222222222222')).toEqual(
      [
        ...VAULT_CONFIG_READ_ACTIONS.map((action) => `${action} arn:aws:s3:::${VAULT}`),
        `s3:ListBucket arn:aws:s3:::${VAULT} ${prefixes}`,
        `s3:ListBucketVersions arn:aws:s3:::${VAULT} ${prefixes}`,
        ...['objects', 'journal', 'reports'].flatMap((area) => [
          `s3:GetObjectRetention ${under(area)}`,
          `s3:GetObjectLegalHold ${under(area)}`,
        ]),
        ...['journal', 'reports'].flatMap((area) => [`s3:GetObject ${under(area)}`, `s3:GetObjectVersion ${under(area)}`]),
        ...['backup:DescribeBackupVault', 'backup:GetBackupVaultAccessPolicy', 'backup:ListRecoveryPointsByBackupVault'].map(
          (action) => `${action} arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault`,
        ),
      ].sort(),
    );
  });

  it('gives no vault role a delete, retention or policy action anywhere', () => {
    const forbidden =
      /^s3:(Delete|PutObjectRetention|PutObjectLegalHold|BypassGovernanceRetention|PutBucket|PutLifecycle|PutObjectAcl)|^backup:(Delete|Put|Update)|^kms:(ScheduleKeyDeletion|DisableKey)/;
    for (const props of Object.values(template.findResources('AWS::IAM::Role')).map((r) => r.Properties)) {
      const actions = props.Policies.flatMap((p: any) => p.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()));
      expect(actions.filter((a: string) => forbidden.test(a))).toEqual([]);
    }
  });

  it('creates one set of four roles per primary account, none trusting another account', () => {
    const twoAccounts = synthVaultStack(twoAccountConfig()).template;
    const roles = Object.values(twoAccounts.findResources('AWS::IAM::Role')).map((r) => r.Properties);
    expect(roles.map((r) => r.RoleName).sort()).toEqual([
      'strongroom-auditor-222222222222',
      'strongroom-auditor-333333333333',
      'strongroom-evidence-writer-222222222222',
      'strongroom-evidence-writer-333333333333',
      'strongroom-ingest-222222222222',
      'strongroom-ingest-333333333333',
      'strongroom-restore-reader-222222222222',
      'strongroom-restore-reader-333333333333',
    ]);
    for (const r of roles) {
      const account = r.RoleName.slice(-12);
      expect(r.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ AWS: `arn:aws:iam::${account}:root` });
    }
  });
});

describe('VaultStack: the AWS Backup vault', () => {
  it('is locked in compliance mode with the configured retention range and grace period, and retained', () => {
    const vault = onlyResource(template, 'AWS::Backup::BackupVault');
    expect(vault.resource.Properties.BackupVaultName).toBe('strongroom-vault');
    expect(vault.resource.Properties.LockConfiguration).toEqual({
      MinRetentionDays: 7,
      MaxRetentionDays: 365,
      ChangeableForDays: 3,
    });
    expect(vault.resource.DeletionPolicy).toBe('Retain');
  });

  it('admits copies from the primary accounts and denies recovery-point deletion except to break-glass', () => {
    const policy = onlyResource(template, 'AWS::Backup::BackupVault').resource.Properties.AccessPolicy;
    expect(normalizePolicy(policy)).toEqual(normalizePolicy(backupVaultAccessPolicy(model)));
    expect(policy.Statement).toContainEqual({
      Sid: 'AllowCopyIntoVaultFromPrimaryAccounts',
      Effect: 'Allow',
      Principal: { AWS: 'arn:aws:iam::222222222222:root' },
      Action: 'backup:CopyIntoBackupVault',
      Resource: '*',
    });
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyRecoveryPointDeletionExceptBreakGlass',
        Effect: 'Deny',
        Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': BREAK_GLASS } },
      }),
    );
    expect(policy.Statement).toContainEqual(
      expect.objectContaining({
        Sid: 'DenyAccessPolicyChangesExceptBreakGlassAndDeployer',
        Action: 'backup:PutBackupVaultAccessPolicy',
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': [BREAK_GLASS, DEPLOYER] } },
      }),
    );
  });

  it('refuses a lock whose grace period AWS would reject, even when constructed directly', () => {
    const weak = { ...config, backupVault: { lock: { ...config.backupVault.lock, changeableForDays: 2 } } };
    expect(
      () => new VaultStack(testApp(), 'Weak', { env: { account: '111111111111', region: 'eu-west-1' }, config: weak }),
    ).toThrow('LockedBackupVault: changeableForDays must be at least 3 for a compliance-mode lock, got 2');
  });
});

describe('VaultStack: with a customer KMS key', () => {
  const input = exampleInput();
  input.vault.encryption = { type: 'SSE_KMS', denyKeyDeletion: true };
  const kmsTemplate = synthVaultStack(parseConfig(input)).template;

  it('encrypts the vault bucket with the key (bucket key on) and keeps the log bucket on SSE-S3', () => {
    const key = onlyResource(kmsTemplate, 'AWS::KMS::Key');
    const bucket = onlyResource(kmsTemplate, 'AWS::S3::Bucket', { BucketName: VAULT }).resource.Properties;
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0]).toEqual({
      BucketKeyEnabled: true,
      ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [key.logicalId, 'Arn'] } },
    });
    const logs = onlyResource(kmsTemplate, 'AWS::S3::Bucket', { BucketName: LOGS }).resource.Properties;
    expect(logs.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
  });

  it('gives the key a policy denying deletion and disabling to every principal, rotation, and RETAIN', () => {
    const key = onlyResource(kmsTemplate, 'AWS::KMS::Key').resource;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(normalizePolicy(key.Properties.KeyPolicy)).toEqual(
      normalizePolicy(vaultKeyPolicy(vaultPolicyModel(parseConfig(input)))),
    );
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'DenyKeyDeletionAndDisablingToEveryone',
      Effect: 'Deny',
      Principal: '*',
      Action: ['kms:ScheduleKeyDeletion', 'kms:DisableKey'],
      Resource: '*',
    });
  });
});

describe('VaultStack: outputs and artifacts', () => {
  it('outputs every ARN the primary account needs', () => {
    const outputs = template.findOutputs('*');
    for (const name of ['VaultBucketName', 'VaultBucketArn', 'BackupVaultArn', 'BackupVaultName', 'VaultLogBucketName']) {
      expect(outputs[name]).toBeDefined();
    }
    expect(outputs.IngestRoleArn222222222222.Value).toEqual({
      'Fn::GetAtt': [onlyResource(template, 'AWS::IAM::Role', { RoleName: 'strongroom-ingest-222222222222' }).logicalId, 'Arn'],
    });
    expect(outputs.RestoreReaderRoleArn222222222222).toBeDefined();
    expect(outputs.AuditorRoleArn222222222222).toBeDefined();
  });

  it('writes the recommended SCP beside the templates, within the SCP size limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strongroom-out-'));
    const file = writeScpArtifact(dir, config);
    expect(file).toBe(join(dir, SCP_ARTIFACT_FILE));
    expect(existsSync(file)).toBe(true);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toEqual(backupAccountScp(model));
    expect(JSON.stringify(written).length).toBeLessThanOrEqual(SCP_MAX_CHARACTERS);
    const sids = written.Statement.map((s: { Sid: string }) => s.Sid);
    expect(sids).toEqual(
      expect.arrayContaining([
        'DenyLeavingOrganization',
        'DenyVaultPolicyReplacementIncludingRoot',
        'DenyVaultLockRemovalAndVaultDeletion',
        'DenyKeyDeletion',
      ]),
    );
  });

  it('refuses to build in an account other than the configured backup account', () => {
    expect(
      () => new VaultStack(testApp(), 'Elsewhere', { env: { account: '999999999999', region: 'eu-west-1' }, config }),
    ).toThrow('VaultStack: env.account must be backupAccount.accountId (111111111111), got 999999999999');
  });

  it('synthesizes the template with no unresolved references to other stacks', () => {
    expect(JSON.stringify(template.toJSON())).not.toMatch(/Fn::ImportValue/);
    expect(Match).toBeDefined();
  });
});
