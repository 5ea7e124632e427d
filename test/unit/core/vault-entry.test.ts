import { JournalEntrySchema } from '../../../lambda/core/journal';
import { tombstoneEntry } from '../../../lambda/core/tombstones';
import { journalEntry, type VaultEntry, vaultObjectMetadata } from '../../../lambda/core/vault-entry';
import { keyDigest } from '../../../lambda/core/vault-keys';
import { ACCOUNT, BUCKET } from './support';

const version: VaultEntry = {
  kind: 'version',
  account: ACCOUNT,
  bucket: BUCKET,
  key: 'a.txt',
  token: 'v.v1',
  vaultKey: `objects/${ACCOUNT}/${BUCKET}/${keyDigest('a.txt')}/v.v1`,
  sourceVersionId: 'v1',
  destroys: null,
  sourceEtag: 'etag1',
  sourceTime: '2026-11-29T10:00:00.000Z',
  sequencer: '0A',
  eventTime: '2026-11-29T10:00:01.000Z',
  size: 5,
  sha256: 'a'.repeat(64),
  contentType: 'text/plain',
  metadata: { owner: 'alice' },
};

const marker = tombstoneEntry(
  { account: ACCOUNT, bucket: BUCKET, key: 'a.txt' },
  {
    type: 'deleted',
    bucket: BUCKET,
    key: 'a.txt',
    deletion: 'deleteMarker',
    versionId: 'm1',
    sequencer: null,
    eventTime: new Date('2026-11-29T10:05:00Z'),
    origin: 'event',
  },
);

describe('the journal entry', () => {
  it('is the entry with the format version, the copy time and the vault version id, and parses as one', () => {
    const written = journalEntry(version, { copiedAt: new Date('2026-11-29T12:00:00Z'), vaultVersionId: 'vv1' });
    expect(written).toEqual({ v: 2, ...version, copiedAt: '2026-11-29T12:00:00.000Z', vaultVersionId: 'vv1' });
    expect(JournalEntrySchema.parse(written)).toEqual(written);
  });

  it('is built the same way for a tombstone', () => {
    const written = journalEntry(marker, { copiedAt: new Date('2026-11-29T12:00:00Z'), vaultVersionId: null });
    expect(JournalEntrySchema.parse(written)).toMatchObject({
      kind: 'deleteMarker',
      token: 'm.m1',
      sourceVersionId: 'm1',
      sourceTime: '2026-11-29T10:05:00.000Z',
      vaultVersionId: null,
    });
  });
});

describe('the vault object metadata of an entry', () => {
  const own = {
    'strongroom-format': '1',
    'source-account': ACCOUNT,
    'source-bucket': BUCKET,
    'source-key': Buffer.from('a.txt').toString('base64url'),
    'source-key-sha256': keyDigest('a.txt'),
  };

  it.each([
    [
      'a version by its ETag, Last-Modified and SHA-256, with the user metadata',
      version,
      {
        'strongroom-kind': 'version',
        'source-version-id': 'v1',
        'source-etag': 'etag1',
        'source-last-modified': '2026-11-29T10:00:00.000Z',
        'source-sequencer': '0A',
        sha256: 'a'.repeat(64),
        'u-owner': 'alice',
      },
    ],
    [
      'a tombstone by what it names and when it happened, leaving out what it lacks',
      marker,
      { 'strongroom-kind': 'deleteMarker', 'source-version-id': 'm1', 'event-time': '2026-11-29T10:05:00.000Z' },
    ],
  ])('records %s', (_what, entry, expected) => {
    expect(vaultObjectMetadata(entry)).toEqual({ ...own, ...expected });
  });
});
