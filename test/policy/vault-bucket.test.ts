import { policy } from '../../lib/policy/document';
import { OBJECT_DESTRUCTION_ACTIONS, vaultBucketPolicy, vaultLogBucketPolicyStatements } from '../../lib/policy/vault-bucket';
import { VAULT_CONFIG_READ_ACTIONS } from '../../lib/policy/vault-roles';
import {
  actors,
  cases,
  model,
  OTHER_PRIMARY_ACCOUNT,
  PRIMARY_ACCOUNT,
  prove,
  type Scenario,
  simulate,
  vaultBucketArn,
  vaultObject,
  withoutStatement,
} from './simulate';

/*
 * The vault bucket's policy alone (no SCP: scp.test.ts covers that layer), evaluated for every
 * kind of caller. The vault roles carry the identity policy VaultStack attaches to them, so an
 * allowed row shows both grants; administrators carry `*`, so a denied row shows the bucket
 * policy's deny as what blocked them.
 *
 * Object Lock itself is not modelled by the simulator: these rows prove what the policy lets a
 * principal ask for, not that S3 would then remove a locked version (it would not, in COMPLIANCE
 * mode, whoever asks). The live tests on the local S3 prove the lock.
 */

const bucketPolicy = vaultBucketPolicy(model);
const P = PRIMARY_ACCOUNT;
const sid = (name: string, account = P) => `${name}${account}`;

const own = {
  object: vaultObject(`objects/${P}/acme-prod-invoices/2026/invoice-0001.pdf`),
  journal: vaultObject(`journal/${P}/2026-01-15/segment-000042.ndjson`),
  report: vaultObject(`reports/${P}/2026-01-15/verify.json`),
};
const neighbour = {
  object: vaultObject(`objects/${OTHER_PRIMARY_ACCOUNT}/acme-staging-data/db.dump`),
  journal: vaultObject(`journal/${OTHER_PRIMARY_ACCOUNT}/2026-01-15/segment-000001.ndjson`),
};

/** Object Lock headers as S3 exposes them to policies; sent only by the rows about them. */
const lockHeaders = {
  retention: {
    's3:object-lock-mode': 'GOVERNANCE',
    's3:object-lock-retain-until-date': '2126-01-01T00:00:00Z',
    's3:object-lock-remaining-retention-days': '36500',
  },
  legalHold: { 's3:object-lock-legal-hold': 'ON' },
};
const retentionHeaderDenies = [
  'resource:DenyPutWithRetainUntilHeaderExceptBreakGlass',
  'resource:DenyPutWithRetentionHeadersExceptBreakGlass',
];

const DESTROY = 'resource:DenyObjectDestructionExceptBreakGlass';
/** The create denies (test/policy/vault-bucket-writes.test.ts proves them for every caller and prefix). */
const BACKUP_WRITES = (account = P) => `resource:DenyBackupWritesExceptIngest${account}`;
const REPORT_WRITES = (account = P) => `resource:DenyReportWritesExceptEvidenceWriter${account}`;
const READ_DATA = 'resource:DenyDataReadsExceptRestoreReaders';
const RECONFIGURE = 'resource:DenyBucketReconfigurationExceptBreakGlass';
const REPLACE_POLICY = 'resource:DenyPolicyChangesExceptBreakGlassAndDeployer';

/** Neither the role's identity policy nor the bucket policy grants it. */
const NOT_GRANTED = ['implicit:identity', 'implicit:resource'];

const destructionActions = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
] as const;

describe('vault bucket policy: ingest role (append only)', () => {
  const i = actors.ingest;
  const grant = [`identity:${sid('IngestAppendOnly')}`, `resource:${sid('IngestAppendOnly')}`];
  const rows: Scenario[] = [
    { principal: i, action: 's3:PutObject', resource: own.object, expected: 'Allowed', reason: grant },
    { principal: i, action: 's3:PutObject', resource: own.journal, expected: 'Allowed', reason: grant },
    {
      principal: i,
      action: 's3:PutObject',
      resource: neighbour.object,
      expected: 'ExplicitlyDenied',
      reason: BACKUP_WRITES(OTHER_PRIMARY_ACCOUNT),
      note: "another primary account's prefix",
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: neighbour.journal,
      expected: 'ExplicitlyDenied',
      reason: BACKUP_WRITES(OTHER_PRIMARY_ACCOUNT),
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.report,
      expected: 'ExplicitlyDenied',
      reason: REPORT_WRITES(),
    },
    { principal: i, action: 's3:GetObject', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    { principal: i, action: 's3:GetObjectVersion', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    {
      principal: i,
      action: 's3:GetObject',
      resource: own.journal,
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    ...destructionActions.map(
      (action): Scenario => ({ principal: i, action, resource: own.object, expected: 'ExplicitlyDenied', reason: DESTROY }),
    ),
    { principal: i, action: 's3:DeleteObjectVersion', resource: own.journal, expected: 'ExplicitlyDenied', reason: DESTROY },
    { principal: i, action: 's3:PutObjectAcl', resource: own.object, expected: 'ExplicitlyDenied', reason: DESTROY },
    {
      principal: i,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: REPLACE_POLICY,
    },
    {
      principal: i,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    {
      principal: i,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      context: { 's3:prefix': `objects/${P}/` },
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    // Write-once: an object-creating request (PutObject, CompleteMultipartUpload) without If-None-Match
    // is refused, so a stolen ingest credential can never put a second version on an existing key.
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:ObjectCreationOperation': 'true' },
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyOverwritesExceptBreakGlass',
      blockedBy: ['resource'],
      note: 'PutObject without If-None-Match',
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:ObjectCreationOperation': 'true', 's3:if-none-match': '*' },
      expected: 'Allowed',
      reason: grant,
      note: 'PutObject with If-None-Match: *',
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:ObjectCreationOperation': 'false' },
      expected: 'Allowed',
      reason: grant,
      note: 'UploadPart, which takes no conditional header',
    },
    // A stolen ingest credential must not pick a weaker mode, nor extend retention as a cost attack.
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: lockHeaders.retention,
      expected: 'ExplicitlyDenied',
      reason: retentionHeaderDenies,
      blockedBy: ['resource'],
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.journal,
      context: { 's3:object-lock-mode': 'COMPLIANCE' },
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyPutWithRetentionHeadersExceptBreakGlass',
      blockedBy: ['resource'],
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:object-lock-retain-until-date': '2126-01-01T00:00:00Z' },
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyPutWithRetainUntilHeaderExceptBreakGlass',
      blockedBy: ['resource'],
    },
    {
      principal: i,
      action: 's3:PutObject',
      resource: own.object,
      context: lockHeaders.legalHold,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyPutWithLegalHoldHeaderExceptBreakGlass',
      blockedBy: ['resource'],
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: restore reader (its own account, read only)', () => {
  const r = actors.restoreReader;
  const read = [`identity:${sid('RestoreReaderReadObjects')}`, `resource:${sid('RestoreReaderReadObjects')}`];
  const list = [`identity:${sid('RestoreReaderList')}`, `resource:${sid('RestoreReaderList')}`];
  const rows: Scenario[] = [
    { principal: r, action: 's3:GetObject', resource: own.object, expected: 'Allowed', reason: read },
    { principal: r, action: 's3:GetObjectVersion', resource: own.object, expected: 'Allowed', reason: read },
    { principal: r, action: 's3:GetObject', resource: own.journal, expected: 'Allowed', reason: read },
    { principal: r, action: 's3:GetObjectVersion', resource: own.journal, expected: 'Allowed', reason: read },
    // The data-read deny exempts every restore reader; isolation between accounts rests on the grants.
    { principal: r, action: 's3:GetObject', resource: neighbour.object, expected: 'ImplicitlyDenied', reason: NOT_GRANTED },
    {
      principal: r,
      action: 's3:GetObjectVersion',
      resource: neighbour.journal,
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    { principal: r, action: 's3:GetObject', resource: own.report, expected: 'ImplicitlyDenied', reason: NOT_GRANTED },
    ...destructionActions.map(
      (action): Scenario => ({ principal: r, action, resource: own.object, expected: 'ExplicitlyDenied', reason: DESTROY }),
    ),
    { principal: r, action: 's3:PutObject', resource: own.object, expected: 'ExplicitlyDenied', reason: BACKUP_WRITES() },
    {
      principal: r,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: REPLACE_POLICY,
    },
    {
      principal: r,
      action: 's3:PutLifecycleConfiguration',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: RECONFIGURE,
    },
    {
      principal: r,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      context: { 's3:prefix': `objects/${P}/` },
      expected: 'Allowed',
      reason: list,
    },
    {
      principal: r,
      action: 's3:ListBucketVersions',
      resource: vaultBucketArn,
      context: { 's3:prefix': `journal/${P}/2026-01-15/` },
      expected: 'Allowed',
      reason: list,
    },
    { principal: r, action: 's3:ListBucket', resource: vaultBucketArn, expected: 'ImplicitlyDenied', reason: NOT_GRANTED },
    {
      principal: r,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      context: { 's3:prefix': 'objects/' },
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    {
      principal: r,
      action: 's3:ListBucketVersions',
      resource: vaultBucketArn,
      context: { 's3:prefix': `objects/${OTHER_PRIMARY_ACCOUNT}/` },
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: auditor (settings, retention and evidence, never data)', () => {
  const a = actors.auditor;
  const both = (name: string) => [`identity:${sid(name)}`, `resource:${sid(name)}`];
  const rows: Scenario[] = [
    ...VAULT_CONFIG_READ_ACTIONS.map(
      (action): Scenario => ({
        principal: a,
        action,
        resource: vaultBucketArn,
        expected: 'Allowed',
        reason: both('AuditorReadVaultSettings'),
      }),
    ),
    {
      principal: a,
      action: 's3:GetObjectRetention',
      resource: own.object,
      expected: 'Allowed',
      reason: both('AuditorReadRetention'),
    },
    {
      principal: a,
      action: 's3:GetObjectLegalHold',
      resource: own.journal,
      expected: 'Allowed',
      reason: both('AuditorReadRetention'),
    },
    {
      principal: a,
      action: 's3:GetObjectRetention',
      resource: neighbour.object,
      expected: 'ImplicitlyDenied',
      reason: NOT_GRANTED,
    },
    { principal: a, action: 's3:GetObject', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    { principal: a, action: 's3:GetObjectVersion', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    { principal: a, action: 's3:GetObject', resource: own.journal, expected: 'Allowed', reason: both('AuditorReadEvidence') },
    {
      principal: a,
      action: 's3:GetObjectVersion',
      resource: own.report,
      expected: 'Allowed',
      reason: both('AuditorReadEvidence'),
    },
    { principal: a, action: 's3:GetObject', resource: neighbour.journal, expected: 'ImplicitlyDenied', reason: NOT_GRANTED },
    {
      principal: a,
      action: 's3:ListBucketVersions',
      resource: vaultBucketArn,
      context: { 's3:prefix': `objects/${P}/` },
      expected: 'Allowed',
      reason: both('AuditorList'),
    },
    { principal: a, action: 's3:ListBucket', resource: vaultBucketArn, expected: 'ImplicitlyDenied', reason: NOT_GRANTED },
    { principal: a, action: 's3:PutObject', resource: own.object, expected: 'ExplicitlyDenied', reason: BACKUP_WRITES() },
    // The auditor is read-only by design (issue 2: "read-only audit"); how verify files its report into
    // the vault is decided with the verify feature, not by widening this role.
    { principal: a, action: 's3:PutObject', resource: own.report, expected: 'ExplicitlyDenied', reason: REPORT_WRITES() },
    { principal: a, action: 's3:DeleteObjectVersion', resource: own.report, expected: 'ExplicitlyDenied', reason: DESTROY },
    { principal: a, action: 's3:PutObjectRetention', resource: own.report, expected: 'ExplicitlyDenied', reason: DESTROY },
    {
      principal: a,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: REPLACE_POLICY,
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: a primary-account administrator reaches nothing (threat T1)', () => {
  // Cross-account: the intruder's `*` identity policy is not enough; the bucket policy must grant too.
  const rows: Scenario[] = [actors.primaryAdmin, actors.primaryRoot].flatMap((who): Scenario[] => [
    { principal: who, action: 's3:GetObject', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    { principal: who, action: 's3:GetObjectVersion', resource: own.object, expected: 'ExplicitlyDenied', reason: READ_DATA },
    { principal: who, action: 's3:GetObject', resource: own.journal, expected: 'ImplicitlyDenied', reason: 'implicit:resource' },
    { principal: who, action: 's3:PutObject', resource: own.object, expected: 'ExplicitlyDenied', reason: BACKUP_WRITES() },
    {
      principal: who,
      action: 's3:PutObject',
      resource: own.object,
      context: lockHeaders.retention,
      expected: 'ExplicitlyDenied',
      reason: [...retentionHeaderDenies, BACKUP_WRITES()],
    },
    ...OBJECT_DESTRUCTION_ACTIONS.map(
      (action): Scenario => ({ principal: who, action, resource: own.object, expected: 'ExplicitlyDenied', reason: DESTROY }),
    ),
    { principal: who, action: 's3:DeleteObjectVersion', resource: own.journal, expected: 'ExplicitlyDenied', reason: DESTROY },
    {
      principal: who,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      expected: 'ImplicitlyDenied',
      reason: 'implicit:resource',
    },
    {
      principal: who,
      action: 's3:ListBucketVersions',
      resource: vaultBucketArn,
      expected: 'ImplicitlyDenied',
      reason: 'implicit:resource',
    },
    {
      principal: who,
      action: 's3:GetBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ImplicitlyDenied',
      reason: 'implicit:resource',
    },
    {
      principal: who,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: REPLACE_POLICY,
    },
    ...[
      's3:DeleteBucketPolicy',
      's3:PutBucketObjectLockConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutBucketVersioning',
      's3:PutReplicationConfiguration',
      's3:DeleteBucket',
    ].map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: vaultBucketArn,
        expected: 'ExplicitlyDenied',
        reason: RECONFIGURE,
      }),
    ),
  ]);
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: a backup-account administrator is stopped by the denies (threat T4)', () => {
  const rows: Scenario[] = [actors.backupAdmin, actors.backupAdminUser].flatMap((who): Scenario[] => [
    {
      principal: who,
      action: 's3:DeleteObjectVersion',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:DeleteObject',
      resource: own.journal,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:PutObjectRetention',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:PutObjectLegalHold',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:BypassGovernanceRetention',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: REPLACE_POLICY,
      blockedBy: ['resource'],
    },
    ...[
      's3:DeleteBucketPolicy',
      's3:PutBucketObjectLockConfiguration',
      's3:PutLifecycleConfiguration',
      's3:PutBucketVersioning',
      's3:PutReplicationConfiguration',
      's3:PutEncryptionConfiguration',
      's3:PutBucketPublicAccessBlock',
      's3:DeleteBucket',
    ].map(
      (action): Scenario => ({
        principal: who,
        action,
        resource: vaultBucketArn,
        expected: 'ExplicitlyDenied',
        reason: RECONFIGURE,
        blockedBy: ['resource'],
      }),
    ),
    {
      principal: who,
      action: 's3:GetObject',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: READ_DATA,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:GetObjectVersion',
      resource: neighbour.object,
      expected: 'ExplicitlyDenied',
      reason: READ_DATA,
      blockedBy: ['resource'],
    },
    {
      principal: who,
      action: 's3:PutObject',
      resource: own.object,
      context: lockHeaders.retention,
      expected: 'ExplicitlyDenied',
      reason: [...retentionHeaderDenies, BACKUP_WRITES()],
      blockedBy: ['resource'],
    },
  ]);
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: the deploy role may replace the policy and nothing more', () => {
  const d = actors.deployRole;
  const rows: Scenario[] = [
    // docs/deploy-time-behaviours.md, item 3: the deliberate exemption that lets `cdk deploy` update the policy.
    {
      principal: d,
      action: 's3:PutBucketPolicy',
      resource: vaultBucketArn,
      expected: 'Allowed',
      reason: 'identity:AdministratorAccess',
    },
    {
      principal: d,
      action: 's3:DeleteObjectVersion',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: d,
      action: 's3:PutObjectRetention',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: DESTROY,
      blockedBy: ['resource'],
    },
    {
      principal: d,
      action: 's3:PutBucketObjectLockConfiguration',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: RECONFIGURE,
      blockedBy: ['resource'],
    },
    {
      principal: d,
      action: 's3:DeleteBucketPolicy',
      resource: vaultBucketArn,
      expected: 'ExplicitlyDenied',
      reason: RECONFIGURE,
      blockedBy: ['resource'],
    },
    {
      principal: d,
      action: 's3:GetObject',
      resource: own.object,
      expected: 'ExplicitlyDenied',
      reason: READ_DATA,
      blockedBy: ['resource'],
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: break-glass is exempt from the policy layer', () => {
  // Policy layer only: in COMPLIANCE mode S3 still refuses to delete a locked version or shorten
  // its retention, break-glass or not. The simulator does not model Object Lock.
  const b = actors.breakGlass;
  const allowed = (action: string, resource: string, context?: Record<string, string>): Scenario => ({
    principal: b,
    action,
    resource,
    ...(context ? { context } : {}),
    expected: 'Allowed',
    reason: 'identity:AdministratorAccess',
  });
  const rows: Scenario[] = [
    ...OBJECT_DESTRUCTION_ACTIONS.map((action) => allowed(action, own.object)),
    allowed('s3:GetObject', own.object),
    allowed('s3:GetObjectVersion', neighbour.object),
    allowed('s3:PutObject', own.object, { ...lockHeaders.retention, ...lockHeaders.legalHold }),
    allowed('s3:PutBucketPolicy', vaultBucketArn),
    allowed('s3:DeleteBucketPolicy', vaultBucketArn),
    allowed('s3:PutBucketObjectLockConfiguration', vaultBucketArn),
    allowed('s3:PutLifecycleConfiguration', vaultBucketArn),
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy: plain HTTP is refused to everyone', () => {
  const insecure = { 'aws:SecureTransport': 'false' };
  const rows: Scenario[] = [
    {
      principal: actors.restoreReader,
      action: 's3:GetObject',
      resource: own.object,
      context: insecure,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyInsecureTransport',
      blockedBy: ['resource'],
    },
    {
      principal: actors.restoreReader,
      action: 's3:ListBucket',
      resource: vaultBucketArn,
      context: { ...insecure, 's3:prefix': `objects/${P}/` },
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyInsecureTransport',
      blockedBy: ['resource'],
    },
    {
      principal: actors.ingest,
      action: 's3:PutObject',
      resource: own.journal,
      context: insecure,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyInsecureTransport',
      blockedBy: ['resource'],
    },
    {
      principal: actors.breakGlass,
      action: 's3:GetBucketPolicy',
      resource: vaultBucketArn,
      context: insecure,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyInsecureTransport',
      blockedBy: ['resource'],
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: bucketPolicy }));
});

describe('vault bucket policy guards: each critical deny is what stops the attacker', () => {
  // Remove one statement and the same request must go through: the rows above really exercise it.
  // The attacker is the backup admin, except for the write-header denies: the create denies stop the
  // admin's writes before any header matters, so those guards attack as a stolen ingest credential,
  // the one principal allowed to write under objects/<account>/.
  const admin = actors.backupAdmin;
  const ingestGrant = [`identity:${sid('IngestAppendOnly')}`, `resource:${sid('IngestAppendOnly')}`];
  const guards: {
    sid: string;
    action: string;
    resource: string;
    context?: Record<string, string>;
    asIngest?: boolean;
  }[] = [
    { sid: 'DenyObjectDestructionExceptBreakGlass', action: 's3:DeleteObjectVersion', resource: own.object },
    { sid: 'DenyDataReadsExceptRestoreReaders', action: 's3:GetObject', resource: own.object },
    { sid: 'DenyPolicyChangesExceptBreakGlassAndDeployer', action: 's3:PutBucketPolicy', resource: vaultBucketArn },
    { sid: 'DenyBucketReconfigurationExceptBreakGlass', action: 's3:PutBucketObjectLockConfiguration', resource: vaultBucketArn },
    {
      sid: 'DenyPutWithRetentionHeadersExceptBreakGlass',
      asIngest: true,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:object-lock-mode': 'GOVERNANCE' },
    },
    {
      sid: 'DenyPutWithRetainUntilHeaderExceptBreakGlass',
      asIngest: true,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:object-lock-retain-until-date': '2126-01-01T00:00:00Z' },
    },
    {
      sid: 'DenyPutWithLegalHoldHeaderExceptBreakGlass',
      asIngest: true,
      action: 's3:PutObject',
      resource: own.object,
      context: lockHeaders.legalHold,
    },
    {
      sid: 'DenyOverwritesExceptBreakGlass',
      asIngest: true,
      action: 's3:PutObject',
      resource: own.object,
      context: { 's3:ObjectCreationOperation': 'true' },
    },
    {
      sid: 'DenyInsecureTransport',
      action: 's3:GetBucketVersioning',
      resource: vaultBucketArn,
      context: { 'aws:SecureTransport': 'false' },
    },
  ];
  it.each(guards.map((g) => [g.sid, g.asIngest ? 'ingest role' : 'backup admin', g] as const))(
    'without %s the %s gets through',
    async (_sid, _who, g) => {
      const actor = g.asIngest ? actors.ingest : admin;
      const request = { actor, action: g.action, resource: g.resource, ...(g.context ? { context: g.context } : {}) };
      const withIt = await simulate({ ...request, resourcePolicy: bucketPolicy });
      expect(withIt).toEqual({ result: 'ExplicitlyDenied', because: [`resource:${g.sid}`], blockedBy: ['resource'] });
      const withoutIt = await simulate({ ...request, resourcePolicy: withoutStatement(bucketPolicy, g.sid) });
      const granted = g.asIngest ? ingestGrant.slice().sort() : ['identity:AdministratorAccess'];
      expect(withoutIt).toEqual({ result: 'Allowed', because: granted, blockedBy: [] });
    },
  );
});

describe('vault log bucket policy (no Object Lock there: the policy is its protection)', () => {
  const logPolicy = policy(...vaultLogBucketPolicyStatements(model));
  const logBucket = `arn:aws:s3:::${model.vaultLogBucket}`;
  const logObject = `${logBucket}/vault/2026-01-15-12-00-00-0123456789ABCDEF`;
  const rows: Scenario[] = [
    {
      principal: actors.backupAdmin,
      action: 's3:DeleteObjectVersion',
      resource: logObject,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyLogDeletionExceptBreakGlass',
      blockedBy: ['resource'],
    },
    {
      principal: actors.backupAdmin,
      action: 's3:PutLifecycleConfiguration',
      resource: logBucket,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyLogBucketReconfigurationExceptBreakGlass',
      blockedBy: ['resource'],
    },
    {
      principal: actors.backupAdmin,
      action: 's3:PutBucketPolicy',
      resource: logBucket,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyLogPolicyChangesExceptBreakGlassAndDeployer',
      blockedBy: ['resource'],
    },
    {
      principal: actors.deployRole,
      action: 's3:PutBucketPolicy',
      resource: logBucket,
      expected: 'Allowed',
      reason: 'identity:AdministratorAccess',
    },
    {
      principal: actors.breakGlass,
      action: 's3:DeleteObjectVersion',
      resource: logObject,
      expected: 'Allowed',
      reason: 'identity:AdministratorAccess',
    },
    {
      principal: actors.primaryAdmin,
      action: 's3:DeleteObjectVersion',
      resource: logObject,
      expected: 'ExplicitlyDenied',
      reason: 'resource:DenyLogDeletionExceptBreakGlass',
    },
  ];
  it.each(cases(rows))('%s', async (_title, row) => prove(row, { resourcePolicy: logPolicy }));
});
