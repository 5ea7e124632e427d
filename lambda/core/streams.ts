import { createHash } from 'node:crypto';

/*
 * Streaming helpers: whatever the object size, memory holds at most one part being filled plus
 * the parts in flight.
 */

export type ByteStream = AsyncIterable<Uint8Array>;

/** Split a byte stream into parts of exactly `partSize` bytes (the last one shorter), pulling only on demand. */
export async function* fixedSizeParts(stream: ByteStream, partSize: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of stream) {
    let buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (pendingBytes + buffer.length >= partSize) {
      const take = partSize - pendingBytes;
      pending.push(buffer.subarray(0, take));
      yield Buffer.concat(pending, partSize);
      buffer = buffer.subarray(take);
      pending = [];
      pendingBytes = 0;
    }
    if (buffer.length > 0) {
      pending.push(buffer);
      pendingBytes += buffer.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** Read a stream whole, refusing to hold more than `maxBytes`. */
export async function readAll(stream: ByteStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new Error(`stream longer than the ${maxBytes} bytes expected`);
    chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return Buffer.concat(chunks, total);
}

/** SHA-256 (hex) and length of a stream, reading it once. */
export async function sha256OfStream(stream: ByteStream): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.byteLength;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export const md5Base64 = (data: Uint8Array) => createHash('md5').update(data).digest('base64');
export const sha256Base64 = (data: Uint8Array) => createHash('sha256').update(data).digest('base64');
export const sha256Hex = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Run `task` over `items` with at most `limit` in flight, pulling items lazily; rejects on the first failure. */
export async function forEachLimited<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: unknown;
  let index = 0;
  for await (const item of items as AsyncIterable<T>) {
    if (failure !== undefined) break;
    const run = task(item, index++).catch((error: unknown) => {
      failure ??= error;
    });
    const tracked = run.finally(() => running.delete(tracked));
    running.add(tracked);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure !== undefined) throw failure;
}
