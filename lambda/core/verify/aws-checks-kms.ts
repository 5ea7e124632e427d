import { DescribeKeyCommand, GetKeyPolicyCommand, type KeyMetadata, type KMSClient } from '@aws-sdk/client-kms';
import { utc } from './aws-checks-time';
import { type CheckOutcome, pass, skipped } from './check';
import type { VerifyContext } from './context';

/*
 * The KMS half of `vault.encryption` (the vault-settings group reads GetBucketEncryption and calls this when
 * the vault encrypts with SSE-KMS). Run as the auditor role: DescribeKey and GetKeyPolicy, never a
 * cryptographic operation. Encryption must never become a delete button (threat T5), so the key must be
 * enabled, not pending deletion, a customer key of the backup account whose material KMS itself holds, and
 * its policy must deny kms:ScheduleKeyDeletion and kms:DisableKey to every principal, unconditionally.
 */

/** The actions the key policy must deny to everyone (lib/policy/kms.ts writes exactly this deny). */
export const KEY_DENIED_ACTIONS = ['kms:ScheduleKeyDeletion', 'kms:DisableKey'] as const;

const REMEDIATE_KEY =
  'redeploy StrongroomVault with vault.encryption {"type":"SSE_KMS","denyKeyDeletion":true} so the bucket uses the Strongroom key and its policy';

interface PolicyStatement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
  readonly Condition?: unknown;
}

const list = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's action matching: case-insensitive, `*` and `?` as wildcards. */
function matches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== 'string') return false;
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`, 'i').test(action);
}

const everyone = (principal: unknown): boolean =>
  principal === '*' ||
  (typeof principal === 'object' && principal !== null && list((principal as { AWS?: unknown }).AWS).includes('*'));

/**
 * Whether one statement denies `action` to every principal on every resource, whatever the request: Effect
 * Deny, Principal `*`, the action in Action (or outside NotAction), Resource `*`, no Condition (a conditional
 * deny has a way around it).
 */
export function deniesToEveryone(statement: PolicyStatement, action: string): boolean {
  if (statement.Effect !== 'Deny' || statement.NotPrincipal !== undefined || !everyone(statement.Principal)) return false;
  if (statement.Condition !== undefined || statement.NotResource !== undefined || !list(statement.Resource).includes('*')) {
    return false;
  }
  if (statement.NotAction !== undefined) return !list(statement.NotAction).some((pattern) => matches(pattern, action));
  return list(statement.Action).some((pattern) => matches(pattern, action));
}

/** For each denied action, the Sids (or statement numbers) of the statements that deny it to everyone. */
export function keyPolicyDenies(policyText: string): Record<(typeof KEY_DENIED_ACTIONS)[number], string[]> {
  let statements: PolicyStatement[];
  try {
    const document = JSON.parse(policyText) as { Statement?: unknown };
    statements = list(document.Statement).filter((s): s is PolicyStatement => typeof s === 'object' && s !== null);
  } catch {
    statements = [];
  }
  const by = (action: string) =>
    statements.flatMap((s, i) => (deniesToEveryone(s, action) ? [typeof s.Sid === 'string' ? s.Sid : `#${i + 1}`] : []));
  return { 'kms:ScheduleKeyDeletion': by('kms:ScheduleKeyDeletion'), 'kms:DisableKey': by('kms:DisableKey') };
}

/** What in the key's metadata makes it deletable, disabled or not Strongroom's; empty when none. */
function metadataFindings(key: KeyMetadata, backupAccount: string): string[] {
  const findings: string[] = [];
  if (key.KeyState === 'PendingDeletion' || key.DeletionDate) {
    findings.push(
      `the key is scheduled for deletion${key.DeletionDate ? ` on ${utc(key.DeletionDate)}` : ''} (KeyState ${key.KeyState}): cancel it now with "aws kms cancel-key-deletion --key-id ${key.Arn}"; once deleted, every vault version is unreadable`,
    );
  } else if (key.KeyState !== 'Enabled') {
    findings.push(`KeyState is ${key.KeyState ?? '(missing)'}, expected Enabled: the vault can neither be written nor read`);
  }
  if (key.KeyManager !== 'CUSTOMER')
    findings.push(`KeyManager is ${key.KeyManager ?? '(missing)'}, expected CUSTOMER (the Strongroom-made key)`);
  if (key.Origin !== 'AWS_KMS') {
    findings.push(
      `Origin is ${key.Origin ?? '(missing)'}, expected AWS_KMS: key material held outside KMS (imported, CloudHSM, an external store) can be deleted or disconnected there`,
    );
  }
  if (key.AWSAccountId !== backupAccount) {
    findings.push(`the key is in account ${key.AWSAccountId ?? '(missing)'}, expected the backup account ${backupAccount}`);
  }
  return findings;
}

async function describe(kms: KMSClient, keyId: string): Promise<KeyMetadata> {
  const { KeyMetadata: key } = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
  if (!key?.Arn) throw new Error(`DescribeKey ${keyId} returned no key metadata`);
  return key;
}

/**
 * The KMS half of `vault.encryption` for the key `keyArn` the vault bucket encrypts with (a key ARN, key id or
 * alias ARN): SKIPPED where there is no AWS KMS (a local S3). When the deployment names its own key
 * (settings.encryption.keyArn, the alias ARN), the bucket's key must be that very key.
 */
export async function kmsKeyOutcome(context: VerifyContext, keyArn: string): Promise<CheckOutcome> {
  const kms = context.clients.aws?.auditorKms;
  if (!kms) {
    return skipped(
      'no AWS KMS on this server: the key state and key policy are checked only on AWS',
      'none here; on AWS the auditor role reads the key with kms:DescribeKey and kms:GetKeyPolicy',
    );
  }
  const { settings } = context;
  const key = await describe(kms, keyArn);
  const findings = metadataFindings(key, settings.backupAccount);
  const configured = settings.encryption.type === 'SSE_KMS' ? settings.encryption.keyArn : null;
  if (configured && configured !== keyArn && configured !== key.Arn) {
    const expected = await describe(kms, configured);
    if (expected.Arn !== key.Arn) {
      findings.push(`the bucket encrypts with ${key.Arn}, not the Strongroom key ${configured} (${expected.Arn})`);
    }
  }
  const { Policy: policyText = '' } = await kms.send(new GetKeyPolicyCommand({ KeyId: key.Arn, PolicyName: 'default' }));
  const denies = keyPolicyDenies(policyText);
  for (const action of KEY_DENIED_ACTIONS) {
    if (denies[action].length === 0) {
      findings.push(
        `the key policy does not deny ${action} to every principal (an unconditional Deny with Principal "*" and Resource "*"): an administrator can ${action === 'kms:DisableKey' ? 'disable' : 'schedule the deletion of'} the key`,
      );
    }
  }
  const evidence = {
    keyArn: key.Arn ?? null,
    keyState: key.KeyState ?? null,
    deletionDate: key.DeletionDate ? utc(key.DeletionDate) : null,
    keyManager: key.KeyManager ?? null,
    origin: key.Origin ?? null,
    keyAccount: key.AWSAccountId ?? null,
    denyScheduleKeyDeletion: denies['kms:ScheduleKeyDeletion'].join(', ') || null,
    denyDisableKey: denies['kms:DisableKey'].join(', ') || null,
  };
  if (findings.length > 0) {
    return {
      status: 'FAIL',
      summary: `the vault key ${key.Arn} can be deleted, disabled or is not Strongroom's: ${findings[0]}`,
      evidence,
      findings,
      remediation: key.KeyState === 'PendingDeletion' ? `cancel the key deletion at once, then ${REMEDIATE_KEY}` : REMEDIATE_KEY,
    };
  }
  return pass(
    `the vault key ${key.Arn} is an enabled customer key held by KMS, and its policy denies deletion and disabling to every principal (${evidence.denyScheduleKeyDeletion})`,
    'keep the deny statement in the key policy; the SCP keeps anyone but break-glass from replacing it',
    evidence,
  );
}
