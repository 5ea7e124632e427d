import { type BucketState, compareBucketStates, type StoredObject } from '../../../local/bucket-state';

const object = (sha: string, partial: Partial<StoredObject> = {}): StoredObject => ({
  sha256: sha.repeat(64),
  size: 10,
  contentType: 'text/plain',
  metadata: { customer: 'acme' },
  ...partial,
});

describe('compareBucketStates', () => {
  it('the same bytes, content type and metadata (in any order) are the same; bytes are counted', () => {
    const before: BucketState = new Map([
      ['a.txt', object('a', { metadata: { x: '1', y: '2' } })],
      ['b.bin', object('b', { size: 20 })],
    ]);
    const after: BucketState = new Map([
      ['b.bin', object('b', { size: 20 })],
      ['a.txt', object('a', { metadata: { y: '2', x: '1' } })],
    ]);
    expect(compareBucketStates(before, after)).toEqual({ same: ['a.txt', 'b.bin'], differ: [], bytes: 30 });
  });

  it('names each key that differs, is missing, or should be absent, and what differs', () => {
    const before: BucketState = new Map([
      ['bytes', object('a')],
      ['type', object('b')],
      ['meta', object('c')],
      ['missing', object('d')],
    ]);
    const after: BucketState = new Map([
      ['bytes', object('f')],
      ['type', object('b', { contentType: 'application/octet-stream' })],
      ['meta', object('c', { metadata: {} })],
      ['ransom-note.txt', object('e')],
    ]);
    expect(compareBucketStates(before, after)).toEqual({
      same: [],
      bytes: 0,
      differ: [
        { key: 'bytes', what: 'bytes (sha256 ffffffffffff, expected aaaaaaaaaaaa)' },
        { key: 'type', what: 'content type (application/octet-stream, expected text/plain)' },
        { key: 'meta', what: 'metadata ({}, expected {"customer":"acme"})' },
        { key: 'missing', what: 'missing' },
        { key: 'ransom-note.txt', what: 'present, but absent at that instant' },
      ],
    });
  });
});
