import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { backUpChange } from '../../../lambda/core/copy-version';
import { describeRead, readSourceVersion, SourceReadError } from '../../../lambda/core/source-version';
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

  it('refuses an answer without ETag or Last-Modified with a SourceReadError naming what is missing', async () => {
    sourceAnswers({ ETag: undefined, LastModified: undefined });
    const error = await readSourceVersion(reader, created()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error).toMatchObject({
      name: 'SourceReadError',
      read: `GetObject ${BUCKET}/invoices/a.pdf (version v1)`,
      problems: [
        { field: 'ETag', received: '(missing)', expected: 'its ETag' },
        { field: 'LastModified', received: '(missing)', expected: 'when it was written' },
      ],
    });
    expect((error as Error).message).toBe(
      `GetObject ${BUCKET}/invoices/a.pdf (version v1) answered without what a copy needs: ` +
        'ETag: received (missing), expected its ETag; LastModified: received (missing), expected when it was written',
    );
  });

  it('counts a zero length as a length, and an empty ETag as none', async () => {
    sourceAnswers({ Body: sdkBody(''), ContentLength: 0, ETag: '' });
    await expect(readSourceVersion(reader, created())).rejects.toMatchObject({
      problems: [{ field: 'ETag', received: '""', expected: 'its ETag' }],
    });
  });

  it('fails the copy with the SourceReadError, writing nothing', async () => {
    sourceAnswers({ Body: undefined });
    const vault = new S3Client({ region: 'eu-west-1' });
    const vaultMock = mockClient(vault);
    const ctx = {
      ...reader,
      vault: { client: vault, bucket: 'strongroom-vault', writerRole: 'ingest', writeOnce: 'server' as const },
      tuning: { singlePutMaxBytes: 1024, minPartBytes: 256, partsInFlight: 2 },
      now: () => new Date(),
    };
    await expect(backUpChange(ctx, created())).rejects.toThrow(
      /^GetObject acme-prod-invoices\/invoices\/a.pdf \(version v1\) answered without what a copy needs: Body: received \(missing\)/,
    );
    expect(vaultMock).not.toHaveReceivedAnyCommand();
  });

  it('names the read by version id, by announced ETag, or by key alone', () => {
    expect(describeRead(created())).toBe(`${BUCKET}/invoices/a.pdf (version v1)`);
    expect(describeRead(created({ versionId: null, etag: '"e9"' }))).toBe(`${BUCKET}/invoices/a.pdf (ETag "e9")`);
    expect(describeRead(created({ versionId: null, etag: null }))).toBe(`${BUCKET}/invoices/a.pdf`);
  });
});
