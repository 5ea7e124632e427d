import {
  deletedToken,
  deleteMarkerToken,
  destroyedToken,
  journalSegmentKey,
  keyDigest,
  kindOfToken,
  timelinePrefix,
  vaultKeyFor,
  versionToken,
} from '../../../lambda/core/vault-keys';

describe('vault keys', () => {
  const ref = { account: '222222222222', bucket: 'acme-prod-invoices', key: 'invoices/2026/ü nicode.pdf' };

  it('puts every entry of one source key under one fixed-length prefix of its account and bucket', () => {
    const prefix = timelinePrefix(ref);
    expect(prefix).toBe(`objects/222222222222/acme-prod-invoices/${keyDigest(ref.key)}/`);
    expect(keyDigest(ref.key)).toMatch(/^[0-9a-f]{64}$/);
    expect(vaultKeyFor({ ...ref, key: 'k'.repeat(1024) }, 'v.x').length).toBeLessThan(200);
  });

  it('names a versioned source version by its id, an unversioned one by last-modified second and ETag', () => {
    const lastModified = new Date('2026-11-29T10:00:00.750Z');
    expect(versionToken({ versionId: '3oCk.nES_U2-Z8', etag: '"abc"', lastModified })).toBe('v.3oCk.nES_U2-Z8');
    expect(versionToken({ versionId: 'null', etag: '"abc"', lastModified })).toBe('c.1795946400.abc');
    expect(versionToken({ versionId: null, etag: 'abc-2', lastModified })).toBe('c.1795946400.abc-2');
  });

  it('gives each kind of deletion its own token and reads the kind back', () => {
    expect(kindOfToken(deleteMarkerToken('m1'))).toBe('deleteMarker');
    expect(kindOfToken(destroyedToken('v1'))).toBe('destroyed');
    expect(kindOfToken(deletedToken({ sequencer: '0A' }))).toBe('deleted');
    expect(deletedToken({ detectedAt: new Date(5) })).toBe('d.r5');
    expect(kindOfToken(versionToken({ versionId: 'x', etag: 'e', lastModified: new Date() }))).toBe('version');
    expect(kindOfToken(versionToken({ versionId: null, etag: 'e', lastModified: new Date() }))).toBe('version');
    expect(() => kindOfToken('zz')).toThrow('not a vault entry token: "zz"');
  });

  it('keeps opaque ids key-safe without changing ordinary ones', () => {
    expect(destroyedToken('a/b+c')).toBe('x.a%2Fb%2Bc');
    expect(deleteMarkerToken('Ab9._-')).toBe('m.Ab9._-');
  });

  it('names journal segments so that they sort by time within an account', () => {
    const a = journalSegmentKey('222222222222', new Date('2026-11-29T10:00:00.005Z'), 'req-1');
    const b = journalSegmentKey('222222222222', new Date('2026-11-29T10:00:01.000Z'), 'req-0');
    expect(a).toBe('journal/222222222222/2026/11/29/20261129T100000005Z-req-1.ndjson');
    expect([b, a].sort()).toEqual([a, b]);
  });
});
