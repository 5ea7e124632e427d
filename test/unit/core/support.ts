import { Readable } from 'node:stream';
import type { JournalEntry } from '../../../lambda/core/journal';
import type { ObjectCreated } from '../../../lambda/core/source-change';

/** A GetObject body as the copier consumes it (a Node stream of chunks), from bytes. */
export function sdkBody(bytes: Buffer | string, chunkSize = 64 * 1024): any {
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += chunkSize) chunks.push(buffer.subarray(i, i + chunkSize));
  return Readable.from(chunks);
}

export const ACCOUNT = '222222222222';
export const BUCKET = 'acme-prod-invoices';

/** A new version of `invoices/a.pdf` as the copier receives it from an S3 event. */
export const created = (partial: Partial<ObjectCreated> = {}): ObjectCreated => ({
  type: 'created',
  bucket: BUCKET,
  key: 'invoices/a.pdf',
  versionId: 'v1',
  etag: 'etag1',
  sequencer: '0A',
  eventTime: new Date('2026-11-29T10:00:01Z'),
  origin: 'event',
  ...partial,
});

/** An S3 event as EventBridge delivers it (through SQS: the record body). */
export function s3Event(
  type: 'Object Created' | 'Object Deleted',
  object: Record<string, unknown>,
  extra: {
    deletionType?: 'Permanently Deleted' | 'Delete Marker Created';
    time?: string;
    bucket?: string;
    account?: string;
  } = {},
) {
  return {
    version: '0',
    id: 'e6c2a5d4-0000-0000-0000-000000000000',
    'detail-type': type,
    source: 'aws.s3',
    account: extra.account ?? ACCOUNT,
    time: extra.time ?? '2026-11-29T10:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${extra.bucket ?? BUCKET}`],
    detail: {
      version: '0',
      bucket: { name: extra.bucket ?? BUCKET },
      object,
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: ACCOUNT,
      reason: type === 'Object Created' ? 'PutObject' : 'DeleteObject',
      ...(extra.deletionType ? { 'deletion-type': extra.deletionType } : {}),
    },
  };
}

export function entry(partial: Partial<JournalEntry> & Pick<JournalEntry, 'kind' | 'token' | 'sourceTime'>): JournalEntry {
  return {
    v: 1,
    account: ACCOUNT,
    bucket: BUCKET,
    key: 'a.txt',
    vaultKey: `objects/${ACCOUNT}/${BUCKET}/digest/${partial.token}`,
    sourceVersionId: null,
    destroys: null,
    sourceEtag: null,
    sequencer: null,
    eventTime: partial.sourceTime,
    copiedAt: '2026-11-29T12:00:00.000Z',
    size: 0,
    sha256: null,
    vaultVersionId: 'vv',
    contentType: null,
    metadata: {},
    ...partial,
  };
}
