import { createHash } from 'node:crypto';
import { StrongroomError } from '../../contract/errors';

/** A stream that should be small (a journal segment, a manifest) is longer than a reader accepts. */
export class StreamTooLongError extends StrongroomError {
  public override readonly name = 'StreamTooLongError';

  public constructor(public readonly maxBytes: number) {
    super(`stream longer than the ${maxBytes} bytes expected`);
  }
}

/*
 * Streaming helpers: whatever the object size, memory holds at most one part being filled plus
 * the parts in flight.
 */

export type ByteStream = AsyncIterable<Uint8Array>;

/**
 * A fixed set of part-sized buffers, reused: memory for parts is allocated once per copy, whatever
 * the object's size, instead of one new buffer per part left for the garbage collector to free.
 */
export class PartBufferPool {
  private readonly free: Buffer[];
  private readonly waiting: Array<(buffer: Buffer) => void> = [];

  public constructor(
    public readonly partSize: number,
    count: number,
  ) {
    this.free = Array.from({ length: count }, () => Buffer.allocUnsafe(partSize));
  }

  public async acquire(): Promise<Buffer> {
    const buffer = this.free.pop();
    if (buffer) return buffer;
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Give back a buffer from acquire(), or a view of it that starts where it starts (what pooledParts yields). */
  public release(part: Buffer): void {
    const buffer = Buffer.from(part.buffer, part.byteOffset, this.partSize);
    const next = this.waiting.shift();
    if (next) next(buffer);
    else this.free.push(buffer);
  }
}

/**
 * Split a byte stream into parts of exactly `pool.partSize` bytes (the last one shorter), each a
 * view of a pooled buffer the consumer must release once done with it; pulls only on demand.
 */
export async function* pooledParts(stream: ByteStream, pool: PartBufferPool): AsyncGenerator<Buffer> {
  let target = await pool.acquire();
  let filled = 0;
  for await (const chunk of stream) {
    let offset = 0;
    while (offset < chunk.byteLength) {
      const take = Math.min(pool.partSize - filled, chunk.byteLength - offset);
      target.set(chunk.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      if (filled === pool.partSize) {
        yield target.subarray(0, filled);
        target = await pool.acquire();
        filled = 0;
      }
    }
  }
  if (filled > 0) yield target.subarray(0, filled);
  else pool.release(target);
}

/** Read a stream whole, refusing to hold more than `maxBytes`. */
export async function readAll(stream: ByteStream, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > maxBytes) throw new StreamTooLongError(maxBytes);
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

/** Stop reading a response body that will not be read to its end, so that its connection is freed. */
export function discard(body: ByteStream | undefined): void {
  const destroy = (body as { destroy?: () => void } | undefined)?.destroy;
  if (typeof destroy === 'function') destroy.call(body);
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
