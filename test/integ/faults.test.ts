/**
 * Faults on the wire, on the real local S3: a fault-injecting proxy (local/fault-proxy.ts) stands between
 * the copier and RGW, and then between a restore and RGW — connection resets before and after the server saw
 * the request, 503 SlowDown, added latency, response bodies cut short of their Content-Length, request bodies
 * cut short. The copier backs up 1,000 small objects and 3 multipart-size ones, each failed record delivered
 * again as SQS would; then a restore of all of them runs, resuming when a pass dies. Nothing may be lost or
 * corrupted (every SHA-256 checked: source, vault object, restored object), and no request may be tried more
 * often than its client's bound (the SDK's attempt header, as the proxy logged it).
 *
 * STRONGROOM_FAULT_SEED picks another schedule of faults. Each run's bucket names and version ids are new, so
 * each run meets its faults on other requests; the rates (about one request in ten) stay.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../lambda/adapters/s3-client';
import { createPlan, type RestoreServiceDependencies, runRestore } from '../../lambda/core/restore-service';
import { isTransient } from '../../lambda/core/s3-errors';
import { CHANGES_IN_FLIGHT } from '../../lambda/handlers/copier';
import { describeFaults, type FaultProxy, type FaultStats, NO_FAULTS, startFaultProxy } from '../../local/fault-proxy';
import { copierTarget, type LocalCopier, localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB, pattern, upload } from './support/child';
import { drainQueue } from './support/queue';
import { checkVaultCopies, listKeys, objectSha256, putAll, smallObjects, type WrittenObject } from './support/source-data';
import { Clients, localConfig, provisionForTest } from './support/vault';

jest.setTimeout(600_000);

const SEED = process.env.STRONGROOM_FAULT_SEED ?? 'faults-2026-12';
const SMALL_OBJECTS = 1000;
const LARGE_OBJECTS = 3;
const LARGE_BYTES = 20 * MIB;
/** Copier invocations at once, as many as the deployed event source runs (copierReservedConcurrency). */
const INVOCATIONS = localConfig().pipeline.copierReservedConcurrency;
/** About one request in ten meets a fault. */
const RATES = { reset: 0.02, slowdown: 0.02, latency: 0.04, truncated: 0.015, truncatedRequest: 0.01 };

const clients = new Clients();
let proxy: FaultProxy;
let deployment: LocalDeployment;
let source: string;
let owner: S3Client;
const written: WrittenObject[] = [];
const figures: string[] = [];
const started = performance.now();

beforeAll(async () => {
  deployment = await provisionForTest('faults');
  source = deployment.primary.sources[0]?.name as string;
  owner = clients.as(deployment, deployment.backup.admin);
  proxy = await startFaultProxy({ target: deployment.endpoint, seed: SEED, rates: NO_FAULTS, latencyMs: { min: 20, max: 200 } });

  // The source is filled directly, without faults: what is under test is the copy and the restore.
  const app = clients.as(deployment, deployment.primary.admin);
  const events = new SourceEventLog(deployment.primary.tenant);
  written.push(...(await putAll(app, source, smallObjects(SEED, 'small/', SMALL_OBJECTS, 64 * 1024), events)));
  for (let i = 0; i < LARGE_OBJECTS; i++) {
    const key = `large/${i}.bin`;
    const data = pattern(LARGE_BYTES, `${SEED}:${key}`);
    const { versionId } = await upload(app, source, key, data.stream());
    const event = events.created(source, { key, versionId, size: LARGE_BYTES });
    written.push({ key, versionId, size: LARGE_BYTES, sha256: await data.sha256, event });
  }
});

afterAll(async () => {
  clients.destroy();
  await proxy?.close();
  process.stderr.write(`faults: ${figures.join(', ')}, ${((performance.now() - started) / 1000).toFixed(0)} s (seed ${SEED})\n`);
});

/** The faults a phase met, from the proxy's log since `from`. */
function phaseStats(from: number): FaultStats & { attemptsOverBound: number } {
  const all = proxy.requests.slice(from);
  const faults = { ...NO_FAULTS } as Record<keyof typeof NO_FAULTS, number>;
  for (const r of all) if (r.fault) faults[r.fault]++;
  const numbered = all.filter((r) => r.attempt !== null);
  return {
    requests: all.length,
    faults,
    faultsTotal: Object.values(faults).reduce((a, b) => a + b, 0),
    retries: numbered.filter((r) => (r.attempt as number) > 1).length,
    maxAttempt: Math.max(0, ...numbered.map((r) => r.attempt as number)),
    maxAttemptsDeclared: Math.max(0, ...numbered.map((r) => r.maxAttempts as number)),
    unnumbered: all.length - numbered.length,
    attemptsOverBound: numbered.filter((r) => (r.attempt as number) > (r.maxAttempts as number)).length,
  };
}

function expectFaultsMet(stats: ReturnType<typeof phaseStats>): void {
  // Every kind of fault happened, each request stayed within its client's bound, and the faults cost retries.
  for (const kind of Object.keys(RATES) as Array<keyof typeof RATES>)
    expect({ kind, n: stats.faults[kind] > 0 }).toEqual({ kind, n: true });
  expect(stats.attemptsOverBound).toBe(0);
  expect(stats.unnumbered).toBe(0);
  expect(stats.retries).toBeGreaterThan(0);
  expect(stats.maxAttempt).toBeLessThanOrEqual(stats.maxAttemptsDeclared);
}

const describeStats = (s: ReturnType<typeof phaseStats>) =>
  `${s.requests} requests, ${s.faultsTotal} faults injected (${describeFaults(s.faults)}), ${s.retries} SDK retries (at most ${s.maxAttempt} attempts of ${s.maxAttemptsDeclared})`;

describe('faults between the pipeline and S3', () => {
  it(`backs up ${SMALL_OBJECTS + LARGE_OBJECTS} objects through resets, SlowDown, latency and cut bodies: nothing lost, nothing corrupted`, async () => {
    const config = localConfig();
    const events = new SourceEventLog(deployment.primary.tenant);
    const target = { ...copierTarget(deployment), endpoint: proxy.endpoint };
    const copiers: LocalCopier[] = Array.from({ length: INVOCATIONS }, () =>
      localCopier(target, { concurrency: CHANGES_IN_FLIGHT }),
    );
    const from = proxy.requests.length;
    proxy.setRates(RATES);
    let report: Awaited<ReturnType<typeof drainQueue>>;
    try {
      report = await drainQueue(
        copiers.map((c) => (records) => c.copy(records)),
        events.records(written.map((w) => w.event)),
        { batchSize: config.pipeline.queueBatchSize, maxReceiveCount: config.pipeline.maxReceiveCount },
      );
    } finally {
      proxy.setRates(NO_FAULTS);
      for (const c of copiers) c.close();
    }
    const stats = phaseStats(from);
    expect(report.deadLettered.map((r) => r.messageId)).toEqual([]);
    expectFaultsMet(stats);

    const reader = await clients.assume(deployment, 'restoreReader');
    const check = await checkVaultCopies(deployment, owner, reader.s3, source, written);
    expect(check).toEqual({ lost: [], corrupted: [], extra: [] });
    figures.push(
      `copier ${written.length} objects in ${report.seconds.toFixed(0)} s (${INVOCATIONS} invocations at once, ${report.redeliveries} records redelivered, at most ${report.maxReceives} receives of ${config.pipeline.maxReceiveCount}): ${describeStats(stats)}, lost ${check.lost.length}, corrupted ${check.corrupted.length}`,
    );
  });

  it('restores every object through the same faults, resuming a pass that dies: every key byte-identical', async () => {
    const { primary } = deployment;
    const targetBucket = primary.restoreTargets[0]?.name as string;
    const readerSession = await clients.assume(deployment, 'restoreReader');
    const throughProxy = (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => {
      const client = createS3Client({ region: deployment.region, endpoint: proxy.endpoint, maxSockets: 40, credentials });
      opened.push(client);
      return client;
    };
    const opened: S3Client[] = [];
    const deps: RestoreServiceDependencies = {
      vault: { client: throughProxy(readerSession.credentials), bucket: deployment.vault.address },
      account: primary.tenant,
      target: throughProxy(primary.functions.restore),
      restoreTargets: [targetBucket],
      now: () => new Date(),
    };
    const from = proxy.requests.length;
    const restoreStarted = performance.now();
    proxy.setRates(RATES);
    let passes = 0;
    let failedPasses = 0;
    let state = '';
    try {
      let restoreId: string | undefined;
      while (state !== 'succeeded') {
        passes++;
        expect(passes).toBeLessThanOrEqual(10);
        try {
          // A plan that died is planned again; a pass that died resumes from its saved cursor.
          restoreId ??= (
            await createPlan(deps, {
              action: 'plan',
              sourceBucket: source,
              asOf: new Date().toISOString(),
              targetBucket,
              targetPrefix: 'faults/',
            })
          ).restoreId;
          const status = await runRestore(deps, targetBucket, restoreId);
          state = status.state;
          expect(status.failures).toEqual([]);
        } catch (error) {
          // A pass that died of the wire (the SDK's retries spent, a body cut short) is resumed.
          if (!isTransient(error)) throw error;
          failedPasses++;
        }
      }
    } finally {
      proxy.setRates(NO_FAULTS);
      for (const c of opened) c.destroy();
    }
    const seconds = (performance.now() - restoreStarted) / 1000;
    const stats = phaseStats(from);
    expectFaultsMet(stats);

    const inspector = clients.as(deployment, primary.admin);
    const restoredKeys = await listKeys(inspector, targetBucket, 'faults/');
    expect(restoredKeys.length).toBe(written.length);
    const corrupted: string[] = [];
    for (let i = 0; i < written.length; i += 32) {
      await Promise.all(
        written.slice(i, i + 32).map(async (w) => {
          const got = await objectSha256(inspector, targetBucket, `faults/${w.key}`);
          if (got.sha256 !== w.sha256 || got.size !== w.size) corrupted.push(w.key);
        }),
      );
    }
    expect(corrupted).toEqual([]);
    figures.push(
      `restore ${written.length} objects in ${seconds.toFixed(0)} s (${passes} passes, ${failedPasses} died and resumed): ${describeStats(stats)}, lost ${written.length - restoredKeys.length}, corrupted ${corrupted.length}`,
    );
  });
});
