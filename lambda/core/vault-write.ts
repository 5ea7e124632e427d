import { PutObjectCommand, type PutObjectCommandInput, type S3Client } from '@aws-sdk/client-s3';
import { describeProblems, type Problem, ProblemsError } from '../../contract/errors';
import type { JournalEntry } from './journal';
import { type BodyDigest, sha256Digest, signedWithPayloadHash } from './payload-hash';
import { explainAccessDenied, isPreconditionFailed } from './s3-errors';
import { md5Base64 } from './streams';
import { journalEntry, type VaultEntry } from './vault-entry';

/*
 * Writing one vault object, once. Every write carries If-None-Match, and a key that exists already
 * means the work was done before: that is an outcome, not an error. Writes carry no Object Lock
 * headers (every version takes the bucket's default COMPLIANCE retention).
 */

/** Where vault writes go, and how the vault enforces write-once. */
export interface VaultTarget {
  /** S3 client with the ingest role's credentials (append only). */
  readonly client: S3Client;
  /** The vault bucket, addressed as this client must (on Ceph RGW: `<tenant>:<bucket>`). */
  readonly bucket: string;
  /** Names the ingest role in error messages. */
  readonly writerRole: string;
  /**
   * `server`: the vault enforces If-None-Match (AWS S3), so a duplicate write is refused there and
   * costs no extra request. `client`: the server ignores the header (Ceph RGW pacific), so the copier
   * asks `exists` first; two concurrent duplicates may then both write, and readers keep one entry.
   */
  readonly writeOnce: 'server' | 'client';
  readonly exists?: (vaultKey: string) => Promise<boolean>;
}

/** What writing to the vault needs: the target, and the clock that dates each journal entry. */
export interface VaultWriter {
  readonly vault: VaultTarget;
  readonly now: () => Date;
}

export type WriteOutcome =
  | { readonly status: 'copied'; readonly entry: JournalEntry }
  | { readonly status: 'already-in-vault'; readonly entry: JournalEntry };

/** A VaultTarget whose write-once mode cannot work as given (a wiring fault, not the data's). */
export class VaultTargetError extends ProblemsError {
  public override readonly name = 'VaultTargetError';

  public constructor(bucket: string, problems: readonly Problem[], options?: ErrorOptions) {
    super(`vault target ${bucket}: ${describeProblems(problems)}`, problems, options);
  }
}

/**
 * Whether the vault holds `vaultKey` already, asked only where the server ignores If-None-Match
 * (`writeOnce: 'client'`); where it enforces it, the write itself answers at no extra request.
 */
export async function vaultHas(vault: VaultTarget, vaultKey: string): Promise<boolean> {
  if (vault.writeOnce === 'server') return false;
  if (!vault.exists) {
    throw new VaultTargetError(vault.bucket, [
      {
        field: 'exists',
        received: '(missing)',
        expected: 'a check whether a vault key exists, which writeOnce "client" needs (its server ignores If-None-Match)',
      },
    ]);
  }
  return vault.exists(vaultKey);
}

/** The outcome for an entry the vault holds already: journaled again, without a vault version id. */
export function alreadyInVault(writer: VaultWriter, entry: VaultEntry): WriteOutcome {
  return { status: 'already-in-vault', entry: journalEntry(entry, { copiedAt: writer.now(), vaultVersionId: null }) };
}

/**
 * Run the write that creates the vault object at `vaultKey` (returning its version id): `copied` when it
 * wrote, `already-in-vault` when If-None-Match found the key taken; either way `entry` (built only then: a
 * multipart copy knows the SHA-256 it records once it has streamed the bytes) is what gets journaled.
 * AccessDenied becomes a ConfigurationFaultError naming the ingest role; any other error surfaces, so the
 * change is retried.
 */
export async function writeOnce(
  writer: VaultWriter,
  vaultKey: string,
  write: () => Promise<string | null>,
  entry: () => VaultEntry,
): Promise<WriteOutcome> {
  let vaultVersionId: string | null;
  try {
    vaultVersionId = await write();
  } catch (error) {
    if (isPreconditionFailed(error)) return alreadyInVault(writer, entry());
    return explainVaultWrite(writer.vault, error, vaultKey);
  }
  return { status: 'copied', entry: journalEntry(entry(), { copiedAt: writer.now(), vaultVersionId }) };
}

/** What a new vault object carries besides its bytes: content headers and metadata. */
export type VaultObjectFields = Pick<
  PutObjectCommandInput,
  'ContentType' | 'ContentEncoding' | 'CacheControl' | 'ContentDisposition' | 'ContentLanguage' | 'Expires' | 'Metadata'
>;

/**
 * The single-request vault write, for objects held whole in memory (small versions, empty
 * tombstones): one PutObject with Content-MD5 and SHA-256 for S3 to check, If-None-Match and
 * bucket-owner-full-control. Returns the new vault version id; S3's errors surface unchanged.
 */
export async function putVaultObject(
  vault: VaultTarget,
  vaultKey: string,
  bytes: Buffer,
  fields: VaultObjectFields,
  /** The bytes' SHA-256, when the caller has it already. */
  sha256: BodyDigest = sha256Digest(bytes),
): Promise<string | null> {
  const command = signedWithPayloadHash(
    new PutObjectCommand({
      Bucket: vault.bucket,
      Key: vaultKey,
      Body: bytes,
      ContentLength: bytes.length,
      ContentMD5: md5Base64(bytes),
      ChecksumSHA256: sha256.base64,
      IfNoneMatch: '*',
      ACL: 'bucket-owner-full-control',
      ...fields,
    }),
    sha256,
  );
  const put = await vault.client.send(command);
  return put.VersionId ?? null;
}

/** Rethrow a vault error, as a ConfigurationFaultError naming the ingest role and `action` when it is AccessDenied. */
export function explainVaultWrite(vault: VaultTarget, error: unknown, vaultKey: string, action = 's3:PutObject'): never {
  return explainAccessDenied(
    error,
    vault.writerRole,
    action,
    `arn:aws:s3:::${vault.bucket}/${vaultKey}`,
    "check that VaultStack is deployed with this account among its primaryAccounts and that the copier's role name matches its trust",
  );
}
