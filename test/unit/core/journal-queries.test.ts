import fc from 'fast-check';
import { openJournal, readTimelines } from '../../../lambda/core/journal-reader';
import { sealJournal } from '../../../lambda/core/journal-seal';
import { compareKeys, timelines } from '../../../lambda/core/timeline';
import { MemoryVault, version } from './memory-vault';
import { ACCOUNT, BUCKET } from './support';

async function collect(vault: MemoryVault, query: Parameters<typeof readTimelines>[1]) {
  const view = await openJournal(vault.access, ACCOUNT);
  const out: Array<{ key: string; tokens: string[] }> = [];
  for await (const t of readTimelines(view, query)) out.push({ key: t.key, tokens: t.entries.map((e) => e.token) });
  return out;
}

describe('journal reader', () => {
  it("streams one bucket's timelines in key order, merging the sealed indexes and the unsealed tail, each entry once", async () => {
    const vault = new MemoryVault();
    await vault.append(ACCOUNT, [
      version('c', 'c1', 1),
      version('a', 'a1', 2),
      version('b/x', 'bx1', 3),
      version('a', 'other', 4, { bucket: 'acme-other' }),
    ]);
    await vault.seal(ACCOUNT);
    await vault.append(ACCOUNT, [
      version('c', 'c0', 0),
      version('b', 'b1', 5),
      { ...version('a', 'a1', 2), vaultVersionId: null },
    ]);

    expect(await collect(vault, { bucket: BUCKET })).toEqual([
      { key: 'a', tokens: ['v.a1'] },
      { key: 'b', tokens: ['v.b1'] },
      { key: 'b/x', tokens: ['v.bx1'] },
      { key: 'c', tokens: ['v.c0', 'v.c1'] },
    ]);
    expect(await collect(vault, { bucket: BUCKET, prefix: 'b' })).toEqual([
      { key: 'b', tokens: ['v.b1'] },
      { key: 'b/x', tokens: ['v.bx1'] },
    ]);
    expect(await collect(vault, { bucket: 'acme-other' })).toEqual([{ key: 'a', tokens: ['v.other'] }]);
  });

  it('reads only the index blocks that can hold the prefix after startAfter, one ranged GET each', async () => {
    const vault = new MemoryVault();
    const keys = Array.from({ length: 30 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    await vault.append(
      ACCOUNT,
      keys.map((k, i) => version(k, `${k}v`, i)),
    );
    await vault.seal(ACCOUNT, 5);
    const view = await openJournal(vault.access, ACCOUNT);
    vault.forgetCalls();
    const found: string[] = [];
    for await (const t of readTimelines(view, { bucket: BUCKET, prefix: 'k1', startAfter: 'k12' })) found.push(t.key);
    expect(found).toEqual(['k13', 'k14', 'k15', 'k16', 'k17', 'k18', 'k19']);
    const gets = vault.gets();
    expect(gets).toHaveLength(2);
    expect(gets.every((g) => g.key.includes('/index/') && g.range?.startsWith('bytes='))).toBe(true);
  });

  it('keeps keys that differ only in an astral character apart, in S3 order', async () => {
    const vault = new MemoryVault();
    await vault.append(ACCOUNT, [
      version('e/\u{1F601}', 'two', 1),
      version('e/\u{1F600}', 'one', 2),
      version('e/\uFFFD', 'bmp', 3),
    ]);
    await vault.seal(ACCOUNT);
    await vault.append(ACCOUNT, [version('e/\u{1F600}', 'one-more', 4)]);
    expect(await collect(vault, { bucket: BUCKET, prefix: 'e/' })).toEqual([
      { key: 'e/\uFFFD', tokens: ['v.bmp'] },
      { key: 'e/\u{1F600}', tokens: ['v.one', 'v.one-more'] },
      { key: 'e/\u{1F601}', tokens: ['v.two'] },
    ]);
  });
});

describe('journal reader, property', () => {
  it('yields exactly what a full scan finds for any bucket, prefix and startAfter, sealed or in the tail', async () => {
    const key = fc.string({ unit: fc.constantFrom('a', 'b', '/', '\u00e9', '\u{1F600}'), minLength: 1, maxLength: 4 });
    const anEntry = fc.record({ key, bucket: fc.constantFrom(BUCKET, 'acme-other'), id: fc.nat(20), at: fc.nat(50) });
    const query = fc.record({
      bucket: fc.constantFrom(BUCKET, 'acme-other'),
      prefix: fc.option(fc.string({ unit: fc.constantFrom('a', 'b', '/', '\u{1F600}'), maxLength: 2 }), { nil: undefined }),
      startAfter: fc.option(key, { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(anEntry, { minLength: 3, maxLength: 40 }),
        fc.array(query, { minLength: 1, maxLength: 4 }),
        async (raw, queries) => {
          const vault = new MemoryVault();
          const entries = raw.map((r) => version(r.key, `${r.id}`, r.at, { bucket: r.bucket }));
          const part = (n: number) => entries.filter((_, i) => i % 3 === n);
          await vault.append(ACCOUNT, part(0));
          await vault.seal(ACCOUNT, 3);
          await vault.append(ACCOUNT, part(1));
          await vault.seal(ACCOUNT, 4);
          await vault.append(ACCOUNT, part(2));
          for (const q of queries) {
            const expected = timelines(entries)
              .filter(
                (t) =>
                  t.bucket === q.bucket &&
                  t.key.startsWith(q.prefix ?? '') &&
                  (q.startAfter === undefined || compareKeys(t.key, q.startAfter) > 0),
              )
              .sort((a, b) => compareKeys(a.key, b.key))
              .map((t) => ({ key: t.key, tokens: t.entries.map((e) => e.token) }));
            expect(await collect(vault, q)).toEqual(expected);
          }
        },
      ),
      { numRuns: 60, seed: 20261201 },
    );
  });
});

describe('sealer', () => {
  it('seals on the next run after a crash between writing the indexes and the seal record', async () => {
    const vault = new MemoryVault();
    await vault.append(ACCOUNT, [version('a', 'a1', 1)]);
    vault.tick(2000);
    const deps = { reader: vault.access, writer: vault.access, account: ACCOUNT, now: () => vault.clock, settleMs: 0 };
    vault.failPut = (key) => (key.includes('/seals/') ? new Error('the sealer died') : undefined);
    await expect(sealJournal(deps)).rejects.toThrow('the sealer died');
    // More segments arrive before the next run: its index of the same sequence differs from the orphan.
    await vault.append(ACCOUNT, [version('b', 'b1', 2)]);
    vault.tick(2000);
    vault.failPut = undefined;
    const retried = await sealJournal(deps);
    expect(retried).toMatchObject({ sealed: true, record: { sequence: 0, segments: [{}, {}] } });
    expect(await collect(vault, { bucket: BUCKET })).toEqual([
      { key: 'a', tokens: ['v.a1'] },
      { key: 'b', tokens: ['v.b1'] },
    ]);
  });
});
