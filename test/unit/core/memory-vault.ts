import {
  GetObjectCommand,
  type GetObjectCommandInput,
  ListObjectsV2Command,
  type ListObjectsV2CommandInput,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import type { JournalEntry } from '../../../lambda/core/journal';
import { sealJournal } from '../../../lambda/core/journal-seal';
import { appendJournalSegment } from '../../../lambda/core/journal-store';
import { compareKeys } from '../../../lambda/core/timeline';
import { ACCOUNT, BUCKET, entry, sdkBody } from './support';

/*
 * A vault bucket in memory behind a mocked S3 client: write-once PutObject (If-None-Match), ListObjectsV2
 * in S3's key order with continuation tokens, GetObject with byte ranges, and a server clock that stamps
 * each write's LastModified at S3's one-second resolution. Enough for the journal's writers and readers,
 * and it counts what they fetch.
 */

const T0 = Date.parse('2026-11-29T10:00:00.000Z');

/** A version entry of `key` written `seconds` after T0. */
export function version(key: string, id: string, seconds: number, extra: Partial<JournalEntry> = {}): JournalEntry {
  return entry({
    kind: 'version',
    key,
    token: `v.${id}`,
    vaultKey: `objects/${ACCOUNT}/${extra.bucket ?? BUCKET}/${key}/v.${id}`,
    sourceVersionId: id,
    sourceTime: new Date(T0 + seconds * 1000).toISOString(),
    ...extra,
  });
}

interface Stored {
  readonly body: Buffer;
  readonly metadata: Record<string, string>;
  readonly lastModified: Date;
}

export class MemoryVault {
  public readonly bucket = 'vault';
  public readonly client = new S3Client({ region: 'eu-west-1' });
  public readonly mock = mockClient(this.client);
  public readonly objects = new Map<string, Stored>();
  /** The server's clock: the next write's LastModified (truncated to the second). */
  public clock = new Date('2026-11-30T00:00:00.000Z');
  /** Keys per ListObjectsV2 page (S3's is 1,000; small here so that paging is exercised). */
  public listPageSize = 1000;
  /** When set, a PutObject of a key it returns an error for fails with that error (a crash, a 500). */
  public failPut?: (key: string) => Error | undefined;
  private segments = 0;

  public constructor() {
    this.install();
  }

  /** The client and bucket, as the journal functions take them. */
  public get access() {
    return { client: this.client, bucket: this.bucket };
  }

  /** Advance the server clock. */
  public tick(ms = 1000): Date {
    this.clock = new Date(this.clock.getTime() + ms);
    return this.clock;
  }

  /** Append one journal segment at the current server time, as a copier batch would. */
  public async append(account: string, entries: readonly JournalEntry[]): Promise<string> {
    return appendJournalSegment(this.access, account, entries, `batch-${++this.segments}`, this.clock);
  }

  /**
   * Seal what was appended, as the sealer would: two seconds later by the server's clock (so every segment
   * has settled), with `indexBlockEntries` per index block; the clock moves on past the seal.
   */
  public async seal(account: string, indexBlockEntries?: number): Promise<void> {
    this.tick(2000);
    const result = await sealJournal({
      reader: this.access,
      writer: this.access,
      account,
      now: () => this.clock,
      settleMs: 0,
      ...(indexBlockEntries ? { indexBlockEntries } : {}),
    });
    if (!result.sealed) throw new Error(`nothing sealed: ${result.reason}`);
    this.tick(2000);
  }

  /** GetObject requests made since the last `forgetCalls()`, with their keys and ranges. */
  public gets(): Array<{ key: string; range?: string }> {
    return this.mock
      .commandCalls(GetObjectCommand)
      .map((c) => ({ key: c.args[0].input.Key as string, range: c.args[0].input.Range }));
  }

  public forgetCalls(): void {
    this.mock.resetHistory();
  }

  private install(): void {
    this.mock.on(PutObjectCommand).callsFake((input: PutObjectCommandInput) => this.put(input));
    this.mock.on(GetObjectCommand).callsFake((input: GetObjectCommandInput) => this.get(input));
    this.mock.on(ListObjectsV2Command).callsFake((input: ListObjectsV2CommandInput) => this.list(input));
  }

  private put(input: PutObjectCommandInput) {
    const key = input.Key as string;
    const failure = this.failPut?.(key);
    if (failure) throw failure;
    if (input.IfNoneMatch === '*' && this.objects.has(key)) throw serviceError('PreconditionFailed', 412);
    const body = Buffer.from(input.Body as Uint8Array);
    const lastModified = new Date(Math.floor(this.clock.getTime() / 1000) * 1000);
    this.objects.set(key, { body, metadata: { ...(input.Metadata ?? {}) }, lastModified });
    return { VersionId: `vv-${this.objects.size}` };
  }

  private get(input: GetObjectCommandInput) {
    const stored = this.objects.get(input.Key as string);
    if (!stored) throw serviceError('NoSuchKey', 404);
    let body = stored.body;
    const range = input.Range ? /^bytes=(\d+)-(\d+)$/.exec(input.Range) : null;
    if (input.Range && !range) throw new Error(`unsupported range ${input.Range}`);
    if (range) body = body.subarray(Number(range[1]), Number(range[2]) + 1);
    return { Body: sdkBody(body), ContentLength: body.length, Metadata: stored.metadata, LastModified: stored.lastModified };
  }

  private list(input: ListObjectsV2CommandInput) {
    const prefix = input.Prefix ?? '';
    const after = input.ContinuationToken ?? input.StartAfter;
    const keys = [...this.objects.keys()]
      .filter((k) => k.startsWith(prefix) && (after === undefined || compareKeys(k, after) > 0))
      .sort(compareKeys);
    const page = keys.slice(0, Math.min(input.MaxKeys ?? 1000, this.listPageSize));
    const truncated = keys.length > page.length;
    return {
      Contents: page.map((Key) => ({
        Key,
        LastModified: this.objects.get(Key)?.lastModified,
        Size: this.objects.get(Key)?.body.length,
      })),
      IsTruncated: truncated,
      ...(truncated ? { NextContinuationToken: page.at(-1) } : {}),
    };
  }
}

function serviceError(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}
