/**
 * Point-in-time restore on the real local S3: a seeded random history backed up by the real copier, then
 * restored as of many instants into the restore target (each under its own prefix), compared byte for byte
 * with a model of the source at each instant. The journal is read as the restore reader, the vault versions
 * too; the target is written as the restore function's stand-in, with the permissions lib/policy gives it.
 */
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import fc from 'fast-check';
import { openJournal } from '../../lambda/core/journal-reader';
import { sealJournal } from '../../lambda/core/journal-seal';
import { executeRestore } from '../../lambda/core/restore-execute';
import { type PlanItem, type PlanSummary, planRestore } from '../../lambda/core/restore-plan';
import { localCopier } from '../../local/local-copier';
import { provisionLocalVault } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { integLocalS3 } from './support/env';
import { Clients, copyAll, localConfig, nextSecond, sha256 } from './support/vault';

jest.setTimeout(300_000);

const clients = new Clients();
afterAll(() => clients.destroy());

type State = Map<string, { sha256: string; contentType: string }>;

async function listState(s3: S3Client, bucket: string, prefix: string): Promise<State> {
  const state: State = new Map();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      const body = await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
      state.set((o.Key as string).slice(prefix.length), { sha256: sha256(body), contentType: got.ContentType ?? '' });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return state;
}

async function plan(view: Awaited<ReturnType<typeof openJournal>>, request: Parameters<typeof planRestore>[1]) {
  const items: PlanItem[] = [];
  const summary: { value?: PlanSummary } = {};
  for await (const item of planRestore(view, request, summary)) items.push(item);
  return { items, summary: summary.value as PlanSummary };
}

describe('point-in-time restore', () => {
  it('brings a bucket back as it was at each of 12 instants, byte for byte, deleted keys absent', async () => {
    const config = localConfig();
    const account = config.primaryAccounts[0];
    if (!account) throw new Error('the local config has no primary account');
    account.sources = [{ bucket: 'acme-invoices' }, { bucket: 'acme-scratch' }];
    const deployment = await provisionLocalVault(integLocalS3(), config, {
      label: 'restore',
      unversionedSources: ['acme-scratch'],
    });
    const primary = deployment.primary;
    const copier = localCopier(deployment);
    const app = clients.as(deployment, primary.admin);
    const restorer = clients.as(deployment, primary.functions.restore);
    const reader = await clients.assume(deployment, 'restoreReader');
    const auditor = await clients.assume(deployment, 'auditor');
    const ingest = await clients.assume(deployment, 'ingest');
    const vault = { client: reader.s3, bucket: deployment.vault.address };
    const target = { client: restorer, bucket: primary.restoreTargets[0]?.name as string };
    const events = new SourceEventLog(primary.tenant);
    const [versioned, unversioned] = primary.sources.map((s) => s.name) as [string, string];
    try {
      const operation = fc.record({
        key: fc.integer({ min: 0, max: 31 }),
        unversioned: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
        remove: fc.integer({ min: 0, max: 3 }).map((n) => n === 0),
        size: fc.integer({ min: 0, max: 2048 }),
        type: fc.constantFrom('text/plain', 'application/json', 'image/png'),
      });
      const [ops] = fc.sample(fc.array(operation, { minLength: 330, maxLength: 330 }), { numRuns: 1, seed: 20261201 });
      const model = { [versioned]: new Map(), [unversioned]: new Map() } as Record<string, State>;
      const instants: Array<{ at: Date; state: Record<string, State> }> = [];
      let window: string[] = [];
      let removals = 0;
      let unversionedRemovals = 0;
      const deliver = async () => {
        await copyAll(copier, events.records(window));
        window = [];
      };
      for (const [i, op] of (ops ?? []).entries()) {
        const bucket = op.unversioned ? unversioned : versioned;
        const key = `docs/${String(op.key).padStart(2, '0')}.dat`;
        const state = model[bucket] as State;
        if (op.remove && state.has(key)) {
          const out = await app.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
          window.push(events.deleted(bucket, { key, versionId: out.VersionId, deleteMarker: out.DeleteMarker === true }));
          state.delete(key);
          removals++;
          if (op.unversioned) unversionedRemovals++;
        } else {
          const body = Buffer.alloc(op.size, (i * 7) % 256);
          const out = await app.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: op.type }));
          window.push(events.created(bucket, { key, versionId: out.VersionId, etag: out.ETag, size: op.size }));
          state.set(key, { sha256: sha256(body), contentType: op.type });
        }
        // Many changes share a second (same-second writes); every 27 operations time passes and an instant is taken.
        if (i % 27 === 26) {
          await nextSecond();
          instants.push({
            at: new Date(),
            state: { [versioned]: new Map(model[versioned]), [unversioned]: new Map(model[unversioned]) },
          });
          await nextSecond();
        }
        if (i % 10 === 9) await deliver();
        if (i === 150) {
          await nextSecond();
          await sealJournal({
            reader: { client: auditor.s3, bucket: deployment.vault.address },
            writer: { client: ingest.s3, bucket: deployment.vault.address },
            account: primary.tenant,
            now: () => new Date(),
            settleMs: 0,
          });
        }
      }
      await deliver();
      expect(instants.length).toBeGreaterThanOrEqual(12);
      expect(removals).toBeGreaterThan(40);
      expect(unversionedRemovals).toBeGreaterThan(5);

      const view = await openJournal(vault, primary.tenant);
      expect(view.seals).toHaveLength(1);
      let restored = 0;
      for (const [i, { at, state }] of instants.entries()) {
        for (const bucket of [versioned, unversioned]) {
          const targetPrefix = `t${i}-${bucket === versioned ? 'v' : 'u'}/`;
          const { items, summary } = await plan(view, { bucket, asOf: at, target, targetPrefix });
          expect(summary.counts.write).toBe((state[bucket] as State).size);
          const result = await executeRestore({ vault, target }, items);
          expect(result).toMatchObject({ done: true, failed: [] });
          const got = await listState(restorer, target.bucket, targetPrefix);
          expect({ at: at.toISOString(), bucket, state: Object.fromEntries(got) }).toEqual({
            at: at.toISOString(),
            bucket,
            state: Object.fromEntries(state[bucket] as State),
          });
          restored += got.size;
        }
      }
      expect(restored).toBeGreaterThan(100);

      // A rerun finds everything already identical and writes nothing.
      const last = instants.length - 1;
      const final = instants[last];
      if (!final) throw new Error('no instant taken');
      const again = await plan(view, { bucket: versioned, asOf: final.at, target, targetPrefix: `t${last}-v/` });
      expect(again.summary.counts).toMatchObject({ write: 0, extraneous: 0 });
      expect(again.summary.counts.skip).toBe((final.state[versioned] as State).size);
    } finally {
      copier.close();
    }
  });
});
