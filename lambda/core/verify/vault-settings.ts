import {
  GetBucketEncryptionCommand,
  type GetBucketEncryptionCommandOutput,
  GetBucketPolicyCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  type GetObjectLockConfigurationCommandOutput,
  GetPublicAccessBlockCommand,
} from '@aws-sdk/client-s3';
import { errorName } from '../../../contract/errors';
import { statementDigest } from '../../../contract/policy-digest';
import type { CheckId } from '../../../contract/verify-report';
import { type CheckGroup, type CheckOutcome, pass } from './check';
import type { VerifyContext } from './context';

/*
 * The vault bucket's settings, read as the auditor: the lock, versioning, public access, the policy's
 * denies and encryption. One request each; each answers its own check ids.
 */

const MISSING_CONFIGURATION = new Set([
  'ObjectLockConfigurationNotFoundError',
  'NoSuchPublicAccessBlockConfiguration',
  'NoSuchBucketPolicy',
  'ServerSideEncryptionConfigurationNotFoundError',
]);

/** A setting's value, or `absent` when the bucket has none (S3 answers 404 with a named error). */
async function read<T>(request: () => Promise<T>): Promise<T | 'absent'> {
  try {
    return await request();
  } catch (error: unknown) {
    if (MISSING_CONFIGURATION.has(errorName(error))) return 'absent';
    throw error;
  }
}

function lockOutcomes(
  lock: GetObjectLockConfigurationCommandOutput | 'absent',
  retentionDays: number,
): Record<'vault.lock.enabled' | 'vault.lock.mode' | 'vault.lock.retention', CheckOutcome> {
  const configuration = lock === 'absent' ? undefined : lock.ObjectLockConfiguration;
  const enabled = configuration?.ObjectLockEnabled === 'Enabled';
  const retention = configuration?.Rule?.DefaultRetention;
  const mode = retention?.Mode ?? null;
  const days = retention?.Days ?? (retention?.Years !== undefined ? retention.Years * 365 : null);
  const evidence = { objectLockEnabled: configuration?.ObjectLockEnabled ?? null, defaultMode: mode, defaultDays: days };
  const noLock =
    'the vault bucket has no Object Lock: create a new vault bucket with Object Lock (it cannot be added safely later) and re-seed it';
  return {
    'vault.lock.enabled': enabled
      ? pass('Object Lock is enabled', 'nothing: Object Lock cannot be turned off once enabled', evidence)
      : { status: 'FAIL', summary: 'Object Lock is not enabled on the vault bucket', evidence, remediation: noLock },
    'vault.lock.mode':
      mode === 'COMPLIANCE'
        ? pass(
            'new versions take COMPLIANCE retention by default',
            'keep the bucket policy denying s3:PutBucketObjectLockConfiguration',
            evidence,
          )
        : {
            status: 'FAIL',
            summary: mode
              ? `the default retention mode is ${mode}, not COMPLIANCE`
              : 'there is no default retention: new versions are not locked',
            evidence,
            remediation:
              'with break-glass, set the default retention to COMPLIANCE (PutObjectLockConfiguration); find who changed it in CloudTrail',
          },
    'vault.lock.retention':
      days !== null && days >= retentionDays
        ? pass(
            `the default retention is ${days} days (configured: ${retentionDays})`,
            'keep vault.objectLock.retentionDays',
            evidence,
          )
        : {
            status: 'FAIL',
            summary:
              days === null
                ? `no default retention (configured: ${retentionDays} days)`
                : `the default retention is ${days} days, below the configured ${retentionDays}`,
            evidence: { ...evidence, configuredDays: retentionDays },
            remediation: `with break-glass, set the default retention back to ${retentionDays} days; versions written meanwhile carry the shorter lock (see versions.retention)`,
          },
  };
}

interface PolicyStatementLike {
  Sid?: string;
  Effect?: string;
}

function policyOutcomes(
  context: VerifyContext,
  policyText: string | 'absent',
): Record<'vault.policy.tls' | 'vault.policy.denies', CheckOutcome> {
  const { denies, tlsSid } = context.settings.expectedPolicy;
  const expectedSids = Object.keys(denies);
  let statements: PolicyStatementLike[] = [];
  let unreadable: string | undefined;
  if (policyText === 'absent') unreadable = 'the vault bucket has no policy';
  else {
    try {
      const parsed = JSON.parse(policyText) as { Statement?: unknown };
      statements = (Array.isArray(parsed.Statement) ? parsed.Statement : [parsed.Statement]).filter(
        Boolean,
      ) as PolicyStatementLike[];
    } catch {
      unreadable = 'the vault bucket policy is not JSON';
    }
  }
  const bySid = new Map(statements.filter((s) => s.Sid).map((s) => [s.Sid as string, s]));
  const missing = expectedSids.filter((sid) => !bySid.has(sid));
  const changed = expectedSids.filter((sid) => bySid.has(sid) && statementDigest(bySid.get(sid)) !== denies[sid]);
  const evidence = {
    statements: statements.length,
    expectedDenies: expectedSids.length,
    missing: missing.length,
    changed: changed.length,
  };
  const redeploy =
    'redeploy the vault stack from the same config with break-glass or the deploy role, then find who changed the policy in CloudTrail';
  const tlsHeld = bySid.has(tlsSid) && statementDigest(bySid.get(tlsSid)) === denies[tlsSid];
  return {
    'vault.policy.tls': tlsHeld
      ? pass(`${tlsSid} refuses every request without TLS`, 'keep the policy as the stack writes it', { sid: tlsSid })
      : {
          status: 'FAIL',
          summary:
            unreadable ?? `${tlsSid} is ${bySid.has(tlsSid) ? 'changed' : 'missing'}: requests without TLS are not refused`,
          evidence: { sid: tlsSid },
          remediation: redeploy,
        },
    'vault.policy.denies':
      !unreadable && missing.length === 0 && changed.length === 0
        ? pass(
            `all ${expectedSids.length} deny statements are present and unchanged`,
            'keep the policy as the stack writes it',
            evidence,
          )
        : {
            status: 'FAIL',
            summary: unreadable ?? `${missing.length} deny statements missing, ${changed.length} changed`,
            evidence,
            findings: [...missing.map((sid) => `missing: ${sid}`), ...changed.map((sid) => `changed: ${sid}`)],
            remediation: redeploy,
          },
  };
}

function encryptionOutcome(context: VerifyContext, encryption: GetBucketEncryptionCommandOutput | 'absent'): CheckOutcome {
  const rules = encryption === 'absent' ? [] : (encryption.ServerSideEncryptionConfiguration?.Rules ?? []);
  const rule = rules[0]?.ApplyServerSideEncryptionByDefault;
  const algorithm = rule?.SSEAlgorithm ?? null;
  const configured = context.settings.encryption;
  const evidence = { algorithm, keyArn: rule?.KMSMasterKeyID ?? null, configured: configured.type };
  if (configured.type === 'SSE_S3') {
    return algorithm === 'AES256'
      ? pass(
          'SSE-S3 (AES256): encrypted at rest, with no customer key anyone could delete',
          'keep SSE-S3, or a KMS key whose policy denies deletion',
          evidence,
        )
      : {
          status: 'FAIL',
          summary: algorithm ? `default encryption is ${algorithm}, configured SSE_S3` : 'no default encryption',
          evidence,
          remediation:
            'redeploy the vault stack from the config; a key other than the configured one may be deletable by its owner',
        };
  }
  const keyMatches =
    algorithm === 'aws:kms' &&
    rule?.KMSMasterKeyID !== undefined &&
    configured.keyArn.endsWith(rule.KMSMasterKeyID.split('/').pop() ?? '');
  return keyMatches
    ? pass('SSE-KMS with the Strongroom vault key', 'keep the key policy denying deletion and disabling', evidence)
    : {
        status: 'FAIL',
        summary: `default encryption is ${algorithm ?? 'off'} with ${rule?.KMSMasterKeyID ?? 'no key'}, configured SSE-KMS with ${configured.keyArn}`,
        evidence,
        remediation:
          'redeploy the vault stack from the config: a foreign key can be deleted by its owner, and every version it encrypts with it',
      };
}

export const vaultSettingsChecks: CheckGroup<VerifyContext> = {
  name: 'vault settings',
  ids: [
    'vault.lock.enabled',
    'vault.lock.mode',
    'vault.lock.retention',
    'vault.versioning',
    'vault.public-access',
    'vault.policy.tls',
    'vault.policy.denies',
    'vault.encryption',
  ],
  ranAs: 'auditor',
  async run(context) {
    const s3 = context.clients.auditorVault;
    const Bucket = context.settings.vaultBucket;
    const skip = context.settings.unavailable;
    const [lock, versioning, publicAccess, policy, encryption] = await Promise.all([
      read(() => s3.send(new GetObjectLockConfigurationCommand({ Bucket }))),
      s3.send(new GetBucketVersioningCommand({ Bucket })),
      skip['vault.public-access'] ? undefined : read(() => s3.send(new GetPublicAccessBlockCommand({ Bucket }))),
      read(() => s3.send(new GetBucketPolicyCommand({ Bucket }))),
      skip['vault.encryption'] ? undefined : read(() => s3.send(new GetBucketEncryptionCommand({ Bucket }))),
    ]);
    const outcomes: Partial<Record<CheckId, CheckOutcome>> = {
      ...lockOutcomes(lock, context.settings.retentionDays),
      ...policyOutcomes(context, policy === 'absent' ? 'absent' : (policy.Policy ?? 'absent')),
      'vault.versioning':
        versioning.Status === 'Enabled'
          ? pass('versioning is Enabled', 'nothing: with Object Lock, versioning cannot be suspended on AWS', {
              status: versioning.Status,
            })
          : {
              status: 'FAIL',
              summary: `versioning is ${versioning.Status ?? 'off'}: an overwrite or a delete can hide what was backed up`,
              evidence: { status: versioning.Status ?? null },
              remediation: 'with break-glass, enable versioning on the vault bucket; find who changed it in CloudTrail',
            },
    };
    if (publicAccess !== undefined) {
      const block = publicAccess === 'absent' ? undefined : publicAccess.PublicAccessBlockConfiguration;
      const flags = {
        BlockPublicAcls: block?.BlockPublicAcls ?? false,
        IgnorePublicAcls: block?.IgnorePublicAcls ?? false,
        BlockPublicPolicy: block?.BlockPublicPolicy ?? false,
        RestrictPublicBuckets: block?.RestrictPublicBuckets ?? false,
      };
      const off = Object.entries(flags)
        .filter(([, on]) => !on)
        .map(([name]) => name);
      outcomes['vault.public-access'] =
        off.length === 0
          ? pass('all four public-access blocks are on', 'keep them on (the SCP and the bucket policy deny changing them)', flags)
          : {
              status: 'FAIL',
              summary: `public-access blocks off: ${off.join(', ')}`,
              evidence: flags,
              findings: off,
              remediation: 'with break-glass, turn every public-access block back on (PutPublicAccessBlock)',
            };
    }
    if (encryption !== undefined) outcomes['vault.encryption'] = encryptionOutcome(context, encryption);
    return outcomes;
  },
};
