/**
 * What the restore executor refuses to restore, against mocked clients: the vault object's size and recorded
 * SHA-256 against the journal's, and — for a multipart vault object, whose SHA-256 is in the journal only —
 * the bytes themselves, hashed as they stream into the target, whether in parts or in one PUT. A refused
 * object leaves nothing in the target: a multipart upload is aborted, never completed.
 */
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import type { TrustedEntry } from '../../../lambda/core/journal-trust';
import { executeRestore, type RestoreTuning } from '../../../lambda/core/restore-execute';
import type { PlanItem } from '../../../lambda/core/restore-plan';
import { vaultObjectMetadata } from '../../../lambda/core/vault-entry';
import { entry, sdkBody } from './support';

const vaultClient = new S3Client({ region: 'eu-west-1' });
const targetClient = new S3Client({ region: 'eu-west-1' });
const vault = mockClient(vaultClient);
const target = mockClient(targetClient);
const deps = { vault: { client: vaultClient, bucket: 'vault' }, target: { client: targetClient, bucket: 'acme-restore' } };

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const bytes = Buffer.from(Array.from({ length: 2500 }, (_, i) => (i * 7) % 256));
const IN_PARTS: RestoreTuning = { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 };
const IN_ONE_PUT: RestoreTuning = { singlePutMaxBytes: 4096, minPartBytes: 256, partsInFlight: 2 };

const journaled = (partial: Partial<TrustedEntry> = {}): TrustedEntry => ({
  ...entry({ kind: 'version', token: 'v.v1', sourceTime: '2026-11-29T10:00:00.000Z' }),
  key: 'big.bin',
  sourceVersionId: 'v1',
  size: bytes.length,
  sha256: sha256(bytes),
  vaultVersionId: 'vv1',
  segment: 'journal/seg',
  writtenAt: '2026-11-29T12:00:01.000Z',
  ...partial,
});

/** The metadata the copier gives a multipart vault object: its SHA-256 in the journal, its part size. */
const multipartMetadata = (e: TrustedEntry) => vaultObjectMetadata({ ...e, sha256: null }, { in: 'journal', partBytes: 256 });

/** What the target holds: the objects completed or put, and the uploads aborted. */
let stored: Map<string, Buffer>;
let aborted: string[];
let body: ReturnType<typeof sdkBody>;

function vaultHolds(content: Buffer, metadata: Record<string, string>) {
  vault.on(GetObjectCommand).callsFake(() => {
    body = sdkBody(content, 100);
    return { Body: body, ContentLength: content.length, LastModified: new Date('2026-11-29T12:00:00Z'), Metadata: metadata };
  });
}

beforeEach(() => {
  vault.reset();
  target.reset();
  stored = new Map();
  aborted = [];
  const parts = new Map<number, Buffer>();
  target.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-1' });
  target.on(UploadPartCommand).callsFake((input) => {
    parts.set(input.PartNumber as number, Buffer.from(input.Body as Buffer));
    return { ETag: `"p${input.PartNumber}"` };
  });
  target.on(CompleteMultipartUploadCommand).callsFake((input) => {
    stored.set(input.Key as string, Buffer.concat([...parts].sort(([a], [b]) => a - b).map(([, p]) => p)));
    return {};
  });
  target.on(AbortMultipartUploadCommand).callsFake((input) => {
    aborted.push(input.Key as string);
    return {};
  });
  target.on(PutObjectCommand).callsFake((input) => {
    stored.set(input.Key as string, Buffer.from(input.Body as Buffer));
    return {};
  });
});

const restoring = (e: TrustedEntry): PlanItem[] => [
  { action: 'write', key: e.key, targetKey: `r/${e.key}`, size: e.size, entry: e },
];

describe.each([
  ['streamed in parts', IN_PARTS],
  ['in one PUT', IN_ONE_PUT],
])('restoring a multipart vault object whose SHA-256 is in the journal, %s', (_how, tuning) => {
  it('restores it byte for byte when its bytes hash to the journal’s SHA-256', async () => {
    const e = journaled();
    vaultHolds(bytes, multipartMetadata(e));
    const result = await executeRestore({ ...deps, tuning }, restoring(e));
    expect(result).toMatchObject({ written: 1, bytesWritten: bytes.length, failed: [] });
    expect(stored.get('r/big.bin')?.equals(bytes)).toBe(true);
    expect(aborted).toEqual([]);
  });

  it('refuses it when the journal’s SHA-256 is not its bytes’: nothing completed, the upload aborted, nothing in the target', async () => {
    const other = Buffer.from(bytes).fill(1, 2000);
    const e = journaled({ sha256: sha256(other) });
    vaultHolds(bytes, multipartMetadata(e));
    const result = await executeRestore({ ...deps, tuning }, restoring(e));
    expect(result).toMatchObject({
      written: 0,
      failed: [{ key: 'big.bin', reason: expect.stringContaining('UntrustedVersionError') }],
    });
    expect(result.failed[0]?.reason).toContain(`hash to ${sha256(bytes)}`);
    expect(result.failed[0]?.reason).toContain(sha256(other));
    expect(stored.size).toBe(0);
    expect(target).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
    if (tuning === IN_PARTS) expect(aborted).toEqual(['r/big.bin']);
    else expect(target).not.toHaveReceivedAnyCommand();
  });
});

describe('what the restore refuses before writing anything', () => {
  it.each([
    [
      'a size that is not the journal’s',
      journaled({ size: bytes.length + 1 }),
      multipartMetadata(journaled()),
      `holds ${bytes.length} bytes, the journal records ${bytes.length + 1}; not restored`,
    ],
    [
      'neither a SHA-256 nor the journal marker',
      journaled(),
      { 'strongroom-format': '2', 'strongroom-kind': 'version' },
      'records no SHA-256 (neither sha256 nor sha256-recorded: journal); not restored',
    ],
    [
      'the journal marker in a format that never had it',
      journaled(),
      { ...multipartMetadata(journaled()), 'strongroom-format': '1' },
      'records sha256-recorded in strongroom-format 1, expected format 2; not restored',
    ],
    [
      'a recorded SHA-256 that is not the journal’s (format 1)',
      journaled(),
      { 'strongroom-format': '1', sha256: 'f'.repeat(64) },
      `records SHA-256 ${'f'.repeat(64)}, the journal ${sha256(bytes)}; not restored`,
    ],
  ])('a vault object with %s', async (_what, e, metadata, reason) => {
    vaultHolds(bytes, metadata);
    const result = await executeRestore({ ...deps, tuning: IN_PARTS }, restoring(e));
    expect(result.failed).toEqual([{ key: 'big.bin', reason: `UntrustedVersionError: ${e.vaultKey} ${reason}` }]);
    expect(target).not.toHaveReceivedAnyCommand();
    expect(body.destroyed).toBe(true);
  });

  it('still restores a format-1 vault object whose recorded SHA-256 is the journal’s', async () => {
    const e = journaled();
    vaultHolds(bytes, { 'strongroom-format': '1', sha256: sha256(bytes) });
    expect(await executeRestore({ ...deps, tuning: IN_PARTS }, restoring(e))).toMatchObject({ written: 1, failed: [] });
    expect(stored.get('r/big.bin')?.equals(bytes)).toBe(true);
  });
});
