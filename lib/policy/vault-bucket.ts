import { accountPrefix, VAULT_PREFIXES, type VaultArea } from '../../contract/vault-layout';
import { type PolicyDocument, type PolicyStatement, policy, withPrincipal } from './document';
import { arns, type VaultPolicyModel } from './model';
import { accountSid, VAULT_ROLE_KINDS, vaultRoleGrants } from './vault-roles';

/** Object-level actions that destroy, hide or re-lock data: break-glass only. */
export const OBJECT_DESTRUCTION_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutObjectRetention',
  's3:PutObjectLegalHold',
  's3:BypassGovernanceRetention',
  's3:PutObjectAcl',
  's3:PutObjectVersionAcl',
];

/**
 * What S3 authorizes with s3:PutObject: PutObject and POST uploads, CreateMultipartUpload,
 * UploadPart and CompleteMultipartUpload, and the destination of CopyObject and UploadPartCopy.
 * One action, so the create denies below cover every way of making a vault object but one:
 * replication, which writes with s3:ReplicateObject (see REPLICATION_WRITE_ACTIONS).
 */
export const OBJECT_CREATION_ACTION = 's3:PutObject';

/**
 * How a replication rule writes into its destination: replicas (s3:ReplicateObject, a new version
 * on any key, If-None-Match or not), delete markers (s3:ReplicateDelete, which hide versions) and
 * tags. A replication role of the backup account needs no bucket-policy grant to use them on the
 * vault: a rule on a bucket of the backup admin's own would write into it.
 */
export const REPLICATION_WRITE_ACTIONS = ['s3:ReplicateObject', 's3:ReplicateDelete', 's3:ReplicateTags'];

/**
 * Object tags: never written by Strongroom, and a tag is a lever for tag-conditioned policies and
 * lifecycle filters. S3 also requires s3:PutObjectTagging for a PutObject, CopyObject or
 * CreateMultipartUpload that carries tags (x-amz-tagging), so this list covers tagging on write too.
 */
export const OBJECT_TAGGING_ACTIONS = [
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging',
  's3:DeleteObjectVersionTagging',
];

/**
 * Settings that expose the bucket (CORS, website), send word or copies of its listing and metadata
 * elsewhere (notifications, inventory, analytics, metrics), move its objects between tiers, or shift
 * its costs (accelerate, request payment). The Delete… APIs of CORS, analytics, inventory, metrics
 * and intelligent tiering are authorized by these same Put… actions; only the website has a delete
 * action of its own.
 */
export const BUCKET_EXPOSURE_ACTIONS = [
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
];

/**
 * Bucket settings whose change would weaken the vault or leak it (replication copies data out):
 * break-glass only. CloudFormation applies these only when the property itself changes, so an
 * ordinary `cdk deploy` never needs them; one that does must run as the break-glass role.
 */
export const BUCKET_RECONFIGURATION_ACTIONS = [
  's3:DeleteBucket',
  's3:DeleteBucketPolicy',
  's3:PutBucketObjectLockConfiguration',
  's3:PutLifecycleConfiguration',
  's3:PutBucketVersioning',
  's3:PutBucketOwnershipControls',
  's3:PutBucketAcl',
  's3:PutEncryptionConfiguration',
  's3:PutBucketPublicAccessBlock',
  's3:PutReplicationConfiguration',
  's3:PutBucketLogging',
  ...BUCKET_EXPOSURE_ACTIONS,
];

/** TLS only, for every principal (in the form cdk-nag's S10 check recognises). */
function denyInsecureTransport(bucket: string, objects: string): PolicyStatement {
  return {
    Sid: 'DenyInsecureTransport',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: [bucket, objects],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };
}

const exceptPrincipals = (principalArns: string[]) => ({
  ArnNotEquals: { 'aws:PrincipalArn': principalArns.length === 1 ? principalArns[0] : principalArns },
});

/**
 * Who may create objects where: under `objects/<account>/` and `journal/<account>/` only that
 * account's ingest role, under `reports/<account>/` only its (reserved) evidence writer, anywhere
 * else nobody; break-glass everywhere. Without these, any backup-account principal holding
 * s3:PutObject in its identity policy (an administrator, a restore reader whose policy was widened)
 * could forge backups, journal segments or reports. A policy variable cannot tie a role to its
 * prefix, so the first two statements are per account; they and the NotResource list grow by one
 * account's worth each (see the size proof in test/policy/vault-bucket-writes.test.ts).
 */
function objectCreationDenies(m: VaultPolicyModel, breakGlass: string): PolicyStatement[] {
  const under = (area: VaultArea, account: string) => arns.objects(m, m.vaultBucket, accountPrefix(area, account));
  const role = (name: string) => arns.role(m, m.backupAccount, name);
  const perAccount = m.primaryAccounts.flatMap((account): PolicyStatement[] => [
    {
      Sid: accountSid('DenyBackupWritesExceptIngest', account),
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_CREATION_ACTION,
      Resource: [under('objects', account), under('journal', account)],
      Condition: exceptPrincipals([role(m.roleNames.ingest(account)), breakGlass]),
    },
    {
      Sid: accountSid('DenyReportWritesExceptEvidenceWriter', account),
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_CREATION_ACTION,
      Resource: under('reports', account),
      Condition: exceptPrincipals([role(m.roleNames.evidenceWriter(account)), breakGlass]),
    },
  ]);
  const areas = Object.keys(VAULT_PREFIXES) as VaultArea[];
  return [
    ...perAccount,
    {
      // Any other key: outside the three areas, or under an account that is not configured.
      Sid: 'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_CREATION_ACTION,
      NotResource: m.primaryAccounts.flatMap((account) => areas.map((area) => under(area, account))),
      Condition: exceptPrincipals([breakGlass]),
    },
  ];
}

/**
 * The vault bucket's policy: the grants of every vault role (with the role as Principal), then the
 * denies that hold for every principal but break-glass. A bucket policy cannot stop the account
 * root from replacing it: the emitted SCP does that (see scp.ts).
 */
export function vaultBucketPolicy(m: VaultPolicyModel): PolicyDocument {
  const bucket = arns.bucket(m, m.vaultBucket);
  const objects = arns.objects(m, m.vaultBucket);
  const breakGlass = arns.breakGlass(m);
  const grants = m.primaryAccounts.flatMap((account) =>
    VAULT_ROLE_KINDS.flatMap((kind) => {
      const roleName = m.roleNames[kind](account);
      return vaultRoleGrants(m, kind, account).map((s) => withPrincipal(s, [arns.role(m, m.backupAccount, roleName)]));
    }),
  );
  const readers = m.primaryAccounts.map((account) => arns.role(m, m.backupAccount, m.roleNames.restoreReader(account)));
  const denies: PolicyStatement[] = [
    denyInsecureTransport(bucket, objects),
    {
      Sid: 'DenyObjectDestructionExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_DESTRUCTION_ACTIONS,
      Resource: objects,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      // With s3:PutObjectRetention denied AWS already refuses such puts; this says so explicitly,
      // so a stolen ingest credential cannot pick a weaker mode or a cost-attack retention.
      Sid: 'DenyPutWithRetentionHeadersExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { Null: { 's3:object-lock-mode': 'false' }, ...exceptPrincipals([breakGlass]) },
    },
    {
      Sid: 'DenyPutWithRetainUntilHeaderExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { Null: { 's3:object-lock-retain-until-date': 'false' }, ...exceptPrincipals([breakGlass]) },
    },
    {
      Sid: 'DenyPutWithLegalHoldHeaderExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: objects,
      Condition: { Null: { 's3:object-lock-legal-hold': 'false' }, ...exceptPrincipals([breakGlass]) },
    },
    {
      // Every object-creating write (PutObject, CompleteMultipartUpload) must carry If-None-Match: *,
      // so a key, once written, never gets another version: a stolen ingest credential can add new
      // entries but can neither overwrite nor shadow an existing one. CreateMultipartUpload and
      // UploadPart take no conditional header; s3:ObjectCreationOperation is false for them.
      Sid: 'DenyOverwritesExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Resource: objects,
      Condition: {
        Null: { 's3:if-none-match': 'true' },
        Bool: { 's3:ObjectCreationOperation': 'true' },
        ...exceptPrincipals([breakGlass]),
      },
    },
    ...objectCreationDenies(m, breakGlass),
    {
      Sid: 'DenyReplicationWritesExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: REPLICATION_WRITE_ACTIONS,
      Resource: objects,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      Sid: 'DenyObjectTaggingExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: OBJECT_TAGGING_ACTIONS,
      Resource: objects,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      // Backed-up bytes are for restores only: not even the backup account's admins read them.
      Sid: 'DenyDataReadsExceptRestoreReaders',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: arns.objects(m, m.vaultBucket, VAULT_PREFIXES.objects),
      Condition: exceptPrincipals([...readers, breakGlass]),
    },
    {
      Sid: 'DenyBucketReconfigurationExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: BUCKET_RECONFIGURATION_ACTIONS,
      Resource: bucket,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      // docs/deploy-time-behaviours.md, item 3: without the deploy role's exemption the next
      // `cdk deploy` that changes this policy (a new primary account, say) would fail.
      Sid: 'DenyPolicyChangesExceptBreakGlassAndDeployer',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutBucketPolicy',
      Resource: bucket,
      Condition: exceptPrincipals([breakGlass, arns.deployRole(m)]),
    },
  ];
  return policy(...grants, ...denies);
}

/**
 * The access-log bucket cannot have Object Lock (S3 refuses a locked log destination), so its
 * protection is this policy: deletes and reconfiguration denied to all but break-glass.
 * The S3 logging service's own grant is added by CDK alongside.
 */
export function vaultLogBucketPolicyStatements(m: VaultPolicyModel): PolicyStatement[] {
  const bucket = arns.bucket(m, m.vaultLogBucket);
  const objects = arns.objects(m, m.vaultLogBucket);
  const breakGlass = arns.breakGlass(m);
  return [
    denyInsecureTransport(bucket, objects),
    {
      Sid: 'DenyLogDeletionExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: ['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectAcl', 's3:PutObjectVersionAcl'],
      Resource: objects,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      Sid: 'DenyLogBucketReconfigurationExceptBreakGlass',
      Effect: 'Deny',
      Principal: '*',
      Action: BUCKET_RECONFIGURATION_ACTIONS.filter((a) => a !== 's3:PutBucketObjectLockConfiguration'),
      Resource: bucket,
      Condition: exceptPrincipals([breakGlass]),
    },
    {
      Sid: 'DenyLogPolicyChangesExceptBreakGlassAndDeployer',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutBucketPolicy',
      Resource: bucket,
      Condition: exceptPrincipals([breakGlass, arns.deployRole(m)]),
    },
  ];
}
