import { accountPrefix, type VaultArea } from '../../contract/vault-layout';

export { accountPrefix };

import { type PolicyDocument, type PolicyStatement, policy } from './document';
import { arns, type VaultPolicyModel } from './model';

/**
 * What each vault role may do, as identity-policy statements (no Principal). The vault bucket
 * policy repeats the same statements with the role as Principal, so the bucket's policy alone
 * tells an auditor the whole story of who can touch the vault.
 */
export type VaultRoleKind = 'ingest' | 'restoreReader' | 'auditor' | 'evidenceWriter';

export const VAULT_ROLE_KINDS: readonly VaultRoleKind[] = ['ingest', 'restoreReader', 'auditor', 'evidenceWriter'];

/** Bucket configuration an auditor reads to prove the vault is what it claims to be. */
export const VAULT_CONFIG_READ_ACTIONS = [
  's3:GetBucketObjectLockConfiguration',
  's3:GetBucketVersioning',
  's3:GetEncryptionConfiguration',
  's3:GetBucketPolicy',
  's3:GetBucketPolicyStatus',
  's3:GetBucketPublicAccessBlock',
  's3:GetBucketOwnershipControls',
  's3:GetBucketLogging',
  's3:GetLifecycleConfiguration',
  's3:GetBucketLocation',
];

/** The Sid of a per-account statement: its name, then the account id (Sids take letters and digits only). */
export function accountSid(name: string, primaryAccount: string): string {
  return `${name}${primaryAccount.replace(/[^A-Za-z0-9]/g, '')}`;
}

export function vaultRoleGrants(m: VaultPolicyModel, kind: VaultRoleKind, primaryAccount: string): PolicyStatement[] {
  const sid = (name: string) => accountSid(name, primaryAccount);
  const bucket = arns.bucket(m, m.vaultBucket);
  const under = (top: VaultArea) => arns.objects(m, m.vaultBucket, accountPrefix(top, primaryAccount));
  switch (kind) {
    case 'ingest':
      // Append only. No read, no object listing, no delete, no retention or legal-hold action: every
      // version takes the bucket's default COMPLIANCE retention, which a stolen credential can neither
      // shorten nor extend (docs/deploy-time-behaviours.md, item 4); and the bucket policy refuses any
      // write that does not carry If-None-Match, so no key ever gets a second version.
      return [
        {
          Sid: sid('IngestAppendOnly'),
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: [under('objects'), under('journal')],
        },
        {
          // Housekeeping of the ingest role's own crashed multipart uploads: an upload that was never
          // completed is not a version, so aborting it can destroy nothing that was backed up.
          Sid: sid('IngestAbortsIncompleteUploads'),
          Effect: 'Allow',
          Action: 's3:AbortMultipartUpload',
          Resource: under('objects'),
        },
        {
          // Lists uploads in progress (keys are hashes, no content); needed to find a crashed upload's id.
          Sid: sid('IngestListsIncompleteUploads'),
          Effect: 'Allow',
          Action: 's3:ListBucketMultipartUploads',
          Resource: bucket,
        },
      ];
    case 'restoreReader':
      return [
        {
          Sid: sid('RestoreReaderReadObjects'),
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: [under('objects'), under('journal')],
        },
        {
          Sid: sid('RestoreReaderList'),
          Effect: 'Allow',
          Action: ['s3:ListBucket', 's3:ListBucketVersions'],
          Resource: bucket,
          Condition: {
            StringLike: {
              's3:prefix': [`${accountPrefix('objects', primaryAccount)}*`, `${accountPrefix('journal', primaryAccount)}*`],
            },
          },
        },
      ];
    case 'auditor':
      // Settings, retention and evidence; never the backed-up bytes.
      return [
        { Sid: sid('AuditorReadVaultSettings'), Effect: 'Allow', Action: VAULT_CONFIG_READ_ACTIONS, Resource: bucket },
        {
          Sid: sid('AuditorList'),
          Effect: 'Allow',
          Action: ['s3:ListBucket', 's3:ListBucketVersions'],
          Resource: bucket,
          Condition: {
            StringLike: {
              's3:prefix': [
                `${accountPrefix('objects', primaryAccount)}*`,
                `${accountPrefix('journal', primaryAccount)}*`,
                `${accountPrefix('reports', primaryAccount)}*`,
              ],
            },
          },
        },
        {
          Sid: sid('AuditorReadRetention'),
          Effect: 'Allow',
          Action: ['s3:GetObjectRetention', 's3:GetObjectLegalHold'],
          Resource: [under('objects'), under('journal'), under('reports')],
        },
        {
          Sid: sid('AuditorReadEvidence'),
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: [under('journal'), under('reports')],
        },
      ];
    case 'evidenceWriter':
      // Files verify reports, and nothing else: no read, no list, no delete, no retention action. Each
      // report takes the default COMPLIANCE retention and, like every vault write, must carry
      // If-None-Match (the bucket policy), so a filed report can be neither replaced nor removed.
      return [
        {
          Sid: sid('EvidenceWriterFilesReports'),
          Effect: 'Allow',
          Action: 's3:PutObject',
          Resource: under('reports'),
        },
      ];
  }
}

/** AWS Backup reads the auditor needs; identity-side only (the vault access policy stays deny-focused). */
export function auditorBackupReads(m: VaultPolicyModel): PolicyStatement {
  return {
    Sid: 'AuditorReadBackupVault',
    Effect: 'Allow',
    Action: ['backup:DescribeBackupVault', 'backup:GetBackupVaultAccessPolicy', 'backup:ListRecoveryPointsByBackupVault'],
    Resource: arns.backupVault(m, m.backupAccount, m.backupVault),
  };
}

/**
 * The vault key's reads the auditor needs to prove the key can be neither deleted nor disabled (SSE_KMS only):
 * its state and its policy, never a cryptographic operation. KMS key ids are random and the role is written
 * from config alone, so the statement names the backup account's keys and narrows them to the one carrying
 * the vault's alias. The key policy (kms.ts, AuditorsInspectKey) grants the same two reads to these roles.
 */
export function auditorKeyReads(m: VaultPolicyModel): PolicyStatement[] {
  if (m.vaultKeyAlias === null) return [];
  return [
    {
      Sid: 'AuditorInspectVaultKey',
      Effect: 'Allow',
      Action: ['kms:DescribeKey', 'kms:GetKeyPolicy'],
      Resource: arns.kmsKeys(m, m.backupAccount),
      Condition: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': m.vaultKeyAlias } },
    },
  ];
}

/**
 * The primary-account roles that may assume a given vault role (the first is the one whose local
 * stand-in acts for it by default, see local/sessions.ts).
 *
 * The sealer is admitted by two: it reads the journal as the auditor and appends seals and indexes under
 * journal/<account>/ as the ingest role. Admitting it gives no vault role a permission: through each it can
 * do exactly what that role's own policy (vaultRoleGrants) already allows, no more.
 */
export function assumingRoleName(m: VaultPolicyModel, kind: VaultRoleKind): string[] {
  switch (kind) {
    case 'ingest':
      return [m.roleNames.copier, m.roleNames.sealer];
    case 'restoreReader':
      return [m.roleNames.restore];
    case 'auditor':
      // The verifier checks coverage and retention; the reconciler reads the journal to find gaps; the
      // sealer reads the segments it seals.
      return [m.roleNames.verify, m.roleNames.reconciler, m.roleNames.sealer];
    case 'evidenceWriter':
      // Only the verifier files reports.
      return [m.roleNames.verify];
  }
}

/**
 * Trust of a vault role. IAM refuses a trust policy naming a role that does not exist yet, and the
 * vault deploys before the primary account's roles (docs/deploy-time-behaviours.md, item 2): so trust
 * the primary account and pin the caller with aws:PrincipalArn, plus the external id.
 */
export function vaultRoleTrust(m: VaultPolicyModel, kind: VaultRoleKind, primaryAccount: string): PolicyDocument {
  return policy({
    Sid: 'AssumeFromNamedPrimaryRole',
    Effect: 'Allow',
    Principal: { AWS: arns.accountRoot(m, primaryAccount) },
    Action: 'sts:AssumeRole',
    Condition: {
      StringEquals: { 'sts:ExternalId': m.externalId },
      ArnEquals: { 'aws:PrincipalArn': assumingRoleName(m, kind).map((name) => arns.role(m, primaryAccount, name)) },
    },
  });
}

export function vaultRolePermissions(m: VaultPolicyModel, kind: VaultRoleKind, primaryAccount: string): PolicyDocument {
  const grants = vaultRoleGrants(m, kind, primaryAccount);
  return policy(...grants, ...(kind === 'auditor' ? [auditorBackupReads(m), ...auditorKeyReads(m)] : []));
}
