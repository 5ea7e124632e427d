/** strongroom timeline: a key's entries as printed, when each version was current, what is set aside. */
import type { TimelineBackend } from '../../../cli/backend';
import type { LocalBackend } from '../../../cli/local-backend';
import { localBucketNames } from '../../../cli/local-backend';
import { currentStretches, timelineJson } from '../../../cli/timeline-command';
import type { TrustedEntry } from '../../../lambda/core/journal-trust';
import type { LocalDeployment } from '../../../local/provision';
import { entry } from '../core/support';
import { fakeDeployment } from '../local/support/local-deployment';
import { run } from './support';

const trusted = (partial: Parameters<typeof entry>[0] & { writtenAt: string }): TrustedEntry => ({
  ...entry({ key: 'invoices/inv-0001.txt', ...partial }),
  segment: `journal/primary/${partial.token}.ndjson`,
  writtenAt: partial.writtenAt,
});

const sha = (c: string) => c.repeat(64);
// v1 written, overwritten by v2, v2 deleted (delete marker) by the intruder, whose journal entry came late.
const ENTRIES: TrustedEntry[] = [
  trusted({
    kind: 'version',
    token: 'v.1',
    sourceVersionId: '1',
    sourceTime: '2026-11-30T09:00:00.000Z',
    size: 34,
    sha256: sha('a'),
    writtenAt: '2026-11-30T09:00:04.000Z',
  }),
  trusted({
    kind: 'version',
    token: 'v.2',
    sourceVersionId: '2',
    sourceTime: '2026-12-01T02:00:00.000Z',
    size: 45,
    sha256: sha('b'),
    writtenAt: '2026-12-01T02:00:03.000Z',
  }),
  trusted({
    kind: 'deleteMarker',
    token: 'm.3',
    sourceVersionId: '3',
    sourceTime: '2026-12-01T03:10:00.000Z',
    writtenAt: '2026-12-01T03:10:02.000Z',
  }),
];

function backendOf(entries: readonly TrustedEntry[]): TimelineBackend & { asked: string[][] } {
  const asked: string[][] = [];
  return {
    asked,
    where: 'local deployment demo-x at http://127.0.0.1:7480',
    source: (name) => ({ shown: name, actual: `demo-x-${name}` }),
    timeline: async (bucket, key) => {
      asked.push([bucket, key]);
      return entries;
    },
    close: () => undefined,
  };
}

const ARGV = ['timeline', '--local', '--deployment', '/tmp/d.json', 'acme-invoices', 'invoices/inv-0001.txt'];

describe('strongroom timeline (now = 2026-12-01T05:12:00Z)', () => {
  it('prints every entry with kind, source time, size, short SHA-256, the vault write time, and which is current', async () => {
    const backend = backendOf(ENTRIES);
    const { code, out } = await run(ARGV, { backend: backend as unknown as LocalBackend });
    expect(code).toBe(0);
    expect(backend.asked).toEqual([['demo-x-acme-invoices', 'invoices/inv-0001.txt']]);
    expect(out.split('\n')).toEqual([
      "acme-invoices/invoices/inv-0001.txt: 3 entries in the vault's journal (local deployment demo-x at http://127.0.0.1:7480)",
      '  #  kind           source time (UTC)                               size  sha256        vault wrote it (UTC)',
      '  1  version        2026-11-30T09:00:00Z (20 hours 12 minutes ago)  34 B  aaaaaaaaaaaa  2026-11-30T09:00:04Z',
      '  2  version        2026-12-01T02:00:00Z (3 hours 12 minutes ago)   45 B  bbbbbbbbbbbb  2026-12-01T02:00:03Z',
      '  3  delete marker  2026-12-01T03:10:00Z (2 hours 2 minutes ago)    -     -             2026-12-01T03:10:02Z',
      '',
      'To restore a version, pass an --as-of instant:',
      '  #1 (34 B, sha256 aaaaaaaaaaaa): from 2026-11-30T09:00:00Z to before 2026-12-01T02:00:00Z',
      '  #2 (45 B, sha256 bbbbbbbbbbbb): from 2026-12-01T02:00:00Z to before 2026-12-01T03:10:00Z',
      'Current now (2026-12-01T05:12:00Z): nothing — the key does not exist since #3 (delete marker, 2026-12-01T03:10:00Z).',
      '',
    ]);
  });

  it('--distrust-writes-after marks what a restore ignores, and the state it leaves', async () => {
    const { out } = await run([...ARGV, '--distrust-writes-after', '2026-12-01T03:00:00Z'], {
      backend: backendOf(ENTRIES) as unknown as LocalBackend,
    });
    expect(out).toContain('2026-12-01T03:10:02Z  SET ASIDE (written after --distrust-writes-after)');
    expect(out).toContain('Entries the vault wrote after 2026-12-01T03:00:00Z (2 hours 12 minutes ago) are set aside');
    expect(out).toContain('  #2 (45 B, sha256 bbbbbbbbbbbb): from 2026-12-01T02:00:00Z until now');
    expect(out).toMatch(/ 45 B {2}b{12} {2}2026-12-01T02:00:03Z {2}<- current now\n/);
    expect(out).toContain('Current now (2026-12-01T05:12:00Z): #2.');
  });

  it('--json: one document, the full SHA-256, the stretches each version was current', async () => {
    const { code, out } = await run([...ARGV, '--json'], { backend: backendOf(ENTRIES) as unknown as LocalBackend });
    expect(code).toBe(0);
    const doc = JSON.parse(out);
    expect(doc).toMatchObject({ key: 'invoices/inv-0001.txt', now: '2026-12-01T05:12:00Z', distrustWritesAfter: null });
    expect(doc.entries[1]).toEqual({
      n: 2,
      kind: 'version',
      sourceTime: '2026-12-01T02:00:00Z',
      sourceTimeRelative: '3 hours 12 minutes ago',
      size: 45,
      sha256: sha('b'),
      writtenAt: '2026-12-01T02:00:03Z',
      writtenAtRelative: '3 hours 11 minutes ago',
      sourceVersionId: '2',
      vaultKey: expect.stringContaining('/v.2'),
      setAside: false,
      currentDuring: [{ from: '2026-12-01T02:00:00Z', until: '2026-12-01T03:10:00Z' }],
      currentNow: false,
      destroysEntry: null,
    });
  });

  it('a key with no entries: exit 2 naming the key and the bucket', async () => {
    const { code, err } = await run(ARGV, { backend: backendOf([]) as unknown as LocalBackend });
    expect(code).toBe(2);
    expect(err).toContain(
      'strongroom timeline: <key>: received "invoices/inv-0001.txt", expected a key with entries in the journal of acme-invoices (demo-x-acme-invoices): it has none',
    );
  });
});

/** v.2 deleted for good an hour after the delete marker's time. */
const DESTROYS_V2 = trusted({
  kind: 'destroyed',
  token: 'x.2',
  destroys: '2',
  sourceTime: '2026-12-01T04:00:00.000Z',
  writtenAt: '2026-12-01T04:00:01.000Z',
});

describe('when each version was current', () => {
  it('a destroyed version makes the one before it current again; consecutive stretches join', () => {
    const entries = [ENTRIES[0] as TrustedEntry, ENTRIES[1] as TrustedEntry, DESTROYS_V2];
    const stretches = currentStretches(entries);
    expect(stretches.get(entries[0] as TrustedEntry)).toEqual([
      { from: '2026-11-30T09:00:00Z', until: '2026-12-01T02:00:00Z' },
      { from: '2026-12-01T04:00:00Z', until: null },
    ]);
    expect(stretches.get(entries[1] as TrustedEntry)).toEqual([{ from: '2026-12-01T02:00:00Z', until: '2026-12-01T04:00:00Z' }]);
    const rows = timelineJson(entries, new Date('2026-12-01T05:00:00Z'));
    expect(rows.map((e) => [e.currentNow, e.destroysEntry])).toEqual([
      [true, null],
      [false, null],
      [false, 2],
    ]);
  });

  it('prints which entry a destroyed one deleted for good, the legend, and versions no instant can reach', async () => {
    const entries = [
      trusted({
        kind: 'version',
        token: 'v.0',
        sourceVersionId: '0',
        sourceTime: '2026-11-30T09:00:00.000Z',
        size: 3,
        sha256: sha('c'),
        writtenAt: '2026-11-30T09:00:04.000Z',
      }),
      ...ENTRIES.slice(0, 2),
      DESTROYS_V2,
    ];
    const { out } = await run(ARGV, { backend: backendOf(entries) as unknown as LocalBackend });
    expect(out).toMatch(
      / {2}4 {2}destroyed {2}2026-12-01T04:00:00Z \(1 hour 12 minutes ago\) +- +- +2026-12-01T04:00:01Z {2}deletes #3\n/,
    );
    expect(out).toContain('destroyed: a version (or delete marker) deleted for good in the source; the vault still holds it\n');
    expect(out).toContain('  #1: replaced within the same second (source times are whole seconds): no --as-of restores it\n');
  });
});

describe('local bucket names', () => {
  it("maps configured names to the deployment's, defaults --target to the first restore target, refuses others", async () => {
    const d = (await fakeDeployment('unit-cli')) as LocalDeployment;
    const names = localBucketNames(d);
    expect(names.source('acme-invoices')).toEqual({ shown: 'acme-invoices', actual: 'unit-cli-acme-invoices' });
    expect(names.source('unit-cli-acme-invoices')).toEqual({ shown: 'acme-invoices', actual: 'unit-cli-acme-invoices' });
    expect(names.source('retired-bucket')).toEqual({ shown: 'retired-bucket', actual: 'retired-bucket' });
    expect(names.target(undefined)).toEqual({ shown: 'acme-restore', actual: 'unit-cli-acme-restore' });
    expect(() => names.target('acme-invoices')).toThrow(
      '--target: received "acme-invoices", expected one of the restore targets of deployment unit-cli: acme-restore (locally unit-cli-acme-restore)',
    );
  });
});
