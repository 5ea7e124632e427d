/**
 * The copy engine on the real local S3, through the real ingest-role path (STS AssumeRole with the
 * external id, the production credentials and client modules). Ceph RGW ignores If-None-Match, so
 * the copier runs in its `client` write-once mode here (local/local-copier.ts says how); the
 * server-side If-None-Match path is covered by the unit tests with mocks. A large object's copy is
 * watched on the wire (the fault proxy, injecting nothing) to count its reads of the source.
 */
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import type { JournalEntry } from '../../lambda/core/journal';
import { openJournal } from '../../lambda/core/journal-reader';
import { executeRestore } from '../../lambda/core/restore-execute';
import { type PlanItem, planRestore } from '../../lambda/core/restore-plan';
import { currentAt, timelines } from '../../lambda/core/timeline';
import { NO_FAULTS, startFaultProxy } from '../../local/fault-proxy';
import { copierTarget, type LocalCopier, localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { provisionLocalVault } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB, pattern, upload } from './support/child';
import { integLocalS3 } from './support/env';
import { objectSha256 } from './support/source-data';
import { Clients, localConfig, sha256 } from './support/vault';

jest.setTimeout(120_000);

const clients = new Clients();
afterAll(() => clients.destroy());

interface Fixture {
  readonly deployment: LocalDeployment;
  readonly copier: LocalCopier;
  readonly events: SourceEventLog;
  /** The primary tenant's applications, writing the sources. */
  readonly app: S3Client;
  readonly versioned: string;
  readonly unversioned: string;
}

async function fixture(label: string): Promise<Fixture> {
  const config = localConfig();
  const account = config.primaryAccounts[0];
  if (!account) throw new Error('the local config has no primary account');
  account.sources = [{ bucket: 'acme-invoices' }, { bucket: 'acme-scratch' }];
  const deployment = await provisionLocalVault(integLocalS3(), config, { label, unversionedSources: ['acme-scratch'] });
  const copier = localCopier(
    deployment,
    process.env.DEBUG_COPIER
      ? { log: { info: () => undefined, warn: (m, x) => console.warn(m, x), error: (m, x) => console.error(m, x) } }
      : {},
  );
  const [versioned, unversioned] = deployment.primary.sources.map((s) => s.name) as [string, string];
  return {
    deployment,
    copier,
    events: new SourceEventLog(deployment.primary.tenant),
    app: clients.as(deployment, deployment.primary.admin),
    versioned,
    unversioned,
  };
}

async function put(f: Fixture, bucket: string, key: string, body: Buffer | string) {
  const out = await f.app.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return { key, versionId: out.VersionId, etag: out.ETag, sha256: sha256(body), size: Buffer.byteLength(body) };
}

async function remove(f: Fixture, bucket: string, key: string, versionId?: string) {
  const out = await f.app.send(
    new DeleteObjectCommand({ Bucket: bucket, Key: key, ...(versionId ? { VersionId: versionId } : {}) }),
  );
  return { key, versionId: out.VersionId, deleteMarker: out.DeleteMarker === true };
}

/** Every version under the primary account's objects/ prefix, as the vault's owner lists them. */
async function vaultObjectVersions(f: Fixture): Promise<Array<{ key: string; versionId: string }>> {
  const owner = clients.as(f.deployment, f.deployment.backup.admin);
  const found: Array<{ key: string; versionId: string }> = [];
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  do {
    const page = await owner.send(
      new ListObjectVersionsCommand({
        Bucket: f.deployment.vault.name,
        Prefix: f.deployment.primary.vaultPrefixes.objects,
        KeyMarker: keyMarker,
        VersionIdMarker: versionIdMarker,
      }),
    );
    for (const v of page.Versions ?? []) found.push({ key: v.Key as string, versionId: v.VersionId as string });
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  return found;
}

/** SHA-256 of a vault object, read as the restore reader (the only role that may read backed-up bytes). */
async function vaultSha256(f: Fixture, vaultKey: string): Promise<string> {
  const reader = await clients.assume(f.deployment, 'restoreReader');
  const got = await reader.s3.send(new GetObjectCommand({ Bucket: f.deployment.vault.address, Key: vaultKey }));
  return sha256(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray());
}

const forKey = (entries: JournalEntry[], bucket: string, key: string) =>
  timelines(entries).find((t) => t.bucket === bucket && t.key === key);

describe('copy engine on the local S3', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await fixture('copy');
  });
  afterAll(() => f?.copier.close());

  it('turns puts, overwrites and deletes on a versioned source into the right timeline, byte for byte', async () => {
    const v1 = await put(f, f.versioned, 'invoices/a.pdf', 'first');
    const v2 = await put(f, f.versioned, 'invoices/a.pdf', Buffer.from([0, 1, 2, 255]));
    const b1 = await put(f, f.versioned, 'invoices/b.pdf', 'only b');
    const marker = await remove(f, f.versioned, 'invoices/a.pdf');
    const first = await f.copier.copy(
      f.events.records([
        f.events.created(f.versioned, v1),
        f.events.created(f.versioned, v2),
        f.events.created(f.versioned, b1),
        f.events.deleted(f.versioned, marker),
      ]),
    );
    const destroyed = await remove(f, f.versioned, 'invoices/b.pdf', b1.versionId);
    const second = await f.copier.copy(f.events.records([f.events.deleted(f.versioned, destroyed)]));
    expect([...first.failedMessageIds, ...second.failedMessageIds]).toEqual([]);
    expect([...first.outcomes, ...second.outcomes].map((o) => o.outcome.status)).toEqual([
      'copied',
      'copied',
      'copied',
      'copied',
      'copied',
    ]);

    const journal = await f.copier.journal();
    const a = forKey(journal, f.versioned, 'invoices/a.pdf');
    expect(a?.entries.map((e) => [e.kind, e.sourceVersionId])).toEqual([
      ['version', v1.versionId],
      ['version', v2.versionId],
      ['deleteMarker', marker.versionId],
    ]);
    expect(forKey(journal, f.versioned, 'invoices/b.pdf')?.entries.map((e) => [e.kind, e.destroys ?? e.sourceVersionId])).toEqual(
      [
        ['version', b1.versionId],
        ['destroyed', b1.versionId],
      ],
    );
    const [e1, e2] = a?.entries ?? [];
    expect([e1?.sha256, e2?.sha256]).toEqual([v1.sha256, v2.sha256]);
    expect(await vaultSha256(f, e1?.vaultKey as string)).toBe(v1.sha256);
    expect(await vaultSha256(f, e2?.vaultKey as string)).toBe(v2.sha256);
    // The deletion is a tombstone in the vault, never applied: the versions are all still there.
    expect(currentAt(a as NonNullable<typeof a>, new Date())).toBeNull();
  });

  it('backs up an unversioned source: each content it had, and its deletion', async () => {
    const c1 = await put(f, f.unversioned, 'scratch/x.csv', 'a,b\n1,2\n');
    await f.copier.copy(f.events.records([f.events.created(f.unversioned, c1)]));
    const c2 = await put(f, f.unversioned, 'scratch/x.csv', 'a,b\n3,4\n');
    await f.copier.copy(f.events.records([f.events.created(f.unversioned, c2)]));
    const gone = await remove(f, f.unversioned, 'scratch/x.csv');
    await f.copier.copy(f.events.records([f.events.deleted(f.unversioned, gone)]));

    const x = forKey(await f.copier.journal(), f.unversioned, 'scratch/x.csv');
    expect(x?.entries.map((e) => [e.kind, e.sourceVersionId, e.sha256])).toEqual([
      ['version', null, c1.sha256],
      ['version', null, c2.sha256],
      ['deleted', null, null],
    ]);
    expect(x?.entries[0]?.token).toMatch(/^c\.\d+\.[0-9a-f]{32}$/);
  });

  it('records an unversioned overwrite that happened before the copy as gone, writing nothing for it', async () => {
    const first = await put(f, f.unversioned, 'scratch/late.csv', 'old');
    await put(f, f.unversioned, 'scratch/late.csv', 'new');
    const result = await f.copier.copy(f.events.records([f.events.created(f.unversioned, first)]));
    expect(result.failedMessageIds).toEqual([]);
    expect(result.outcomes[0]?.outcome).toEqual({
      status: 'gone',
      reason: 'the object was overwritten before it could be copied (unversioned source)',
    });
    expect(forKey(await f.copier.journal(), f.unversioned, 'scratch/late.csv')).toBeUndefined();
  });

  it('records a version destroyed before it could be copied as gone, and its destruction as a tombstone', async () => {
    const doomed = await put(f, f.versioned, 'invoices/doomed.pdf', 'short-lived');
    const destroyed = await remove(f, f.versioned, 'invoices/doomed.pdf', doomed.versionId);
    const result = await f.copier.copy(
      f.events.records([f.events.created(f.versioned, doomed), f.events.deleted(f.versioned, destroyed)]),
    );
    expect(result.failedMessageIds).toEqual([]);
    expect(result.outcomes.map((o) => o.outcome.status)).toEqual(['gone', 'copied']);
    expect(forKey(await f.copier.journal(), f.versioned, 'invoices/doomed.pdf')?.entries.map((e) => e.kind)).toEqual([
      'destroyed',
    ]);
  });

  it('writes nothing new for duplicated, re-delivered and reordered events', async () => {
    const versions = [await put(f, f.versioned, 'dup/k', 'one'), await put(f, f.versioned, 'dup/k', 'two')];
    const marker = await remove(f, f.versioned, 'dup/k');
    const bodies = [...versions.map((v) => f.events.created(f.versioned, v)), f.events.deleted(f.versioned, marker)];
    await f.copier.copy(f.events.records(bodies));
    const before = await vaultObjectVersions(f);

    // The same events again: twice in one batch, reversed, and once more in another batch.
    const again = await f.copier.copy(f.events.records([...bodies, ...bodies].reverse()));
    const third = await f.copier.copy(f.events.records([bodies[1] as string]));
    expect(again.failedMessageIds).toEqual([]);
    expect([...again.outcomes, ...third.outcomes].every((o) => o.outcome.status === 'already-in-vault')).toBe(true);
    expect(await vaultObjectVersions(f)).toEqual(before);
    expect(forKey(await f.copier.journal(), f.versioned, 'dup/k')?.entries.map((e) => e.kind)).toEqual([
      'version',
      'version',
      'deleteMarker',
    ]);
  });

  it('copies a large object with one read of the source, its SHA-256 in the journal only; it restores byte for byte, and a journal that lies is refused', async () => {
    const size = 40 * MIB;
    const data = pattern(size, 'one-read');
    const key = 'large/one-read.bin';
    const { versionId } = await upload(f.app, f.versioned, key, data.stream());
    // The copier talks to S3 through a proxy that injects nothing and keeps a log of its requests.
    const proxy = await startFaultProxy({ target: f.deployment.endpoint, seed: 'one-read', rates: NO_FAULTS });
    const copier = localCopier({ ...copierTarget(f.deployment), endpoint: proxy.endpoint });
    try {
      const copied = await copier.copy(f.events.records([f.events.created(f.versioned, { key, versionId, size })]));
      expect(copied.outcomes.map((o) => o.outcome.status)).toEqual(['copied']);
    } finally {
      copier.close();
      await proxy.close();
    }
    const onTheWire = proxy.requests.map((r) => ({ method: r.method, url: new URL(r.url, 'http://proxy') }));
    const sourceGets = onTheWire.filter(
      (r) => r.method === 'GET' && decodeURIComponent(r.url.pathname) === `/${f.versioned}/${key}`,
    );
    expect(sourceGets).toHaveLength(1);
    expect(onTheWire.filter((r) => r.method === 'PUT' && r.url.searchParams.has('partNumber'))).toHaveLength(5); // 8 MiB parts

    const entry = forKey(await f.copier.journal(), f.versioned, key)?.entries[0];
    if (!entry) throw new Error(`${key} has no journal entry after its copy`);
    expect(entry).toMatchObject({ kind: 'version', sourceVersionId: versionId, size, sha256: await data.sha256 });
    const reader = await clients.assume(f.deployment, 'restoreReader');
    const vault = { client: reader.s3, bucket: f.deployment.vault.address };
    const head = await vault.client.send(new GetObjectCommand({ Bucket: vault.bucket, Key: entry.vaultKey, Range: 'bytes=0-0' }));
    expect(head.Metadata).toMatchObject({
      'strongroom-format': '2',
      'sha256-recorded': 'journal',
      'part-bytes': String(8 * MIB),
    });
    expect(head.Metadata).not.toHaveProperty('sha256');

    const primary = f.deployment.primary;
    const target = {
      client: clients.as(f.deployment, primary.functions.restore),
      bucket: primary.restoreTargets[0]?.name as string,
    };
    const items: PlanItem[] = [];
    const view = await openJournal(vault, primary.tenant);
    for await (const item of planRestore(view, {
      bucket: f.versioned,
      prefix: key,
      asOf: new Date(),
      target,
      targetPrefix: 'good/',
    })) {
      items.push(item);
    }
    expect(items.map((i) => i.action)).toEqual(['write']);
    expect(await executeRestore({ vault, target }, items)).toMatchObject({ written: 1, failed: [] });
    expect(await objectSha256(target.client, target.bucket, `good/${key}`)).toEqual({ sha256: await data.sha256, size });

    // A journal entry whose SHA-256 is not the vault object's bytes: streamed, refused before completion, nothing left.
    const lying = items.map((i) => ({
      ...i,
      targetKey: `lying/${key}`,
      entry: i.entry && { ...i.entry, sha256: 'e'.repeat(64) },
    }));
    const refused = await executeRestore({ vault, target }, lying);
    expect(refused).toMatchObject({
      written: 0,
      failed: [{ key, reason: expect.stringMatching(/^UntrustedVersionError: .* expected e{64}/) }],
    });
    const inspector = clients.as(f.deployment, primary.admin);
    const left = await inspector.send(new ListObjectVersionsCommand({ Bucket: target.bucket, Prefix: 'lying/' }));
    expect(left.Versions ?? []).toEqual([]);
    const uploads = await inspector.send(new ListMultipartUploadsCommand({ Bucket: target.bucket, Prefix: 'lying/' }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });
});

describe('property: any history of puts, overwrites and deletes', () => {
  it('leaves the vault timeline equal to the source history, each version once and byte-identical, each delete a tombstone', async () => {
    const f = await fixture('prop');
    try {
      // 20 keys, 240 operations, fixed seed: a failure is reproducible.
      const operation = fc.record({
        key: fc.integer({ min: 0, max: 19 }),
        kind: fc.constantFrom('put', 'put', 'put', 'delete', 'destroy'),
        size: fc.integer({ min: 0, max: 2048 }),
        fill: fc.integer({ min: 0, max: 255 }),
      });
      const [ops] = fc.sample(fc.array(operation, { minLength: 240, maxLength: 240 }), { numRuns: 1, seed: 20261129 });
      type Expected = { kind: JournalEntry['kind']; versionId: string; sha256: string | null };
      const history = new Map<string, Expected[]>();
      const live = new Map<string, string[]>(); // versions in the source whose event was delivered
      const delivered: string[] = [];
      const [shuffleSeed] = fc.sample(fc.integer(), { numRuns: 1, seed: 7 });
      let window: string[] = [];
      let fresh = new Map<string, string[]>(); // versions written in this window: not yet copied
      const deliver = async () => {
        // This window's events twice, plus a few late re-deliveries of earlier ones, all shuffled.
        const late = delivered.filter((_, i) => (i * 7919 + (shuffleSeed ?? 0)) % 13 === 0);
        const [batch] = fc.sample(
          fc.shuffledSubarray([...window, ...window, ...late], { minLength: window.length * 2 + late.length }),
          {
            numRuns: 1,
            seed: delivered.length + 1,
          },
        );
        const records = f.events.records(batch ?? []);
        for (let i = 0; i < records.length; i += 10) {
          const result = await f.copier.copy(records.slice(i, i + 10));
          expect(result.failedMessageIds).toEqual([]);
        }
        delivered.push(...window);
        for (const [key, versions] of fresh) (live.get(key) ?? live.set(key, []).get(key) ?? []).push(...versions);
        window = [];
        fresh = new Map();
      };
      const hidden = new Set<string>(); // keys whose latest version is a delete marker
      for (const [i, op] of (ops ?? []).entries()) {
        const key = `prop/key-${String(op.key).padStart(2, '0')}.bin`;
        const events = history.get(key) ?? [];
        history.set(key, events);
        const copied = live.get(key) ?? [];
        // A delete needs something to delete (RGW, unlike AWS, places no marker on an absent key).
        const deletable = events.length > 0 && !hidden.has(key);
        if (op.kind === 'put' || (op.kind === 'destroy' && copied.length === 0) || (op.kind === 'delete' && !deletable)) {
          hidden.delete(key);
          const body = Buffer.alloc(op.size, op.fill);
          const written = await put(f, f.versioned, key, body);
          window.push(f.events.created(f.versioned, written));
          events.push({ kind: 'version', versionId: written.versionId as string, sha256: written.sha256 });
          fresh.set(key, [...(fresh.get(key) ?? []), written.versionId as string]);
        } else if (op.kind === 'delete') {
          const marker = await remove(f, f.versioned, key);
          window.push(f.events.deleted(f.versioned, marker));
          events.push({ kind: 'deleteMarker', versionId: marker.versionId as string, sha256: null });
          hidden.add(key);
        } else {
          // Destroy only versions already backed up: a version destroyed before its copy is gone (tested above).
          const victim = copied.splice(op.fill % copied.length, 1)[0] as string;
          const destroyed = await remove(f, f.versioned, key, victim);
          window.push(f.events.deleted(f.versioned, destroyed));
          events.push({ kind: 'destroyed', versionId: victim, sha256: null });
        }
        if (i % 12 === 11) await deliver();
      }
      await deliver();
      // Not vacuous: the history holds every kind of change, in numbers.
      const kinds = [...history.values()].flat().map((e) => e.kind);
      const count = (kind: string) => kinds.filter((k) => k === kind).length;
      expect(kinds.length).toBe(240);
      expect(history.size).toBe(20);
      expect(count('version')).toBeGreaterThan(100);
      expect(count('deleteMarker')).toBeGreaterThan(20);
      expect(count('destroyed')).toBeGreaterThan(10);

      const journal = await f.copier.journal();
      for (const [key, expected] of history) {
        const timeline = forKey(journal, f.versioned, key);
        expect({
          key,
          entries: timeline?.entries.map((e) => ({ kind: e.kind, versionId: e.destroys ?? e.sourceVersionId, sha256: e.sha256 })),
        }).toEqual({
          key,
          entries: expected,
        });
      }
      // Each version exactly once in the vault, and byte-identical to what was written.
      const entries = timelines(journal).flatMap((t) => t.entries);
      const objects = await vaultObjectVersions(f);
      expect(objects).toHaveLength(entries.length);
      expect(new Set(objects.map((o) => o.key))).toEqual(new Set(entries.map((e) => e.vaultKey)));
      const sample = entries.filter((e) => e.kind === 'version').slice(0, 25);
      for (const e of sample) expect(await vaultSha256(f, e.vaultKey)).toBe(e.sha256);
    } finally {
      f.copier.close();
    }
  });
});
