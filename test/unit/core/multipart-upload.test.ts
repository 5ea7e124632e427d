import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListMultipartUploadsCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { createHash } from 'node:crypto';
import {
  abortStaleUploads,
  type ByteSource,
  MultipartUploadError,
  type MultipartWrite,
  uploadMultipart,
} from '../../../lambda/core/multipart-upload';
import { SourceChangedError } from '../../../lambda/core/s3-errors';
import { sdkBody } from './support';

/*
 * The multipart write on its own, as the restore executor will use it: any client, bucket and key,
 * no copier context. The copier's use of it is covered in copy-version.test.ts.
 */

const client = new S3Client({ region: 'eu-west-1' });
const s3 = mockClient(client);
const bytes = Buffer.from(Array.from({ length: 700 }, (_, i) => i % 253));
const sha256 = createHash('sha256').update(bytes).digest('hex');

/** What each UploadPart carried, captured when it was sent (the upload reuses part buffers afterwards). */
let sent: Array<{ PartNumber: number; bytes: Buffer }> = [];
let opened = 0;

const source = (data: Buffer = bytes): ByteSource => ({
  name: 'restore source v9',
  open: async () => {
    opened++;
    return sdkBody(data, 50);
  },
});

const write = (overrides: Partial<MultipartWrite> = {}): MultipartWrite => ({
  client,
  bucket: 'acme-restore-target',
  key: 'restored/a.bin',
  source: source(),
  partBytes: 256,
  partsInFlight: 2,
  ifNoneMatch: false,
  ...overrides,
});

beforeEach(() => {
  s3.reset();
  sent = [];
  opened = 0;
  s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'up-7' });
  s3.on(UploadPartCommand).callsFake((input) => {
    sent.push({ PartNumber: input.PartNumber, bytes: Buffer.from(input.Body as Buffer) });
    return { ETag: `"e${input.PartNumber}"` };
  });
  s3.on(CompleteMultipartUploadCommand).resolves({ VersionId: 'tv-1' });
});

describe('uploadMultipart', () => {
  it('writes the bytes in parts of the size given and returns what it wrote', async () => {
    const written = await uploadMultipart(write({ object: { ContentType: 'application/octet-stream' } }));
    expect(written).toEqual({ versionId: 'tv-1', sha256, bytes: 700, parts: 3 });
    expect(s3).toHaveReceivedCommandWith(CreateMultipartUploadCommand, {
      Bucket: 'acme-restore-target',
      Key: 'restored/a.bin',
      ChecksumAlgorithm: 'SHA256',
      ContentType: 'application/octet-stream',
    });
    const parts = sent.sort((a, b) => a.PartNumber - b.PartNumber);
    expect(parts.map((p) => p.bytes.length)).toEqual([256, 256, 188]);
    expect(Buffer.concat(parts.map((p) => p.bytes)).equals(bytes)).toBe(true);
    const complete = s3.commandCalls(CompleteMultipartUploadCommand)[0].args[0].input;
    expect(complete).toMatchObject({ UploadId: 'up-7', MultipartUpload: { Parts: [{ PartNumber: 1, ETag: '"e1"' }, {}, {}] } });
    expect(complete.IfNoneMatch).toBeUndefined();
  });

  it('completes with If-None-Match only when asked to', async () => {
    await uploadMultipart(write({ ifNoneMatch: true }));
    expect(s3).toHaveReceivedCommandWith(CompleteMultipartUploadCommand, { IfNoneMatch: '*' });
  });

  it('completes when the bytes hash to requireSha256', async () => {
    await expect(uploadMultipart(write({ requireSha256: sha256 }))).resolves.toMatchObject({ sha256 });
  });

  it('aborts instead of completing when the bytes do not hash to requireSha256, naming both hashes', async () => {
    const changed = Buffer.from(bytes).fill(7, 0, 1);
    const actual = createHash('sha256').update(changed).digest('hex');
    const error = await uploadMultipart(write({ source: source(changed), requireSha256: sha256 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceChangedError);
    expect((error as Error).message).toBe(
      `restore source v9: the bytes uploaded to acme-restore-target/restored/a.bin hash to ${actual}, expected ${sha256}; upload aborted`,
    );
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-7', Key: 'restored/a.bin' });
    expect(s3).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it.each([
    ['fewer', 701],
    ['more', 699],
  ])('aborts instead of completing when %s bytes than requireBytes were streamed', async (_what, expected) => {
    const error = await uploadMultipart(write({ requireBytes: expected })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceChangedError);
    expect((error as Error).message).toBe(
      `restore source v9: read 700 bytes for acme-restore-target/restored/a.bin, expected ${expected}; upload aborted`,
    );
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-7' });
    expect(s3).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it('tells onStreamed the SHA-256 and length of the bytes once every part is in, before completing', async () => {
    const seen: unknown[] = [];
    s3.on(CompleteMultipartUploadCommand).callsFake(() => {
      seen.push('complete');
      return { VersionId: 'tv-1' };
    });
    await uploadMultipart(write({ requireBytes: 700, onStreamed: (streamed) => seen.push(streamed) }));
    expect(seen).toEqual([{ sha256, bytes: 700 }, 'complete']);
    expect(sent).toHaveLength(3);
  });

  it('aborts the upload when onStreamed throws', async () => {
    const refuse = () => {
      throw new SourceChangedError('refused by the caller');
    };
    await expect(uploadMultipart(write({ onStreamed: refuse }))).rejects.toThrow('refused by the caller');
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-7' });
    expect(s3).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it('opens the byte source only once the upload exists', async () => {
    s3.on(CreateMultipartUploadCommand).rejects(
      new S3ServiceException({ name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } }),
    );
    await expect(uploadMultipart(write())).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(opened).toBe(0);
    expect(s3).not.toHaveReceivedCommand(AbortMultipartUploadCommand);
  });

  it('refuses an upload S3 created without an UploadId, with a MultipartUploadError', async () => {
    s3.on(CreateMultipartUploadCommand).resolves({});
    const error = await uploadMultipart(write()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipartUploadError);
    expect(error).toMatchObject({
      name: 'MultipartUploadError',
      bucket: 'acme-restore-target',
      key: 'restored/a.bin',
      message:
        'multipart upload to acme-restore-target/restored/a.bin: CreateMultipartUpload.UploadId: received (missing), expected the id of the new upload',
      problems: [{ field: 'CreateMultipartUpload.UploadId', received: '(missing)', expected: 'the id of the new upload' }],
    });
    expect(opened).toBe(0);
    expect(s3).not.toHaveReceivedCommand(UploadPartCommand);
  });

  it('aborts the upload when a part comes back without an ETag, naming the part', async () => {
    s3.on(UploadPartCommand).callsFake((input) => (input.PartNumber === 2 ? {} : { ETag: `"e${input.PartNumber}"` }));
    const error = await uploadMultipart(write()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MultipartUploadError);
    expect((error as Error).message).toBe(
      "multipart upload to acme-restore-target/restored/a.bin: UploadPart[2].ETag: received (missing), expected the part's ETag, which CompleteMultipartUpload needs",
    );
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-7' });
    expect(s3).not.toHaveReceivedCommand(CompleteMultipartUploadCommand);
  });

  it('aborts the upload and lets the error surface when the byte source fails', async () => {
    const failing: ByteSource = {
      name: 'x',
      open: async () => {
        throw new SourceChangedError('the byte source broke');
      },
    };
    await expect(uploadMultipart(write({ source: failing }))).rejects.toThrow('the byte source broke');
    expect(s3).toHaveReceivedCommandWith(AbortMultipartUploadCommand, { UploadId: 'up-7' });
  });
});

describe('abortStaleUploads', () => {
  it('aborts every earlier upload of exactly this key, and nothing else', async () => {
    s3.on(ListMultipartUploadsCommand).resolves({
      Uploads: [
        { Key: 'restored/a.bin', UploadId: 'old-1' },
        { Key: 'restored/a.bin.part', UploadId: 'other' },
        { Key: 'restored/a.bin', UploadId: 'old-2' },
      ],
    });
    s3.on(AbortMultipartUploadCommand).rejectsOnce(new Error('best effort')).resolves({});
    await abortStaleUploads(client, 'acme-restore-target', 'restored/a.bin');
    expect(s3).toHaveReceivedCommandWith(ListMultipartUploadsCommand, {
      Bucket: 'acme-restore-target',
      Prefix: 'restored/a.bin',
    });
    expect(s3.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual(['old-1', 'old-2']);
  });
});
