import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../lambda/adapters/s3-client';

/*
 * Throttling is retried by the SDK's own strategy (exponential backoff with jitter), which mocks of
 * `send` would bypass: this test puts the real client against a tiny HTTP server that answers
 * 503 SlowDown, as S3 does under load.
 */
describe('createS3Client', () => {
  let server: Server;
  let requests = 0;
  let slowDowns = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests++;
      req.resume();
      req.on('end', () => {
        if (requests <= slowDowns) {
          res.writeHead(503, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>');
          return;
        }
        res.writeHead(200, { etag: '"abc"' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    requests = 0;
  });

  const client = (maxAttempts?: number) =>
    createS3Client({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
      maxSockets: 4,
      maxAttempts,
    });

  it('retries 503 SlowDown with backoff until the write goes through', async () => {
    slowDowns = 2;
    const result = await client().send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
    expect(result.ETag).toBe('"abc"');
    expect(requests).toBe(3);
  }, 20_000);

  it('gives up after maxAttempts and surfaces SlowDown so the record is retried later', async () => {
    slowDowns = 10;
    await expect(client(2).send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }))).rejects.toMatchObject({
      name: 'SlowDown',
    });
    expect(requests).toBe(2);
  }, 20_000);

  it('adds no checksum of its own: the copier sends Content-MD5 and SHA-256 itself', async () => {
    slowDowns = 0;
    const seen: string[] = [];
    server.once('request', (req) => seen.push(...Object.keys(req.headers)));
    await client().send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: 'x' }));
    expect(seen.filter((h) => h.startsWith('x-amz-checksum') || h === 'x-amz-trailer')).toEqual([]);
  });
});
