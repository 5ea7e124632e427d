/**
 * Journal v2 on the real local S3: seals and the streaming reader against reading every segment, the
 * trust rule (server write time, distrust-writes-after) against a forgery made with real ingest-role
 * credentials, and tampering with a sealed interval (on a plain bucket: COMPLIANCE would forbid it, which
 * is the point of the vault, but the check must work whatever the storage allows).
 */
import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { encodeSegment, type JournalEntry, JournalIntegrityError } from '../../lambda/core/journal';
import { openJournal, readAllEntries, readTimelines } from '../../lambda/core/journal-reader';
import { sealJournal, type VaultAccess } from '../../lambda/core/journal-seal';
import { appendJournalSegment, readJournal } from '../../lambda/core/journal-store';
import { currentAt, timelines } from '../../lambda/core/timeline';
import { vaultKeyFor } from '../../lambda/core/vault-keys';
import { localCopier } from '../../local/local-copier';
import { s3ClientFor } from '../../local/local-s3';
import { provisionLocalVault } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { integLocalS3 } from './support/env';
import { Clients, copyAll, localConfig, nextSecond, sha256 } from './support/vault';

jest.setTimeout(240_000);

const clients = new Clients();
let s3: S3Client | undefined;
afterAll(() => {
  clients.destroy();
  s3?.destroy();
});

/** Compare entries as the vault records them, whatever reader produced them. */
const canonical = (entries: readonly JournalEntry[]) =>
  entries
    .map(({ segment: _s, writtenAt: _w, ...entry }: JournalEntry & { segment?: string; writtenAt?: string }) =>
      JSON.stringify(entry),
    )
    .sort();

async function deploy(label: string) {
  const config = localConfig();
  const account = config.primaryAccounts[0];
  if (!account) throw new Error('the local config has no primary account');
  account.sources = [{ bucket: 'acme-invoices' }, { bucket: 'acme-scratch' }];
  const deployment = await provisionLocalVault(integLocalS3(), config, { label, unversionedSources: ['acme-scratch'] });
  const auditor = await clients.assume(deployment, 'auditor');
  const ingest = await clients.assume(deployment, 'ingest');
  const reader: VaultAccess = { client: auditor.s3, bucket: deployment.vault.address };
  const writer: VaultAccess = { client: ingest.s3, bucket: deployment.vault.address };
  return { deployment, reader, writer, ingest: ingest.s3 };
}

const seal = (account: string, reader: VaultAccess, writer: VaultAccess) =>
  sealJournal({ reader, writer, account, now: () => new Date(), settleMs: 0 });

describe('journal v2 on the local S3', () => {
  it('reads through seals plus the unsealed tail exactly what reading every segment yields', async () => {
    const { deployment, reader, writer } = await deploy('journal-seal');
    const account = deployment.primary.tenant;
    const copier = localCopier(deployment);
    const app = clients.as(deployment, deployment.primary.admin);
    const events = new SourceEventLog(account);
    const [versioned, unversioned] = deployment.primary.sources.map((s) => s.name) as [string, string];
    try {
      const operation = fc.record({
        key: fc.integer({ min: 0, max: 33 }),
        bucket: fc.constantFrom('v', 'v', 'u'),
        remove: fc.boolean(),
        size: fc.integer({ min: 0, max: 512 }),
      });
      const [ops] = fc.sample(fc.array(operation, { minLength: 320, maxLength: 320 }), { numRuns: 1, seed: 20261201 });
      const present = new Set<string>();
      let window: string[] = [];
      const counts = { puts: 0, deletes: 0, unversionedDeletes: 0, seals: 0 };
      const deliver = async () => {
        await copyAll(copier, events.records(window));
        window = [];
      };
      for (const [i, op] of (ops ?? []).entries()) {
        const bucket = op.bucket === 'v' ? versioned : unversioned;
        const key = `k/${String(op.key).padStart(2, '0')}`;
        const id = `${bucket}/${key}`;
        if (op.remove && present.has(id)) {
          const out = await app.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          window.push(events.deleted(bucket, { key, versionId: out.VersionId, deleteMarker: out.DeleteMarker === true }));
          present.delete(id);
          counts.deletes++;
          if (bucket === unversioned) counts.unversionedDeletes++;
        } else {
          const out = await app.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.alloc(op.size, i % 251) }));
          window.push(events.created(bucket, { key, versionId: out.VersionId, etag: out.ETag, size: op.size }));
          present.add(id);
          counts.puts++;
        }
        if (i % 10 === 9) await deliver();
        // Three seals along the way; what follows the last stays in the tail.
        if (i === 80 || i === 170 || i === 260) {
          await nextSecond();
          const result = await seal(account, reader, writer);
          expect(result.sealed).toBe(true);
          counts.seals++;
        }
      }
      await deliver();
      expect(counts.seals).toBe(3);
      expect(counts.unversionedDeletes).toBeGreaterThan(10);
      expect(new Set((ops ?? []).map((o) => o.key)).size).toBeGreaterThanOrEqual(30);

      const everySegment = await readJournal(reader, account);
      const view = await openJournal(reader, account);
      expect(view.seals).toHaveLength(3);
      expect(view.tail.length).toBeGreaterThan(0);
      expect(view.lateSegments).toEqual([]);
      for (const bucket of [versioned, unversioned]) {
        const expected = timelines(everySegment.filter((e) => e.bucket === bucket));
        const streamed = await readAllEntries(view, bucket);
        expect(canonical(streamed)).toEqual(canonical(expected.flatMap((t) => t.entries)));
        // The same state at every instant, key by key.
        const byKey = new Map(expected.map((t) => [t.key, t]));
        for await (const timeline of readTimelines(view, { bucket, prefix: 'k/' })) {
          const reference = byKey.get(timeline.key);
          for (const entry of timeline.entries) {
            const at = new Date(entry.sourceTime);
            expect(currentAt(timeline, at)?.vaultKey ?? null).toBe(
              reference ? (currentAt(reference, at)?.vaultKey ?? null) : null,
            );
          }
        }
      }
      // A prefix reads only its keys, in S3's key order.
      const keys: string[] = [];
      for await (const t of readTimelines(view, { bucket: versioned, prefix: 'k/1' })) keys.push(t.key);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith('k/1'))).toBe(true);
      expect([...keys].sort()).toEqual(keys);
    } finally {
      copier.close();
    }
  });

  it('sets aside a forgery written with the ingest credentials after the instant given, and a plain read would restore it', async () => {
    const { deployment, reader, writer, ingest } = await deploy('journal-forgery');
    const account = deployment.primary.tenant;
    const bucket = deployment.primary.sources[0]?.name as string;
    const key = 'payroll/2026-11.csv';
    const honest = Buffer.from('employee,amount\nada,100\n');

    // An honest copy of the key, journaled before the intruder arrives.
    const honestKey = vaultKeyFor({ account, bucket, key }, 'v.honest');
    await ingest.send(
      new PutObjectCommand({ Bucket: deployment.vault.address, Key: honestKey, Body: honest, ACL: 'bucket-owner-full-control' }),
    );
    const entry = (token: string, vaultKey: string, body: Buffer, sourceTime: string): JournalEntry => ({
      v: 1,
      kind: 'version',
      account,
      bucket,
      key,
      token,
      vaultKey,
      sourceVersionId: token.slice(2),
      destroys: null,
      sourceEtag: createHash('md5').update(body).digest('hex'),
      sourceTime,
      sequencer: null,
      eventTime: sourceTime,
      copiedAt: sourceTime,
      size: body.length,
      sha256: sha256(body),
      vaultVersionId: null,
      contentType: 'text/csv',
      metadata: {},
    });
    await appendJournalSegment(
      writer,
      account,
      [entry('v.honest', honestKey, honest, '2026-11-20T10:00:00.000Z')],
      'honest',
      new Date(),
    );

    // The intruder arrives: X is the server's clock (the LastModified of a write made now).
    await nextSecond();
    const probeKey = `${deployment.primary.vaultPrefixes.journal}probe-${Date.now()}`;
    await ingest.send(
      new PutObjectCommand({ Bucket: deployment.vault.address, Key: probeKey, Body: 'x', ACL: 'bucket-owner-full-control' }),
    );
    const owner = clients.as(deployment, deployment.backup.admin);
    const x = (await owner.send(new HeadObjectCommand({ Bucket: deployment.vault.name, Key: probeKey }))).LastModified as Date;
    await nextSecond();

    // With the stolen ingest credential: garbage under the key's timeline, and a segment claiming it is
    // the version written last week, with a valid SHA-256 and a segment name dated last week.
    const garbage = Buffer.from('employee,amount\nmallory,1000000\n');
    const forgedKey = vaultKeyFor({ account, bucket, key }, 'v.forged');
    await ingest.send(
      new PutObjectCommand({ Bucket: deployment.vault.address, Key: forgedKey, Body: garbage, ACL: 'bucket-owner-full-control' }),
    );
    await appendJournalSegment(
      writer,
      account,
      [entry('v.forged', forgedKey, garbage, '2026-11-24T10:00:00.000Z')],
      'forged',
      new Date('2026-11-24T10:00:01Z'),
    );

    const lastTuesday = new Date('2026-11-24T12:00:00Z');
    const timelineOf = async (view: Awaited<ReturnType<typeof openJournal>>) => {
      for await (const t of readTimelines(view, { bucket, prefix: key })) if (t.key === key) return t;
      return undefined;
    };
    // A plain read believes the forgery: that is why the rule matters.
    const plain = await timelineOf(await openJournal(reader, account));
    expect(plain && currentAt(plain, lastTuesday)?.vaultKey).toBe(forgedKey);

    const guarded = await openJournal(reader, account, { distrustWritesAfter: x });
    const timeline = await timelineOf(guarded);
    expect(timeline && currentAt(timeline, lastTuesday)?.vaultKey).toBe(honestKey);
    expect(guarded.setAside).toMatchObject({ distrustWritesAfter: x.toISOString(), count: 1, keys: [`${bucket}/${key}`] });
    expect(guarded.setAside?.segments[0]).toContain('forged');

    // The same holds once the forgery is sealed: a seal written after X is itself distrusted.
    const sealed = await seal(account, reader, writer);
    expect(sealed.sealed).toBe(true);
    const afterSeal = await openJournal(reader, account, { distrustWritesAfter: x });
    expect(afterSeal.seals).toHaveLength(0);
    const t2 = await timelineOf(afterSeal);
    expect(t2 && currentAt(t2, lastTuesday)?.vaultKey).toBe(honestKey);
    expect(afterSeal.setAside?.count).toBe(1);
  });
});

describe('tampering with a sealed interval (plain bucket, no Object Lock)', () => {
  let vault: VaultAccess;
  const account = '222222222222';
  const entry = (i: number, bucket = 'src'): JournalEntry => ({
    v: 1,
    kind: 'version',
    account,
    bucket,
    key: `k/${i % 7}`,
    token: `v.${i}`,
    vaultKey: `objects/${account}/${bucket}/${i % 7}/v.${i}`,
    sourceVersionId: String(i),
    destroys: null,
    sourceEtag: 'e',
    sourceTime: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
    sequencer: null,
    eventTime: new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString(),
    copiedAt: new Date(Date.UTC(2026, 10, 1, 0, 1, i)).toISOString(),
    size: 1,
    sha256: 'a'.repeat(64),
    vaultVersionId: null,
    contentType: null,
    metadata: {},
  });

  beforeAll(() => {
    const local = integLocalS3();
    s3 = s3ClientFor(local.tenants.backup, local.endpoint);
  });

  const client = () => s3 as S3Client;

  async function sealedScratch(label: string) {
    const bucket = `sr-journal-tamper-${label}-${Date.now().toString(36)}`;
    await client().send(new CreateBucketCommand({ Bucket: bucket }));
    vault = { client: client(), bucket };
    const keys: string[] = [];
    for (let s = 0; s < 6; s++) {
      keys.push(
        await appendJournalSegment(
          vault,
          account,
          [entry(s * 3), entry(s * 3 + 1), entry(s * 3 + 2, 'other')],
          `s${s}`,
          new Date(),
        ),
      );
      if (s === 2) {
        await nextSecond();
        expect((await sealJournal({ reader: vault, writer: vault, account, now: () => new Date(), settleMs: 0 })).sealed).toBe(
          true,
        );
      }
    }
    await nextSecond();
    expect((await sealJournal({ reader: vault, writer: vault, account, now: () => new Date(), settleMs: 0 })).sealed).toBe(true);
    const view = await openJournal(vault, account);
    expect(view.seals).toHaveLength(2);
    expect(view.tail).toHaveLength(0);
    return keys;
  }

  it('detects a sealed segment removed', async () => {
    const keys = await sealedScratch('remove');
    await client().send(new DeleteObjectCommand({ Bucket: vault.bucket, Key: keys[1] }));
    await expect(openJournal(vault, account)).rejects.toThrow(new RegExp(`seals ${keys[1]} .* lists it nowhere`));
  });

  it('detects a sealed segment rewritten (the server dates the rewrite)', async () => {
    const keys = await sealedScratch('alter');
    await nextSecond();
    const forged = encodeSegment([{ ...entry(0), key: 'k/forged' }]);
    await client().send(
      new PutObjectCommand({ Bucket: vault.bucket, Key: keys[4], Body: forged.body, Metadata: { sha256: forged.sha256 } }),
    );
    const error = await openJournal(vault, account).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JournalIntegrityError);
    expect(String(error)).toContain(`seals ${keys[4]} written at`);
  });

  it('detects a seal record rewritten (the next seal no longer links to it)', async () => {
    await sealedScratch('reseal');
    const first = `journal/${account}/seals/0000000000.json`;
    const got = await client().send(new GetObjectCommand({ Bucket: vault.bucket, Key: first }));
    const record = JSON.parse(await (got.Body as { transformToString(): Promise<string> }).transformToString());
    record.sealedAt = '2026-01-01T00:00:00.000Z';
    await client().send(new PutObjectCommand({ Bucket: vault.bucket, Key: first, Body: JSON.stringify(record) }));
    await expect(openJournal(vault, account)).rejects.toThrow(/seal links to .*, but the seal before it is/);
  });
});
