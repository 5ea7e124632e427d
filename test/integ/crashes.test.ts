/**
 * Crashes, on the real local S3: the copier and the restore executor run in child processes that talk to S3
 * through a proxy (local/fault-proxy.ts, injecting nothing here) which watches their requests, and the test
 * kills them (SIGKILL) at a point chosen from a seed — mid-stream (after N bytes of the source read), right
 * after CreateMultipartUpload, at the k-th UploadPart, before CompleteMultipartUpload, between the vault
 * writes and the journal append, after the k-th vault write, after the journal append; for a restore, at the
 * k-th target write (before or after it lands), before a cursor save, mid-multipart, mid-stream. The point is
 * reached on the wire, so nothing in the product knows it is being tested.
 *
 * Then the same events go to a fresh copier (SQS redelivers what was never acknowledged), or a fresh restore
 * pass resumes the restore, each sharing nothing with the dead process (built in the test's own process: a
 * second child would only add its start-up time), and the result must be exactly right: one timeline entry per source version in
 * source order, every vault object's SHA-256, one vault version per vault key, no multipart upload left in the
 * vault; every restored key's bytes, nothing extra, one version per key in the versioned target.
 *
 * STRONGROOM_CRASH_SEED picks other kill points (the default ones are the same every run).
 */
import path from 'node:path';
import { DeleteObjectCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand, type S3Client } from '@aws-sdk/client-s3';
import type { TrustedEntry } from '../../lambda/core/journal-trust';
import { createPlan, type RestoreServiceDependencies, runRestore } from '../../lambda/core/restore-service';
import { type FaultProxy, NO_FAULTS, type ProxiedRequest, type ProxyObserver, startFaultProxy } from '../../local/fault-proxy';
import { copierTarget, localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB, pattern, runChild, upload } from './support/child';
import { objectSha256, putAll, seededFraction, smallObjects, vaultTimelines, type WrittenObject } from './support/source-data';
import { Clients, copyAll, provisionForTest } from './support/vault';

jest.setTimeout(900_000);

const SEED = process.env.STRONGROOM_CRASH_SEED ?? 'crashes-2026-12';
const COPIER_RUNS = 21;
const RESTORE_RUNS = 10;
const COPY_CHILD = path.join(__dirname, 'support', 'copy-child.ts');
const RESTORE_CHILD = path.join(__dirname, 'support', 'restore-child.ts');
/** Multipart from 5 MiB (S3's smallest part), one part at a time: an 11 MiB object is 3 parts. */
const TUNING = { singlePutMaxBytes: 5 * MIB, minPartBytes: 5 * MIB, partsInFlight: 1 };
const LARGE_BYTES = 11 * MIB;

const clients = new Clients();
let proxy: FaultProxy;
let deployment: LocalDeployment;
let source: string;
let owner: S3Client;
let reader: S3Client;
const figures: string[] = [];
const started = performance.now();

beforeAll(async () => {
  deployment = await provisionForTest('crashes');
  source = deployment.primary.sources[0]?.name as string;
  owner = clients.as(deployment, deployment.backup.admin);
  reader = (await clients.assume(deployment, 'restoreReader')).s3;
  proxy = await startFaultProxy({ target: deployment.endpoint, seed: SEED, rates: NO_FAULTS });
});

afterAll(async () => {
  clients.destroy();
  await proxy?.close();
  process.stderr.write(`crashes: ${figures.join('; ')}; ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${SEED})\n`);
});

interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
}
const parse = (r: ProxiedRequest): Request => {
  const url = new URL(r.url, 'http://proxy');
  return { method: r.method, path: decodeURIComponent(url.pathname), query: url.searchParams };
};
const isPart = (q: Request) => q.method === 'PUT' && q.query.has('partNumber');

/**
 * Where to kill: a name, and an observer that calls `kill` at that point. A request the kill is triggered by
 * is held (never reaches the server) when the point is "before" it.
 */
interface KillPoint {
  readonly name: string;
  readonly observer: (kill: () => void) => ProxyObserver;
}

/** Kill when the k-th request matching `match` arrives (held) or has been answered. */
function atRequest(name: string, k: number, when: 'arrives' | 'answered', match: (q: Request) => boolean): KillPoint {
  return {
    name,
    observer: (kill) => {
      let seen = 0;
      const matched = new WeakSet<ProxiedRequest>();
      return {
        request: (r) => {
          if (!match(parse(r))) return undefined;
          matched.add(r);
          if (++seen !== k) return undefined;
          if (when === 'answered') return undefined;
          kill();
          return 'hold';
        },
        answered: (r) => {
          if (when === 'answered' && matched.has(r) && seen >= k) {
            kill();
          }
        },
      };
    },
  };
}

/** Kill once a response body matching `match` has passed `bytes` bytes. */
function midStream(name: string, bytes: number, match: (q: Request) => boolean): KillPoint {
  return {
    name,
    observer: (kill) => ({
      responseBytes: (r, total) => {
        if (total >= bytes && match(parse(r))) kill();
      },
    }),
  };
}

/** Run a child through the proxy and SIGKILL it at the point; the point must be reached. */
async function runAndKill(entry: string, input: unknown, point: KillPoint): Promise<void> {
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined;
  let killed = false;
  let early = false;
  proxy.setObserver(
    point.observer(() => {
      if (killed) return;
      killed = true;
      if (child) child.kill('SIGKILL');
      else early = true;
    }),
  );
  try {
    const run = await runChild(entry, input);
    child = run.child;
    if (early) run.child.kill('SIGKILL');
    const { code, stderr } = await run.result;
    expect({ point: point.name, killed, code, stderr: code === null ? '' : stderr }).toEqual({
      point: point.name,
      killed: true,
      code: null,
      stderr: '',
    });
  } finally {
    proxy.setObserver(undefined);
  }
}

const tally = (names: readonly string[]) => {
  const counts = new Map<string, number>();
  // The seeded k of "at UploadPart k of 3" varies: count the kind of point.
  for (const n of names.map((name) => name.replace(/\d+(?= of|$)/, 'k'))) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => `${n} ${c}`).join(', ');
};

describe('crashes of the copier', () => {
  it(`kills ${COPIER_RUNS} copier processes at seeded points; redelivery makes every timeline exactly right`, async () => {
    const app = clients.as(deployment, deployment.primary.admin);
    const vaultName = deployment.vault.name;
    const inVault = (q: Request) => q.path.includes(`${vaultName}/`);
    const points = (run: number, largeKey: string): KillPoint => {
      const f = seededFraction(SEED, `copier:${run}`);
      const pick = (n: number) => 1 + Math.floor(f * n);
      switch (run % 7) {
        case 0:
          return midStream(
            'mid-stream',
            Math.floor(f * (LARGE_BYTES - MIB)) + 1,
            (q) => q.method === 'GET' && q.path.endsWith(`/${largeKey}`),
          );
        case 1:
          return atRequest(
            'after CreateMultipartUpload',
            1,
            'answered',
            (q) => inVault(q) && q.method === 'POST' && q.query.has('uploads'),
          );
        case 2:
          return atRequest(`at UploadPart ${pick(3)} of 3`, pick(3), 'arrives', (q) => inVault(q) && isPart(q));
        case 3:
          return atRequest(
            'before CompleteMultipartUpload',
            1,
            'arrives',
            (q) => inVault(q) && q.method === 'POST' && q.query.has('uploadId'),
          );
        case 4:
          return atRequest(
            'between the vault writes and the journal',
            1,
            'arrives',
            (q) => inVault(q) && q.method === 'PUT' && q.path.includes('/journal/'),
          );
        case 5:
          return atRequest(
            `after vault write ${pick(8)}`,
            pick(8),
            'answered',
            (q) => inVault(q) && q.method === 'PUT' && q.path.includes('/objects/') && !isPart(q),
          );
        default:
          return atRequest(
            'after the journal append',
            1,
            'answered',
            (q) => inVault(q) && q.method === 'PUT' && q.path.includes('/journal/'),
          );
      }
    };

    const names: string[] = [];
    let changes = 0;
    let versionsChecked = 0;
    for (let run = 0; run < COPIER_RUNS; run++) {
      const prefix = `copier-${run}/`;
      const events = new SourceEventLog(deployment.primary.tenant);
      // Six small objects, one key written twice then deleted (a delete marker), one multipart-size object.
      const small = await putAll(app, source, smallObjects(`${SEED}:${run}`, `${prefix}small-`, 6, 32 * 1024), events);
      const twice = await putAll(
        app,
        source,
        smallObjects(`${SEED}:${run}:ow`, `${prefix}twice-`, 2, 4096).map((o) => ({ ...o, key: `${prefix}twice` })),
        events,
        1,
      );
      const marker = await app.send(new DeleteObjectCommand({ Bucket: source, Key: `${prefix}twice` }));
      const markerEvent = events.deleted(source, { key: `${prefix}twice`, versionId: marker.VersionId, deleteMarker: true });
      const largeKey = `${prefix}large.bin`;
      const data = pattern(LARGE_BYTES, `${SEED}:${largeKey}`);
      const { versionId } = await upload(app, source, largeKey, data.stream());
      const large: WrittenObject = {
        key: largeKey,
        versionId,
        size: LARGE_BYTES,
        sha256: await data.sha256,
        event: events.created(source, { key: largeKey, versionId, size: LARGE_BYTES }),
      };
      const bodies = [...small, ...twice].map((w) => w.event).concat(markerEvent, large.event);
      changes += bodies.length;

      const point = points(run, largeKey);
      names.push(point.name);
      const input = { target: { ...copierTarget(deployment), endpoint: proxy.endpoint }, bodies, tuning: TUNING, concurrency: 8 };
      const logged = proxy.requests.length;
      await runAndKill(COPY_CHILD, input, point);
      // The killed copier read the large object once at most (no hash-only pass before the upload), and once
      // wherever it was killed after starting that copy (every point but "after vault write k", which may come first).
      const largeReads = proxy.requests
        .slice(logged)
        .filter((r) => r.method === 'GET' && parse(r).path.endsWith(`/${largeKey}`)).length;
      expect({ run, point: point.name, largeReads }).toEqual({
        run,
        point: point.name,
        largeReads: run % 7 === 5 && largeReads === 0 ? 0 : 1,
      });
      // SQS delivers the batch again, to a fresh copier.
      const fresh = localCopier(deployment, { tuning: TUNING, concurrency: 8 });
      try {
        const redelivered = await fresh.copy(bodies.map((body, n) => ({ messageId: `again-${n}`, body })));
        expect({ run, point: point.name, failed: redelivered.failedMessageIds }).toEqual({ run, point: point.name, failed: [] });
      } finally {
        fresh.close();
      }

      const timelines = await vaultTimelines(deployment, owner, source, prefix);
      const expected = [
        ...small.map((w) => [w.key, [w]] as const),
        [`${prefix}twice`, [...twice, 'deleteMarker']] as const,
        [largeKey, [large]] as const,
      ];
      expect([...timelines.keys()].sort()).toEqual(expected.map(([k]) => k).sort());
      for (const [key, want] of expected) {
        const got = timelines.get(key) ?? [];
        expect({ run, point: point.name, key, timeline: got.map(describeEntry) }).toEqual({
          run,
          point: point.name,
          key,
          timeline: want.map((w) => (w === 'deleteMarker' ? 'deleteMarker' : `version ${w.versionId} ${w.sha256}`)),
        });
        for (const entry of got) {
          expect({ key, versions: await vaultVersions(entry.vaultKey) }).toEqual({ key, versions: 1 });
          if (entry.kind !== 'version') continue;
          expect({
            key,
            sha256: (await objectSha256(reader, deployment.vault.address, entry.vaultKey, entry.vaultVersionId)).sha256,
          }).toEqual({ key, sha256: entry.sha256 });
          versionsChecked++;
        }
      }
      const uploads = await owner.send(new ListMultipartUploadsCommand({ Bucket: vaultName }));
      expect({ run, point: point.name, orphanUploads: uploads.Uploads ?? [] }).toEqual({
        run,
        point: point.name,
        orphanUploads: [],
      });
    }
    figures.push(
      `copier ${COPIER_RUNS} runs killed (${tally(names)}), each batch redelivered to a fresh copier: ${COPIER_RUNS * 2} attempts, ${changes} changes, ${versionsChecked} vault versions hashed, timelines exact ${COPIER_RUNS}/${COPIER_RUNS}, lost 0, corrupted 0, duplicate vault versions 0, orphan uploads 0`,
    );
  });
});

describe('crashes of the restore executor', () => {
  it(`kills ${RESTORE_RUNS} restore processes at seeded points; the resumed restore leaves the target exactly as planned`, async () => {
    const { primary } = deployment;
    const targetBucket = primary.restoreTargets[0]?.name as string;
    const inspector = clients.as(deployment, primary.admin);
    const app = clients.as(deployment, primary.admin);
    const events = new SourceEventLog(primary.tenant);
    const prefix = 'restore-src/';
    const written = await putAll(app, source, smallObjects(`${SEED}:restore`, `${prefix}small-`, 12, 32 * 1024), events);
    const largeKey = `${prefix}large.bin`;
    const data = pattern(LARGE_BYTES, `${SEED}:${largeKey}`);
    const { versionId } = await upload(app, source, largeKey, data.stream());
    written.push({
      key: largeKey,
      versionId,
      size: LARGE_BYTES,
      sha256: await data.sha256,
      event: events.created(source, { key: largeKey, versionId, size: LARGE_BYTES }),
    });
    const copier = localCopier(deployment, { tuning: TUNING });
    try {
      await copyAll(copier, events.records(written.map((w) => w.event)));
    } finally {
      copier.close();
    }
    const largeEntry = (await vaultTimelines(deployment, owner, source, largeKey)).get(largeKey)?.[0];
    if (!largeEntry) throw new Error(`${largeKey} has no journal entry after its copy`);
    const largeVaultKey = largeEntry.vaultKey;
    const deps: RestoreServiceDependencies = {
      vault: { client: reader, bucket: deployment.vault.address },
      account: primary.tenant,
      target: clients.as(deployment, primary.functions.restore),
      restoreTargets: [targetBucket],
      now: () => new Date(),
    };
    const inTarget = (q: Request, under: string) => q.path.includes(`${targetBucket}/${under}`);
    const points = (run: number, under: string): KillPoint => {
      const f = seededFraction(SEED, `restore:${run}`);
      // The small objects are single PUTs; the large one is a multipart upload.
      const k = 1 + Math.floor(f * (written.length - 1));
      switch (run % 5) {
        case 0:
          return atRequest(`at target write ${k}`, k, 'arrives', (q) => inTarget(q, under) && q.method === 'PUT' && !isPart(q));
        case 1:
          return atRequest(
            `after target write ${k}`,
            k,
            'answered',
            (q) => inTarget(q, under) && q.method === 'PUT' && !isPart(q),
          );
        case 2:
          return atRequest(
            `before cursor save ${1 + Math.floor(f * 4)}`,
            1 + Math.floor(f * 4),
            'arrives',
            (q) =>
              q.method === 'PUT' && q.path.includes(`${targetBucket}/.strongroom/restores/`) && q.path.endsWith('/state.json'),
          );
        case 3:
          return atRequest(
            `at target UploadPart ${1 + Math.floor(f * 3)} of 3`,
            1 + Math.floor(f * 3),
            'arrives',
            (q) => inTarget(q, under) && isPart(q),
          );
        default:
          return midStream(
            'mid-stream',
            Math.floor(f * (LARGE_BYTES - MIB)) + 1,
            (q) => q.method === 'GET' && q.path.endsWith(largeVaultKey),
          );
      }
    };

    const names: string[] = [];
    let objects = 0;
    let orphanUploads = 0;
    for (let run = 0; run < RESTORE_RUNS; run++) {
      const under = `restore-${run}/`;
      const plan = await createPlan(deps, {
        action: 'plan',
        sourceBucket: source,
        prefix,
        asOf: new Date().toISOString(),
        targetBucket,
        targetPrefix: under,
      });
      expect(plan.summary.counts.write).toBe(written.length);
      const input = {
        deploymentFile: deployment.deploymentFile,
        endpoint: proxy.endpoint,
        targetBucket,
        restoreId: plan.restoreId,
        tuning: TUNING,
        concurrency: 2,
        batchLines: 3,
      };
      const point = points(run, under);
      names.push(point.name);
      await runAndKill(RESTORE_CHILD, input, point);
      const resumed = await runRestore({ ...deps, tuning: TUNING, concurrency: 2 }, targetBucket, plan.restoreId, {
        batchLines: 3,
      });
      expect({ run, point: point.name, state: resumed.state, failures: resumed.failures }).toEqual({
        run,
        point: point.name,
        state: 'succeeded',
        failures: [],
      });
      expect(resumed.progress).toMatchObject({ objects: written.length, objectsDone: written.length, failed: 0 });

      const versions = await targetVersions(inspector, targetBucket, under);
      expect({ run, point: point.name, keys: [...versions.keys()].sort() }).toEqual({
        run,
        point: point.name,
        keys: written.map((w) => `${under}${w.key}`).sort(),
      });
      expect({ run, point: point.name, versions: [...versions.values()].filter((n) => n !== 1) }).toEqual({
        run,
        point: point.name,
        versions: [],
      });
      for (const w of written) {
        const got = await objectSha256(inspector, targetBucket, `${under}${w.key}`);
        expect({ key: w.key, ...got }).toEqual({ key: w.key, sha256: w.sha256, size: w.size });
      }
      objects += written.length;
      const uploads = await inspector.send(new ListMultipartUploadsCommand({ Bucket: targetBucket, Prefix: under }));
      orphanUploads += (uploads.Uploads ?? []).length;
    }
    figures.push(
      `restore ${RESTORE_RUNS} runs killed (${tally(names)}), each resumed by a fresh pass: ${RESTORE_RUNS * 2} attempts, ${objects} objects restored, exact ${RESTORE_RUNS}/${RESTORE_RUNS}, lost 0, corrupted 0, extra 0, one version per key, orphan uploads in the target ${orphanUploads}`,
    );
  });
});

function describeEntry(e: TrustedEntry): string {
  return e.kind === 'version' ? `version ${e.sourceVersionId} ${e.sha256}` : e.kind;
}

async function vaultVersions(vaultKey: string): Promise<number> {
  const listed = await owner.send(new ListObjectVersionsCommand({ Bucket: deployment.vault.name, Prefix: vaultKey }));
  return (listed.Versions ?? []).filter((v) => v.Key === vaultKey).length;
}

async function targetVersions(client: S3Client, bucket: string, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let keyMarker: string | undefined;
  do {
    const page = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, KeyMarker: keyMarker }));
    for (const v of page.Versions ?? []) counts.set(v.Key as string, (counts.get(v.Key as string) ?? 0) + 1);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
  } while (keyMarker);
  return counts;
}
