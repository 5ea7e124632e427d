/**
 * Source data for the fault, crash and load runs: deterministic bytes from a seed, written by a bare parallel
 * PutObject loop (the fastest way to fill the source), each write's event built from the server's answer, and
 * the checks that read back what the vault and a restore target hold, one SHA-256 per object.
 */
import { createCipheriv, createHash } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { QueuedRecord } from '../../../lambda/core/copier';
import { openJournal, readTimelines } from '../../../lambda/core/journal-reader';
import type { TrustedEntry } from '../../../lambda/core/journal-trust';
import { forEachLimited } from '../../../lambda/core/streams';
import type { LocalDeployment } from '../../../local/provision';
import type { SourceEventLog } from '../../../local/source-events';

/** `size` bytes that look random and never repeat, the same for the same seed (AES-128-CTR over zeros). */
export function seededBytes(seed: string, size: number): Buffer {
  const key = createHash('sha256').update(seed).digest();
  const cipher = createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

/** A number in [0, 1) drawn from a seed and a label: the same every run for the same seed. */
export function seededFraction(seed: string, label: string): number {
  return createHash('sha256').update(`${seed}\n${label}`).digest().readUInt32BE(0) / 2 ** 32;
}

export interface SourceObject {
  readonly key: string;
  readonly body: Buffer;
  readonly sha256: string;
}

export interface WrittenObject {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  readonly sha256: string;
  /** The Object Created event, as EventBridge would queue it. */
  readonly event: string;
}

/** Small objects of seeded sizes and bytes under `prefix`. */
export function smallObjects(seed: string, prefix: string, count: number, maxBytes: number): SourceObject[] {
  return Array.from({ length: count }, (_, i) => {
    const key = `${prefix}${String(i).padStart(5, '0')}.bin`;
    const size = 1 + Math.floor(seededFraction(seed, `size:${key}`) * maxBytes);
    const body = seededBytes(`${seed}:${key}`, size);
    return { key, body, sha256: sha256Hex(body) };
  });
}

/** Write every object with a bare PutObject, `concurrency` at once, and return each one's event. */
export async function putAll(
  client: S3Client,
  bucket: string,
  objects: readonly SourceObject[],
  events: SourceEventLog,
  concurrency = 64,
): Promise<WrittenObject[]> {
  const written: WrittenObject[] = new Array(objects.length);
  await forEachLimited(objects, concurrency, async (o, i) => {
    const out = await client.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body }));
    if (!out.VersionId) throw new Error(`PutObject ${bucket}/${o.key} returned no version id: is the source versioned?`);
    written[i] = {
      key: o.key,
      versionId: out.VersionId,
      size: o.body.length,
      sha256: o.sha256,
      event: events.created(bucket, { key: o.key, versionId: out.VersionId, etag: out.ETag, size: o.body.length }),
    };
  });
  return written;
}

export const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** SHA-256 and length of an object as the server returns it, streamed (never held whole). */
export async function objectSha256(
  client: S3Client,
  bucket: string,
  key: string,
  versionId?: string | null,
): Promise<{ sha256: string; size: number }> {
  const got = await client.send(
    new GetObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of got.Body as AsyncIterable<Uint8Array>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Every timeline of a source bucket, read through the product's journal reader as the vault's owner. */
export async function vaultTimelines(
  deployment: LocalDeployment,
  owner: S3Client,
  bucket: string,
  prefix?: string,
): Promise<Map<string, readonly TrustedEntry[]>> {
  const view = await openJournal({ client: owner, bucket: deployment.vault.name }, deployment.primary.tenant);
  const out = new Map<string, readonly TrustedEntry[]>();
  for await (const t of readTimelines(view, { bucket, ...(prefix ? { prefix } : {}) })) out.set(t.key, t.entries);
  return out;
}

export interface CopyCheck {
  /** Source versions with no entry in the vault's timeline. */
  readonly lost: string[];
  /** Entries whose size or SHA-256 differs from the source, or whose vault object's bytes do. */
  readonly corrupted: string[];
  /** Keys whose timeline holds more than the one version written. */
  readonly extra: string[];
}

/**
 * Each source object must have exactly one timeline entry, recording its version, size and SHA-256, and the
 * vault object it names (read as the restore reader) must hash to that SHA-256.
 */
export async function checkVaultCopies(
  deployment: LocalDeployment,
  owner: S3Client,
  reader: S3Client,
  bucket: string,
  written: readonly WrittenObject[],
  prefix?: string,
): Promise<CopyCheck> {
  const timelines = await vaultTimelines(deployment, owner, bucket, prefix);
  const lost: string[] = [];
  const corrupted: string[] = [];
  const extra: string[] = [];
  await forEachLimited(written, 32, async (w) => {
    const entries = timelines.get(w.key) ?? [];
    const entry = entries.find((e) => e.sourceVersionId === w.versionId);
    if (!entry) {
      lost.push(w.key);
      return;
    }
    if (entries.length !== 1) extra.push(w.key);
    if (entry.sha256 !== w.sha256 || entry.size !== w.size) {
      corrupted.push(`${w.key}: journal records ${entry.size} B ${entry.sha256}, the source wrote ${w.size} B ${w.sha256}`);
      return;
    }
    const stored = await objectSha256(reader, deployment.vault.address, entry.vaultKey, entry.vaultVersionId);
    if (stored.sha256 !== w.sha256) corrupted.push(`${w.key}: vault object ${entry.vaultKey} hashes to ${stored.sha256}`);
  });
  return { lost, corrupted, extra };
}

/** The queued records of written objects. */
export function recordsOf(events: SourceEventLog, written: readonly WrittenObject[]): QueuedRecord[] {
  return events.records(written.map((w) => w.event));
}

/** Every key under a prefix (current versions), listed page by page. */
export async function listKeys(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) keys.push(o.Key as string);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys;
}
