import { JournalEntrySchema } from '../../../lambda/core/journal';
import { tombstoneEntry } from '../../../lambda/core/tombstones';
import { journalEntry, recordedSha256, type VaultEntry, vaultObjectMetadata } from '../../../lambda/core/vault-entry';
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
    'strongroom-format': '2',
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

describe('where a version records its SHA-256', () => {
  it('in a multipart upload, says the journal has it and gives the part size, with no sha256 a reader could take for one', () => {
    const metadata = vaultObjectMetadata({ ...version, sha256: null }, { in: 'journal', partBytes: 8 * 2 ** 20 });
    expect(metadata).toMatchObject({ 'strongroom-format': '2', 'sha256-recorded': 'journal', 'part-bytes': '8388608' });
    expect(metadata).not.toHaveProperty('sha256');
    expect(recordedSha256(metadata)).toEqual({ in: 'journal', partBytes: 8 * 2 ** 20 });
  });

  it('leaves out the SHA-256 the entry has when the layout says the journal holds it', () => {
    expect(vaultObjectMetadata(version, { in: 'journal', partBytes: 256 })).not.toHaveProperty('sha256');
  });

  it('refuses to write a version whose metadata would record neither its SHA-256 nor the journal marker', () => {
    expect(() => vaultObjectMetadata({ ...version, sha256: null })).toThrow(
      `${version.vaultKey}: a version's vault object needs its SHA-256 or the journal marker`,
    );
  });

  it('reads back the SHA-256 of a single PUT, in format 2 as in format 1', () => {
    expect(recordedSha256(vaultObjectMetadata(version))).toEqual({ in: 'metadata', sha256: 'a'.repeat(64) });
    expect(recordedSha256({ 'strongroom-format': '1', sha256: 'b'.repeat(64) })).toEqual({
      in: 'metadata',
      sha256: 'b'.repeat(64),
    });
  });

  it.each([
    ['nothing', {}, 'records no SHA-256 (neither sha256 nor sha256-recorded: journal)'],
    [
      'both records',
      { 'strongroom-format': '2', sha256: 'a'.repeat(64), 'sha256-recorded': 'journal', 'part-bytes': '256' },
      'records both sha256 and sha256-recorded: journal',
    ],
    [
      'another marker',
      { 'strongroom-format': '2', 'sha256-recorded': 'elsewhere', 'part-bytes': '256' },
      'records sha256-recorded: "elsewhere", expected "journal"',
    ],
    [
      'the marker in format 1',
      { 'strongroom-format': '1', 'sha256-recorded': 'journal', 'part-bytes': '256' },
      'records sha256-recorded in strongroom-format 1, expected format 2',
    ],
    [
      'the marker without a format',
      { 'sha256-recorded': 'journal', 'part-bytes': '256' },
      'records sha256-recorded in strongroom-format (missing), expected format 2',
    ],
    [
      'no part size',
      { 'strongroom-format': '2', 'sha256-recorded': 'journal' },
      'records part-bytes: (missing), expected the part size in bytes',
    ],
    [
      'a part size that is not a byte count',
      { 'strongroom-format': '2', 'sha256-recorded': 'journal', 'part-bytes': '0x100' },
      'records part-bytes: 0x100, expected the part size in bytes',
    ],
  ])('refuses a vault object that records %s', (_what, metadata, refused) => {
    expect(recordedSha256(metadata)).toEqual({ refused });
  });
});
