/**
 * The server's write ceiling: a bare parallel PutObject loop of the same bytes from memory (no reads, no
 * checksums but what a PUT needs, no journal), `inFlight` at once, each object `size` bytes.
 */
import { randomBytes } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lambda/adapters/s3-client';
import { forEachLimited } from '../../lambda/core/streams';
import { answer, childInput, residentBytes } from './io';

export interface CeilingChildInput {
  readonly endpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly bucket: string;
  readonly prefix: string;
  readonly count: number;
  readonly size: number;
  readonly inFlight: number;
}

answer(async () => {
  const input = childInput<CeilingChildInput>();
  const s3 = createS3Client({
    region: 'us-east-1',
    endpoint: input.endpoint,
    credentials: input.credentials,
    maxSockets: input.inFlight,
  });
  const body = randomBytes(input.size);
  const started = performance.now();
  await forEachLimited(
    Array.from({ length: input.count }, (_, i) => i),
    input.inFlight,
    async (i) => {
      await s3.send(
        new PutObjectCommand({ Bucket: input.bucket, Key: `${input.prefix}${i}`, Body: body, ContentLength: body.length }),
      );
    },
  );
  const seconds = (performance.now() - started) / 1000;
  s3.destroy();
  return { seconds, peakRssBytes: residentBytes('VmHWM') };
});
