/**
 * Load, on the real local S3: a burst of 10,000 Object Created events through the copier as the deployed
 * pipeline runs it — batches of `pipeline.queueBatchSize` records, `pipeline.copierReservedConcurrency`
 * invocations at once (the event source's maximum concurrency), each copying CHANGES_IN_FLIGHT changes at a
 * time with clients of its own (one Lambda container each). Afterwards every object must be in the vault: one
 * journal entry per source version, with its size and SHA-256, and its vault object in the owner's listing.
 * Throughput is printed, not asserted: it measures this machine as much as the copier.
 */
import { CHANGES_IN_FLIGHT } from '../../lambda/handlers/copier';
import { type LocalCopier, localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB } from './support/child';
import { drainQueue } from './support/queue';
import { listKeys, putAll, smallObjects, vaultTimelines, type WrittenObject } from './support/source-data';
import { Clients, localConfig, provisionForTest } from './support/vault';

jest.setTimeout(900_000);

const OBJECTS = 10_000;
const MAX_OBJECT_BYTES = 8 * 1024;
const SEED = 'load-2026-12';

const clients = new Clients();
let deployment: LocalDeployment;
let source: string;
let written: WrittenObject[];
let seedSeconds: number;

beforeAll(async () => {
  deployment = await provisionForTest('load');
  source = deployment.primary.sources[0]?.name as string;
  const app = clients.as(deployment, deployment.primary.admin);
  const seedStarted = performance.now();
  written = await putAll(
    app,
    source,
    smallObjects(SEED, 'load/', OBJECTS, MAX_OBJECT_BYTES),
    new SourceEventLog(deployment.primary.tenant),
  );
  seedSeconds = (performance.now() - seedStarted) / 1000;
});

afterAll(() => clients.destroy());

describe('a burst of events', () => {
  it(`copies ${OBJECTS} object events at the configured concurrency; every one is in the vault`, async () => {
    const { pipeline } = localConfig();
    const events = new SourceEventLog(deployment.primary.tenant);
    const copiers: LocalCopier[] = Array.from({ length: pipeline.copierReservedConcurrency }, () =>
      localCopier(deployment, { concurrency: CHANGES_IN_FLIGHT }),
    );
    let report: Awaited<ReturnType<typeof drainQueue>>;
    try {
      report = await drainQueue(
        copiers.map((c) => (records) => c.copy(records)),
        events.records(written.map((w) => w.event)),
        { batchSize: pipeline.queueBatchSize, maxReceiveCount: pipeline.maxReceiveCount },
      );
    } finally {
      for (const c of copiers) c.close();
    }
    expect(report.deadLettered.map((r) => r.messageId)).toEqual([]);

    const owner = clients.as(deployment, deployment.backup.admin);
    const timelines = await vaultTimelines(deployment, owner, source, 'load/');
    const lost: string[] = [];
    const corrupted: string[] = [];
    const vaultKeys = new Set<string>();
    for (const w of written) {
      const entries = timelines.get(w.key) ?? [];
      const entry = entries.find((e) => e.sourceVersionId === w.versionId);
      if (!entry || entries.length !== 1) lost.push(`${w.key}: ${entries.length} entries`);
      else if (entry.sha256 !== w.sha256 || entry.size !== w.size) corrupted.push(w.key);
      else vaultKeys.add(entry.vaultKey);
    }
    expect({ lost, corrupted }).toEqual({ lost: [], corrupted: [] });
    const listed = new Set(await listKeys(owner, deployment.vault.name, `${deployment.primary.vaultPrefixes.objects}${source}/`));
    expect([...vaultKeys].filter((k) => !listed.has(k))).toEqual([]);
    expect(listed.size).toBe(OBJECTS);

    const bytes = written.reduce((sum, w) => sum + w.size, 0);
    process.stderr.write(
      `load: ${OBJECTS} objects (${(bytes / MIB).toFixed(1)} MiB), ${copiers.length} invocations at once x batches of ${pipeline.queueBatchSize} x ${CHANGES_IN_FLIGHT} changes in flight: ` +
        `${report.batches} batches, ${report.redeliveries} redelivered, ${listed.size} in the vault (journal and listing), lost ${lost.length}, corrupted ${corrupted.length}; ` +
        `copied in ${report.seconds.toFixed(1)} s, ${(OBJECTS / report.seconds).toFixed(0)} objects/s, ${(bytes / MIB / report.seconds).toFixed(2)} MiB/s ` +
        `(source seeded by bare PutObject in ${seedSeconds.toFixed(1)} s, ${(OBJECTS / seedSeconds).toFixed(0)} objects/s)\n`,
    );
  });
});
