import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { describeRead, readSourceVersion } from '../../../lambda/core/source-version';
import { ACCOUNT, BUCKET, created, sdkBody } from './support';

const client = new S3Client({ region: 'eu-west-1' });
const source = mockClient(client);
const reader = { sourceAccount: ACCOUNT, source: client, sourceRole: 'the copier role strongroom-copier' };

beforeEach(() => source.reset());

/** The source answers GetObject completely, but for `fields` (where `undefined` leaves one out). */
function sourceAnswers(fields: Record<string, unknown> = {}) {
  source.on(GetObjectCommand).resolves({
    Body: sdkBody('x'),
    ContentLength: 1,
    ETag: '"etag1"',
    LastModified: new Date('2026-11-29T10:00:00Z'),
    ...fields,
  } as any);
}

describe('reading a pinned source version', () => {
  it('keeps only the content headers the source sent', async () => {
    sourceAnswers({ ContentType: 'application/pdf' });
    const read = await readSourceVersion(reader, created());
    expect('version' in read && read.version.headers).toEqual({ ContentType: 'application/pdf' });
  });

  it('names the read by version id, by announced ETag, or by key alone', () => {
    expect(describeRead(created())).toBe(`${BUCKET}/invoices/a.pdf (version v1)`);
    expect(describeRead(created({ versionId: null, etag: '"e9"' }))).toBe(`${BUCKET}/invoices/a.pdf (ETag "e9")`);
    expect(describeRead(created({ versionId: null, etag: null }))).toBe(`${BUCKET}/invoices/a.pdf`);
  });
});
