import { GetObjectCommand, type GetObjectCommandInput, type GetObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { isTransient } from './s3-errors';
import { readAll } from './streams';

/*
 * Trying again what broke on the wire after the SDK had let go of it. The SDK retries a request (resets,
 * SlowDown, 5xx) until its answer's headers arrive; a body that breaks while it is read (a connection lost
 * mid-stream, cut short of its Content-Length) comes after that, and without this one such blip among the
 * hundreds of journal segments a restore plan reads would fail the whole plan.
 */

/** Tries of an operation whose body broke on the way. */
export const TRANSIENT_ATTEMPTS = 3;

/** Run `operation`, starting it over (after 200, then 400 ms) while it fails with a transient error. */
export async function retryTransient<T>(operation: () => Promise<T>, attempts = TRANSIENT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

/** GET a small object and read its body whole (at most `maxBytes`), starting over if the body breaks. */
export function getWhole(
  client: S3Client,
  input: GetObjectCommandInput,
  maxBytes: number,
): Promise<{ readonly output: GetObjectCommandOutput; readonly body: Buffer }> {
  return retryTransient(async () => {
    const output = await client.send(new GetObjectCommand(input));
    return { output, body: await readAll(output.Body as AsyncIterable<Uint8Array>, maxBytes) };
  });
}
