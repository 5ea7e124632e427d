import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { sha256Digest, signedWithPayloadHash } from '../../../lambda/core/payload-hash';

/** An S3 client whose handler records the signed request and answers 200: no network. */
function capturingClient() {
  const sent: Array<{ headers: Record<string, string> }> = [];
  const client = new S3Client({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    requestHandler: {
      handle: async (request: { headers: Record<string, string> }) => {
        sent.push({ headers: { ...request.headers } });
        return { response: { statusCode: 200, headers: {}, body: Readable.from([]) } };
      },
    } as never,
  });
  return { client, sent };
}

describe('signing with the SHA-256 already computed', () => {
  const body = Buffer.from('sixteen KiB, or any bytes at all');

  it('computes the digest once, in both encodings', () => {
    const expected = createHash('sha256').update(body).digest();
    expect(sha256Digest(body)).toEqual({ hex: expected.toString('hex'), base64: expected.toString('base64') });
  });

  it('signs the request with the given digest as x-amz-content-sha256, instead of hashing the body again', async () => {
    const { client, sent } = capturingClient();
    // A digest that is not the body's: proves the signer took ours rather than computing its own.
    const given = sha256Digest(Buffer.from('other bytes'));
    await client.send(signedWithPayloadHash(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body }), given));
    expect(sent[0]?.headers['x-amz-content-sha256']).toBe(given.hex);
    expect(sent[0]?.headers.authorization).toContain('x-amz-content-sha256');
  });

  it('leaves a command without the middleware signing its own hash of the body', async () => {
    const { client, sent } = capturingClient();
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body }));
    expect(sent[0]?.headers['x-amz-content-sha256']).toBe(sha256Digest(body).hex);
  });
});
