/**
 * How the vault's policy documents reach the local S3 (Ceph RGW pacific) — pure functions, no I/O.
 *
 * The documents themselves always come from lib/policy, built from a local VaultPolicyModel (tenants in
 * place of account ids, local bucket names in place of the configured ones), so the local vault is governed
 * by the same statements as the deployed one. RGW evaluates a subset of IAM policy language; where it
 * differs, the functions below adapt a document in ONE visible place each, and RGW_ADAPTATIONS lists every
 * adaptation with where the AWS behaviour is proven instead. Anything the mapping does not recognise (a new
 * condition key, a new kind of deny) is refused with an error rather than passed through unexamined: on RGW
 * an unevaluated condition fails silently.
 */
import { StrongroomError } from '../contract/errors';
import { BUCKET_NAME_PATTERN } from '../contract/names';
import type { PrimaryAccountConfig, StrongroomConfig } from '../lib/config/schema';
import { asList, type PolicyDocument, type PolicyStatement } from '../lib/policy/document';
import { type VaultPolicyModel, vaultPolicyModel } from '../lib/policy/model';

export class RgwMappingError extends StrongroomError {
  override name = 'RgwMappingError';
}

// ---- the local model --------------------------------------------------------------------------------------

/** Where the configured AWS names live on the local S3. */
export interface LocalMapping {
  /** AWS account id -> RGW tenant (the tenant stands in for the account), for the backup and every primary account. */
  readonly tenants: Readonly<Record<string, string>>;
  /** Configured bucket name -> local bucket name: vault, vault log bucket, every source and restore target. */
  readonly buckets: Readonly<Record<string, string>>;
}

/** RGW ARNs always use the `aws` partition, whatever the configured region. */
export const RGW_PARTITION = 'aws';

const TENANT = /^[a-z0-9_]{1,32}$/;

/** Every bucket name the documents of this config mention. */
export function configuredBuckets(config: StrongroomConfig): string[] {
  const aws = vaultPolicyModel(config);
  return [
    aws.vaultBucket,
    aws.vaultLogBucket,
    ...config.primaryAccounts.flatMap((a) => [...a.sources.map((s) => s.bucket), ...a.restoreTargets]),
  ];
}

/** Throws unless the mapping covers every account and bucket of the config, one-to-one, with valid local names. */
export function assertMappingCovers(config: StrongroomConfig, mapping: LocalMapping): void {
  const accounts = [config.backupAccount.accountId, ...config.primaryAccounts.map((a) => a.accountId)];
  const problems: string[] = [];
  const seenTenants = new Map<string, string>();
  for (const account of accounts) {
    const tenant = mapping.tenants[account];
    if (tenant === undefined) problems.push(`account ${account} has no tenant`);
    else if (!TENANT.test(tenant)) problems.push(`account ${account} -> tenant '${tenant}' is not a tenant name ([a-z0-9_])`);
    else if (seenTenants.has(tenant))
      problems.push(`accounts ${seenTenants.get(tenant)} and ${account} share tenant '${tenant}'`);
    else seenTenants.set(tenant, account);
  }
  const seenBuckets = new Map<string, string>();
  for (const bucket of configuredBuckets(config)) {
    const local = mapping.buckets[bucket];
    if (local === undefined) problems.push(`bucket ${bucket} has no local name`);
    else if (!BUCKET_NAME_PATTERN.test(local)) problems.push(`bucket ${bucket} -> '${local}' is not a valid bucket name`);
    else if (seenBuckets.has(local)) problems.push(`buckets ${seenBuckets.get(local)} and ${bucket} share local name '${local}'`);
    else seenBuckets.set(local, bucket);
  }
  if (problems.length > 0) throw new RgwMappingError(`local mapping for config '${config.name}': ${problems.join('; ')}`);
}

function lookup(table: Readonly<Record<string, string>>, key: string, what: string): string {
  const value = table[key];
  if (value === undefined) throw new RgwMappingError(`no local ${what} for '${key}'`);
  return value;
}

/**
 * The VaultPolicyModel of the local vault: lib/policy's model of this config with account ids replaced by
 * tenants and bucket names by local ones. Role names are derived from the account they serve, so they
 * carry the tenant too (`<name>-ingest-<tenant>`), as the AWS names carry the account id.
 */
export function localVaultPolicyModel(config: StrongroomConfig, mapping: LocalMapping): VaultPolicyModel {
  assertMappingCovers(config, mapping);
  const aws = vaultPolicyModel(config);
  const rename = awsToLocal(config, mapping).text;
  return {
    ...aws,
    partition: RGW_PARTITION,
    backupAccount: lookup(mapping.tenants, aws.backupAccount, 'tenant'),
    primaryAccounts: aws.primaryAccounts.map((account) => lookup(mapping.tenants, account, 'tenant')),
    vaultBucket: lookup(mapping.buckets, aws.vaultBucket, 'bucket'),
    vaultLogBucket: lookup(mapping.buckets, aws.vaultLogBucket, 'bucket'),
    roleNames: {
      ...aws.roleNames,
      // fixed names that may embed the backup account id (the CDK deploy role does)
      breakGlass: rename(aws.roleNames.breakGlass),
      deploy: rename(aws.roleNames.deploy),
    },
  };
}

/** A primary account's config as the local documents see it: its tenant as account id, local bucket names. */
export function localPrimaryAccount(account: PrimaryAccountConfig, mapping: LocalMapping): PrimaryAccountConfig {
  return {
    ...account,
    accountId: lookup(mapping.tenants, account.accountId, 'tenant'),
    sources: account.sources.map((source) => ({ ...source, bucket: lookup(mapping.buckets, source.bucket, 'bucket') })),
    restoreTargets: account.restoreTargets.map((bucket) => lookup(mapping.buckets, bucket, 'bucket')),
  };
}

/**
 * The ARN mapping as a string substitution (what a reader does in their head when comparing a local
 * document with the deployed one): the partition becomes `aws`, bucket names inside S3 ARNs become the local
 * names, and every account id becomes its tenant — in ARNs, vault key prefixes, role names and Sids alike.
 * Sids name buckets in their Sid-safe form (letters and digits only), so they get their own substitution.
 */
export function awsToLocal(
  config: StrongroomConfig,
  mapping: LocalMapping,
): { text: (s: string) => string; sid: (s: string) => string } {
  const partition = vaultPolicyModel(config).partition;
  const alternation = (words: string[]) =>
    [...words]
      .sort((a, b) => b.length - a.length)
      .map((w) => w.replace(/[^0-9A-Za-z]/g, '\\$&'))
      .join('|') || '(?!)';
  const accountIds = new RegExp(alternation(Object.keys(mapping.tenants)), 'g');
  const tenantsIn = (text: string) => text.replace(accountIds, (account) => mapping.tenants[account] as string);
  // One pass, so that nothing is substituted twice: a bucket in an S3 ARN is replaced whole (the default vault
  // bucket name embeds the backup account id, and a local name may embed the configured one), anything else
  // has its account ids replaced.
  const tokens = new RegExp(`(arn:${RGW_PARTITION}:s3:::)([^/*]+)|${accountIds.source}`, 'g');
  const sidSafe = (name: string) => name.replace(/[^A-Za-z0-9]/g, '');
  const sidBuckets = new Map(Object.entries(mapping.buckets).map(([aws, local]) => [sidSafe(aws), sidSafe(local)]));
  const sidTokens = new RegExp(`${alternation([...sidBuckets.keys()])}|${accountIds.source}`, 'g');
  return {
    text: (text) =>
      text
        .replaceAll(`arn:${partition}:`, `arn:${RGW_PARTITION}:`)
        .replace(tokens, (whole, head: string | undefined, bucket: string | undefined) => {
          if (head === undefined || bucket === undefined) return mapping.tenants[whole] as string;
          return `${head}${mapping.buckets[bucket] ?? tenantsIn(bucket)}`;
        }),
    sid: (sid) => sid.replace(sidTokens, (token) => sidBuckets.get(token) ?? (mapping.tenants[token] as string)),
  };
}

/** A deployed (AWS) policy document or statement list, with the ARN mapping applied to every string in it. */
export function mapAwsToLocal<T>(value: T, config: StrongroomConfig, mapping: LocalMapping): T {
  const map = awsToLocal(config, mapping);
  const walk = (node: unknown, key?: string): unknown => {
    if (typeof node === 'string') return key === 'Sid' ? map.sid(node) : map.text(node);
    if (Array.isArray(node)) return node.map((item) => walk(item));
    if (node !== null && typeof node === 'object') {
      return Object.fromEntries(Object.entries(node).map(([k, v]) => [map.text(k), walk(v, k)]));
    }
    return node;
  };
  return walk(value) as T;
}

// ---- the adaptations ----------------------------------------------------------------------------------------

export type AdaptationId =
  | 'exempting-deny'
  | 'unevaluated-condition-statement'
  | 'unknown-action'
  | 'absent-service-statement'
  | 'assume-role-identity-statement'
  | 'trust-conditions'
  | 'trust-stand-in-principals'
  | 'stand-in-users'
  | 'secure-transport'
  | 'object-ownership'
  | 'put-lock-headers'
  | 'put-tagging-header'
  | 'checksums'
  | 'public-access-block'
  | 'no-access-log-bucket';

export interface Adaptation {
  readonly id: AdaptationId;
  /** The statement, condition or feature concerned. */
  readonly subject: string;
  /** What RGW pacific does with it (measured on this server: test/integ/rgw-adaptations.test.ts). */
  readonly rgw: string;
  /** What the local provisioner does about it. */
  readonly local: string;
  /** Where the AWS behaviour is proven instead. */
  readonly awsProof: string;
}

/** Every way the local vault differs from the deployed one. The README's testing section reproduces this table. */
export const RGW_ADAPTATIONS: readonly Adaptation[] = [
  {
    id: 'exempting-deny',
    subject:
      'Every bucket-policy Deny of the form {Principal "*", ArnNotEquals aws:PrincipalArn [exempt]} (DenyObjectDestructionExceptBreakGlass, DenyBackupWritesExceptIngest<account>, DenyReportWritesExceptEvidenceWriter<account>, DenyWritesOutsideAccountPrefixesExceptBreakGlass, DenyObjectTaggingExceptBreakGlass, DenyDataReadsExceptRestoreReaders, DenyBucketReconfigurationExceptBreakGlass, DenyPolicyChangesExceptBreakGlassAndDeployer)',
    rgw: 'aws:PrincipalArn is not evaluated in conditions: the deny silently never applies',
    local:
      'Principal becomes every local principal that is not exempt — the primary tenant as a whole (tenant root ARN, which RGW matches to each of its users), the backup admin and the vault roles — and the condition is removed; exempt roles stay absent, and so do their stand-in users (so under reports/<account>/ only that account’s evidence writer and break-glass may write)',
    awsProof: 'test/policy/vault-bucket.test.ts (every caller kind, exempt and not) and its guards',
  },
  {
    id: 'unevaluated-condition-statement',
    subject:
      'DenyPutWithRetentionHeadersExceptBreakGlass, DenyPutWithRetainUntilHeaderExceptBreakGlass, DenyPutWithLegalHoldHeaderExceptBreakGlass (Null on s3:object-lock-*), DenyOverwritesExceptBreakGlass (Null on s3:if-none-match, s3:ObjectCreationOperation)',
    rgw: 'Null on s3:object-lock-mode is mis-evaluated (it denied a plain put without lock headers); If-None-Match is ignored on PutObject and CompleteMultipartUpload',
    local:
      'statement dropped: locally a writer can give its own new versions a weaker lock, and an overwrite adds a new version (every earlier version stays locked)',
    awsProof:
      'lock headers: test/policy/vault-bucket.test.ts (ingest rows with lock headers); overwrites without If-None-Match: test/policy/vault-bucket.test.ts (ingest rows and the DenyOverwritesExceptBreakGlass guard)',
  },
  {
    id: 'unknown-action',
    subject:
      's3:PutBucketOwnershipControls, s3:GetBucketOwnershipControls, s3:PutEncryptionConfiguration, s3:GetEncryptionConfiguration; s3:PutAnalyticsConfiguration, s3:PutInventoryConfiguration, s3:PutMetricsConfiguration, s3:PutIntelligentTieringConfiguration (DenyBucketReconfigurationExceptBreakGlass); s3:ReplicateObject, s3:ReplicateDelete, s3:ReplicateTags (DenyReplicationWritesExceptBreakGlass)',
    rgw: 'unknown to pacific: a policy naming one is refused whole (400 InvalidArgument); the operations themselves are refused too (ownership, encryption, analytics, inventory, metrics, intelligent tiering: 400; bucket replication: 405)',
    local:
      'removed from the action lists; a statement left without actions is dropped (DenyReplicationWritesExceptBreakGlass: nothing can replicate into the local vault)',
    awsProof:
      'test/infra/vault-stack.test.ts (ownership and encryption settings, reconfiguration deny); test/policy/vault-bucket-writes.test.ts (replication writes, analytics / inventory / metrics / intelligent-tiering changes)',
  },
  {
    id: 'absent-service-statement',
    subject: 'Identity statements on services the local S3 does not have: backup:*, kms:*, lambda:*, states:*, tag:*',
    rgw: 'a role or user policy naming them is refused whole (400)',
    local: 'statement dropped from the role / user policy',
    awsProof:
      'test/policy/backup-vault.test.ts, test/policy/kms.test.ts, test/policy/verify-aws-reads.test.ts, test/infra (ProtectedAccountStack templates)',
  },
  {
    id: 'assume-role-identity-statement',
    subject: 'Identity statements granting sts:AssumeRole on a vault role (the Assume…Role statements of the function roles)',
    rgw: "a user policy naming another tenant's role ARN is refused whole (400); and AssumeRole never consults identity policies (even an explicit Deny is ignored): the trust alone decides",
    local: 'statement dropped; the mapped trust names exactly the stand-in the AWS trust admits',
    awsProof:
      "test/policy/vault-role-trust.test.ts (trust side); the function roles' grants in the ProtectedAccountStack templates",
  },
  {
    id: 'trust-conditions',
    subject: 'Trust policy conditions sts:ExternalId and aws:PrincipalArn (AssumeFromNamedPrimaryRole)',
    rgw: 'any Condition in a trust policy makes AssumeRole fail (403); without one, any ExternalId is accepted',
    local: 'conditions dropped; callers still send the external id',
    awsProof: 'test/policy/vault-role-trust.test.ts (wrong or missing external id, unnamed caller) and its guards',
  },
  {
    id: 'trust-stand-in-principals',
    subject: 'Trust principal arn:aws:iam::<primary>:root pinned by aws:PrincipalArn to the named function roles',
    rgw: 'the tenant root admits every user of the tenant, and the pin is not evaluated',
    local:
      'the root is replaced by the stand-in users of exactly the roles the pin names (…:role/<name>-copier -> …:user/<name>-copier), so the primary admin still cannot assume a vault role',
    awsProof: 'test/policy/vault-role-trust.test.ts',
  },
  {
    id: 'stand-in-users',
    subject: 'Primary-account function roles (copier, reconciler, restore, verify, sealer) and the break-glass role',
    rgw: 'no Lambda here; RGW roles can only be assumed by principals named in their trust',
    local:
      'one user per role, named like it: function stand-ins in the primary tenant carry lib/policy/primary-roles.ts statements as user policies; the break-glass stand-in (backup tenant) carries s3:* on the vault',
    awsProof: 'test/infra (ProtectedAccountStack roles), test/policy/vault-bucket.test.ts (break-glass exemption)',
  },
  {
    id: 'secure-transport',
    subject: 'DenyInsecureTransport (Bool aws:SecureTransport false)',
    rgw: 'not evaluated: the deny never fires (the local endpoint is plain HTTP on 127.0.0.1)',
    local: 'kept unchanged (harmless)',
    awsProof: 'test/policy/vault-bucket.test.ts (plain HTTP is refused to everyone)',
  },
  {
    id: 'object-ownership',
    subject: 'Object ownership (BucketOwnerEnforced on AWS)',
    rgw: 'the writer owns what it writes: without bucket-owner-full-control the bucket owner cannot read it. A user may read back what it wrote (ownership); a role session never gets ACL-based access, only what policies grant',
    local:
      "every vault write carries ACL 'bucket-owner-full-control'; the mapped DenyDataReadsExceptRestoreReaders also names the ingest role (which on RGW is write-only already for want of any read grant)",
    awsProof: 'test/infra/vault-stack.test.ts (owned by the bucket owner whoever writes)',
  },
  {
    id: 'put-lock-headers',
    subject: 's3:PutObjectRetention / s3:PutObjectLegalHold on a PutObject that carries lock headers',
    rgw: 'not checked: a writer may give its new version GOVERNANCE mode or a shorter date',
    local: 'nothing to map; existing versions stay protected (PutObjectRetention on them is denied and COMPLIANCE holds)',
    awsProof: 'test/policy/vault-bucket.test.ts (ingest rows with lock headers)',
  },
  {
    id: 'put-tagging-header',
    subject: 's3:PutObjectTagging on a PutObject that carries tags (x-amz-tagging)',
    rgw: 'not checked: with s3:PutObjectTagging denied, a writer allowed s3:PutObject still stores its new object with tags (tagging an existing object is refused)',
    local: 'nothing to map; only the ingest role, under its own prefixes, may write at all, and Strongroom never sends tags',
    awsProof:
      'test/policy/vault-bucket-writes.test.ts (ingest and admin rows tagging on write, DenyObjectTaggingExceptBreakGlass)',
  },
  {
    id: 'checksums',
    subject: 'x-amz-checksum-sha256 on writes',
    rgw: 'accepted but neither validated nor stored (Content-MD5 is validated)',
    local: 'local writes send Content-MD5; SHA-256 is computed and recorded by Strongroom itself',
    awsProof: 'notes: AWS validates both; lambda/core computes SHA-256 while streaming',
  },
  {
    id: 'public-access-block',
    subject: 'Block Public Access on the vault bucket (BLOCK_ALL on AWS)',
    rgw: 'BlockPublicPolicy judges any Allow to a role public and refuses the vault policy (403); with the ACL settings on, writes carrying bucket-owner-full-control are refused (403)',
    local: 'not applied (nothing is public: no Allow to "*", no public ACL)',
    awsProof: 'test/infra/vault-stack.test.ts (fully private)',
  },
  {
    id: 'no-access-log-bucket',
    subject: 'Vault access-log bucket and its policy (vaultLogBucketPolicyStatements)',
    rgw: 'pacific has no server access logging (PutBucketLogging: 405 MethodNotAllowed)',
    local: 'not created locally (its name stays in the model, unused)',
    awsProof: 'test/infra/vault-stack.test.ts (the access-log bucket), test/policy/vault-bucket.test.ts (log bucket policy)',
  },
];

/** The adaptations table as Markdown, for the README. */
export function adaptationsMarkdown(): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  return [
    '| What | RGW pacific | Local vault | AWS behaviour proven in |',
    '|---|---|---|---|',
    ...RGW_ADAPTATIONS.map((a) => `| ${cell(a.subject)} | ${cell(a.rgw)} | ${cell(a.local)} | ${cell(a.awsProof)} |`),
  ].join('\n');
}

/** One change a mapping function made, naming the adaptation that justifies it. */
export interface AppliedAdaptation {
  readonly adaptation: AdaptationId;
  /** Sid of the statement concerned (or its index when it has none). */
  readonly statement: string;
  readonly detail: string;
}

export interface RgwDocument {
  readonly document: PolicyDocument;
  readonly applied: readonly AppliedAdaptation[];
}

// ---- what RGW pacific understands -----------------------------------------------------------------------

/**
 * The IAM actions RGW pacific knows: the action table of rgw_iam_policy, as read from Debian's librgw 16.2.15.
 * A policy naming any other action of these services is refused whole; wildcards (`s3:*`, `s3:GetObject*`)
 * are accepted.
 */
export const RGW_PACIFIC_ACTIONS: ReadonlySet<string> = new Set([
  ...[
    'AbortMultipartUpload',
    'BypassGovernanceRetention',
    'CreateBucket',
    'DeleteBucket',
    'DeleteBucketPolicy',
    'DeleteBucketPublicAccessBlock',
    'DeleteBucketWebsite',
    'DeleteObject',
    'DeleteObjectTagging',
    'DeleteObjectVersion',
    'DeleteObjectVersionTagging',
    'DeletePublicAccessBlock',
    'DeleteReplicationConfiguration',
    'GetAccelerateConfiguration',
    'GetBucketAcl',
    'GetBucketCORS',
    'GetBucketLocation',
    'GetBucketLogging',
    'GetBucketNotification',
    'GetBucketObjectLockConfiguration',
    'GetBucketPolicy',
    'GetBucketPolicyStatus',
    'GetBucketPublicAccessBlock',
    'GetBucketRequestPayment',
    'GetBucketTagging',
    'GetBucketVersioning',
    'GetBucketWebsite',
    'GetLifecycleConfiguration',
    'GetObject',
    'GetObjectAcl',
    'GetObjectLegalHold',
    'GetObjectRetention',
    'GetObjectTagging',
    'GetObjectTorrent',
    'GetObjectVersion',
    'GetObjectVersionAcl',
    'GetObjectVersionTagging',
    'GetObjectVersionTorrent',
    'GetPublicAccessBlock',
    'GetReplicationConfiguration',
    'ListAllMyBuckets',
    'ListBucket',
    'ListBucketMultipartUploads',
    'ListBucketVersions',
    'ListMultipartUploadParts',
    'PutAccelerateConfiguration',
    'PutBucketAcl',
    'PutBucketCORS',
    'PutBucketLogging',
    'PutBucketNotification',
    'PutBucketObjectLockConfiguration',
    'PutBucketPolicy',
    'PutBucketPublicAccessBlock',
    'PutBucketRequestPayment',
    'PutBucketTagging',
    'PutBucketVersioning',
    'PutBucketWebsite',
    'PutLifecycleConfiguration',
    'PutObject',
    'PutObjectAcl',
    'PutObjectLegalHold',
    'PutObjectRetention',
    'PutObjectTagging',
    'PutObjectVersionAcl',
    'PutObjectVersionTagging',
    'PutPublicAccessBlock',
    'PutReplicationConfiguration',
    'RestoreObject',
  ].map((a) => `s3:${a}`),
  ...[
    'CreateRole',
    'DeleteRole',
    'DeleteRolePolicy',
    'DeleteUserPolicy',
    'GetRole',
    'GetRolePolicy',
    'GetUserPolicy',
    'ListRolePolicies',
    'ListRoles',
    'ListUserPolicies',
    'ModifyRole',
    'PutRolePolicy',
    'PutUserPolicy',
    'TagRole',
    'UntagRole',
  ].map((a) => `iam:${a}`),
  ...['AssumeRole', 'AssumeRoleWithWebIdentity', 'GetSessionToken', 'TagSession'].map((a) => `sts:${a}`),
]);

/** Services the local S3 implements; statements about any other service cannot be stored there. */
const RGW_SERVICES = new Set(['s3', 'iam', 'sts']);

const serviceOf = (action: string) => action.split(':')[0] ?? '';
const isWildcard = (action: string) => action === '*' || action.includes('*') || action.includes('?');

/** Condition keys whose RGW behaviour is known and which the local documents may keep as they are. */
const KEPT_CONDITION_KEYS = new Set([
  // evaluated by RGW (list grants scoped to an account's prefixes: test/integ)
  's3:prefix',
  // not evaluated, but only ever in a Deny on `false`, which then never fires: harmless (adaptation secure-transport)
  'aws:SecureTransport',
]);

/**
 * Condition keys RGW does not evaluate correctly: a statement that still depends on one after the exempting
 * condition is rewritten is dropped (adaptation unevaluated-condition-statement).
 */
const UNEVALUATED_CONDITION_KEYS = new Set([
  's3:object-lock-mode',
  's3:object-lock-retain-until-date',
  's3:object-lock-legal-hold',
  's3:object-lock-remaining-retention-days',
  's3:if-none-match',
  's3:ObjectCreationOperation',
]);

const sidOf = (statement: PolicyStatement, index: number) => statement.Sid ?? `#${index}`;
const one = (list: string[]): string | string[] => (list.length === 1 ? (list[0] as string) : list);

function conditionKeys(statement: PolicyStatement): string[] {
  return Object.values(statement.Condition ?? {}).flatMap((block) => Object.keys(block));
}

/** Drops actions pacific does not know (adaptation unknown-action); a statement left with none is dropped. */
function knownActionsOnly(statement: PolicyStatement, label: string, applied: AppliedAdaptation[]): PolicyStatement | undefined {
  const actions = asList(statement.Action);
  const unknown = actions.filter((a) => RGW_SERVICES.has(serviceOf(a)) && !isWildcard(a) && !RGW_PACIFIC_ACTIONS.has(a));
  if (unknown.length === 0) return statement;
  const kept = actions.filter((a) => !unknown.includes(a));
  const dropped = kept.length === 0 ? '; no action left, statement dropped' : '';
  applied.push({ adaptation: 'unknown-action', statement: label, detail: `removed ${unknown.join(', ')}${dropped}` });
  if (kept.length === 0) return undefined;
  return { ...statement, Action: one(kept) };
}

function assertConditionKeysKnown(statement: PolicyStatement, label: string, where: string): void {
  const unknown = conditionKeys(statement).filter((k) => !KEPT_CONDITION_KEYS.has(k));
  if (unknown.length > 0) {
    throw new RgwMappingError(
      `${where} statement ${label} uses condition key(s) ${unknown.join(', ')} whose evaluation on RGW is not established: ` +
        'measure it (test/integ/rgw-adaptations.test.ts) and add a rule and a row to RGW_ADAPTATIONS',
    );
  }
}

// ---- bucket policy ------------------------------------------------------------------------------------------

/** Who exists on the local S3, for turning `Principal "*"` plus an exemption into an explicit list. */
export interface LocalPrincipals {
  /**
   * Tenants none of whose principals may ever be exempt (the primary tenants): the deny names each by its
   * root ARN, which RGW matches to every user of the tenant, present or created later.
   */
  readonly wholeTenants: readonly string[];
  /** Principals (user and role ARNs) of the other tenants, each named individually. */
  readonly principals: readonly string[];
  /** ARN of an AWS role -> ARN of the local user standing in for it (function roles, break-glass). */
  readonly standIns: Readonly<Record<string, string>>;
}

const tenantOfArn = (arn: string) => arn.split(':')[4] ?? '';
const rootOf = (tenant: string) => `arn:${RGW_PARTITION}:iam::${tenant}:root`;

/** The exempt ARNs of `ArnNotEquals aws:PrincipalArn`, or undefined when the statement has no such exemption. */
function exemptPrincipals(statement: PolicyStatement): string[] | undefined {
  const value = statement.Condition?.ArnNotEquals?.['aws:PrincipalArn'];
  return value === undefined ? undefined : asList(value as string | string[]);
}

function withoutExemption(condition: PolicyStatement['Condition']): PolicyStatement['Condition'] | undefined {
  if (!condition) return undefined;
  const rest: NonNullable<PolicyStatement['Condition']> = {};
  for (const [operator, block] of Object.entries(condition)) {
    const kept = Object.fromEntries(
      Object.entries(block).filter(([key]) => !(operator === 'ArnNotEquals' && key === 'aws:PrincipalArn')),
    );
    if (Object.keys(kept).length > 0) rest[operator] = kept;
  }
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * The vault bucket policy as RGW pacific can enforce it. Applies, in this order: drop statements that depend
 * on unevaluated condition keys; rewrite exempting denies into explicit principals; remove unknown actions.
 * Grants and every other statement pass unchanged.
 */
export function toRgwBucketPolicy(doc: PolicyDocument, local: LocalPrincipals): RgwDocument {
  const applied: AppliedAdaptation[] = [];
  const statements: PolicyStatement[] = [];
  doc.Statement.forEach((original, index) => {
    const label = sidOf(original, index);
    const unevaluated = conditionKeys(original).filter((k) => UNEVALUATED_CONDITION_KEYS.has(k));
    if (unevaluated.length > 0) {
      applied.push({
        adaptation: 'unevaluated-condition-statement',
        statement: label,
        detail: `dropped (${unevaluated.join(', ')})`,
      });
      return;
    }
    let statement = original;
    const exempt = exemptPrincipals(statement);
    if (exempt !== undefined) {
      if (statement.Effect !== 'Deny' || statement.Principal !== '*') {
        throw new RgwMappingError(`bucket policy statement ${label}: aws:PrincipalArn exemption outside a Deny on Principal "*"`);
      }
      const exemptLocal = new Set([...exempt, ...exempt.flatMap((arn) => (local.standIns[arn] ? [local.standIns[arn]] : []))]);
      for (const tenant of local.wholeTenants) {
        const inside = [...exemptLocal].filter((arn) => tenantOfArn(arn) === tenant);
        if (inside.length > 0) {
          throw new RgwMappingError(
            `bucket policy statement ${label}: exempts ${inside.join(', ')} in tenant '${tenant}', which the deny names as a whole`,
          );
        }
      }
      const denied = [...local.wholeTenants.map(rootOf), ...local.principals.filter((arn) => !exemptLocal.has(arn))];
      if (denied.length === 0) throw new RgwMappingError(`bucket policy statement ${label}: no local principal left to deny`);
      const condition = withoutExemption(statement.Condition);
      const { Condition: _dropped, ...rest } = statement;
      statement = { ...rest, Principal: { AWS: one(denied) }, ...(condition ? { Condition: condition } : {}) };
      applied.push({
        adaptation: 'exempting-deny',
        statement: label,
        detail: `Principal "*" except ${exempt.join(', ')} -> ${denied.join(', ')}`,
      });
    }
    assertConditionKeysKnown(statement, label, 'bucket policy');
    const known = knownActionsOnly(statement, label, applied);
    if (known) statements.push(known);
  });
  return { document: { ...doc, Statement: statements }, applied };
}

// ---- trust policies -----------------------------------------------------------------------------------------

/**
 * A vault role's trust as RGW can evaluate it: no conditions (any condition fails AssumeRole), and the
 * primary account root replaced by the stand-in users of the roles its aws:PrincipalArn condition pinned.
 */
export function toRgwTrust(doc: PolicyDocument, standIns: Readonly<Record<string, string>>): RgwDocument {
  const applied: AppliedAdaptation[] = [];
  const statements = doc.Statement.map((statement, index): PolicyStatement => {
    const label = sidOf(statement, index);
    if (statement.Principal === '*' || statement.Principal?.Service !== undefined) {
      throw new RgwMappingError(`trust statement ${label}: only AWS principals can be mapped to local users`);
    }
    const pinned = [
      ...asList(statement.Condition?.ArnEquals?.['aws:PrincipalArn'] as string | string[] | undefined),
      ...asList(statement.Condition?.ArnLike?.['aws:PrincipalArn'] as string | string[] | undefined),
    ];
    const standIn = (arn: string) => {
      const user = standIns[arn];
      if (!user) throw new RgwMappingError(`trust statement ${label}: no local stand-in for ${arn}`);
      return user;
    };
    const principals = asList(statement.Principal?.AWS).flatMap((arn) => {
      if (!arn.endsWith(':root')) return [standIns[arn] ?? arn];
      const pins = pinned.filter((p) => tenantOfArn(p) === tenantOfArn(arn));
      if (pins.length === 0) {
        throw new RgwMappingError(
          `trust statement ${label}: ${arn} is not pinned to named roles; on RGW it would admit every user`,
        );
      }
      const users = pins.map(standIn);
      applied.push({ adaptation: 'trust-stand-in-principals', statement: label, detail: `${arn} -> ${users.join(', ')}` });
      return users;
    });
    const { Condition, ...rest } = statement;
    if (Condition) {
      applied.push({
        adaptation: 'trust-conditions',
        statement: label,
        detail: `dropped ${conditionKeys(statement).join(', ')}`,
      });
    }
    return { ...rest, Principal: { AWS: one(principals) } };
  });
  return { document: { ...doc, Statement: statements }, applied };
}

// ---- identity policies --------------------------------------------------------------------------------------

/**
 * A role or user policy as RGW can store it: statements on absent services and sts:AssumeRole grants dropped,
 * unknown actions removed.
 */
export function toRgwIdentityPolicy(doc: PolicyDocument): RgwDocument {
  const applied: AppliedAdaptation[] = [];
  const statements: PolicyStatement[] = [];
  doc.Statement.forEach((statement, index) => {
    const label = sidOf(statement, index);
    const actions = asList(statement.Action);
    const foreign = actions.filter((a) => !RGW_SERVICES.has(serviceOf(a)) && a !== '*');
    if (foreign.length > 0) {
      if (foreign.length !== actions.length) {
        throw new RgwMappingError(`identity statement ${label} mixes local and absent services (${foreign.join(', ')})`);
      }
      applied.push({ adaptation: 'absent-service-statement', statement: label, detail: `dropped (${foreign.join(', ')})` });
      return;
    }
    const assume = actions.filter((a) => serviceOf(a) === 'sts');
    if (assume.length > 0) {
      if (assume.length !== actions.length) {
        throw new RgwMappingError(`identity statement ${label} mixes sts: with other actions (${actions.join(', ')})`);
      }
      applied.push({ adaptation: 'assume-role-identity-statement', statement: label, detail: `dropped (${assume.join(', ')})` });
      return;
    }
    assertConditionKeysKnown(statement, label, 'identity policy');
    const known = knownActionsOnly(statement, label, applied);
    if (known) statements.push(known);
  });
  return { document: { ...doc, Statement: statements }, applied };
}

/** The role ARN a stand-in replaces, and its user ARN: `arn:aws:iam::<t>:role/<n>` -> `arn:aws:iam::<t>:user/<u>`. */
export function standInUserArn(tenant: string, user: string): string {
  return `arn:${RGW_PARTITION}:iam::${tenant}:user/${user}`;
}
