/** What the rows share: a fresh deployment on a fresh server, the clients of its tenants, the copier child. */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CopyTuning } from '../../lambda/core/copy-version';
import { sealJournal } from '../../lambda/core/journal-seal';
import { loadConfig } from '../../lib/config/load';
import { copierTarget } from '../../local/local-copier';
import { type LocalS3, s3ClientFor } from '../../local/local-s3';
import { type LocalDeployment, provisionLocalVault } from '../../local/provision';
import { assumeVaultRole, type VaultSession } from '../../local/sessions';
import { SourceEventLog } from '../../local/source-events';
import { runChild } from '../child';
import type { CeilingChildInput } from '../children/ceiling';
import type { CopierChildInput, CopierChildOutput } from '../children/copier';
import type { Written } from '../fixtures';
import type { BenchContext } from '../harness';
import type { S3Access } from '../tools';

const LOCAL_CONFIG = path.resolve(__dirname, '..', '..', 'config', 'strongroom.local.json');

export interface BenchDeployment {
  readonly s3: LocalS3;
  readonly deployment: LocalDeployment;
  /** The primary tenant's admin (the source's owner) and the backup tenant's (owner of the peers' destinations). */
  readonly primary: S3Client;
  readonly backup: S3Client;
  readonly primaryAccess: S3Access;
  readonly backupAccess: S3Access;
  /** The (versioned) source bucket, in the primary tenant. */
  readonly source: string;
  readonly events: SourceEventLog;
  /** The queue's batch size as the config sets it (records per copier invocation). */
  readonly batchSize: number;
  close(): void;
}

export async function benchDeployment(ctx: BenchContext, memstoreBytes?: number): Promise<BenchDeployment> {
  const s3 = await ctx.freshS3(memstoreBytes ? { memstoreBytes } : {});
  const config = loadConfig(LOCAL_CONFIG);
  const deployment = await provisionLocalVault(s3, config, { label: 'bench' });
  const primary = s3ClientFor(s3.tenants.primary, s3.endpoint, 64);
  const backup = s3ClientFor(s3.tenants.backup, s3.endpoint, 64);
  const access = (t: 'primary' | 'backup') => ({
    endpoint: s3.endpoint,
    accessKeyId: s3.tenants[t].accessKeyId,
    secretAccessKey: s3.tenants[t].secretAccessKey,
  });
  return {
    s3,
    deployment,
    primary,
    backup,
    primaryAccess: access('primary'),
    backupAccess: access('backup'),
    source: deployment.primary.sources[0]?.name as string,
    events: new SourceEventLog(deployment.primary.tenant),
    batchSize: deployment.config.pipeline.queueBatchSize,
    close: () => {
      primary.destroy();
      backup.destroy();
    },
  };
}

/**
 * Lambda invocations running at once, each a process of its own as on Lambda (a container per concurrent
 * invocation), each copying one batch at a time with the handler's CHANGES_IN_FLIGHT (8): 32 changes in flight.
 */
export const COPIER_INVOCATIONS = 4;

export interface CopierRun {
  readonly output: CopierChildOutput;
  /**
   * From the first change taken up by any invocation to the last one done: warm containers, as Lambda keeps
   * them between batches (a container's init, measured by row 6, is paid once, not per thousand objects).
   */
  readonly seconds: number;
  /** From the first process spawned to the last one exited: with every process's start and module load. */
  readonly spawnSeconds: number;
}

/** Run the copier over the change events of `written` (source versions), its batches dealt out to the invocations. */
export async function runCopier(
  bench: BenchDeployment,
  written: readonly Written[],
  options: Pick<CopierChildInput, 'writeOnce'> & {
    readonly invocations?: number;
    readonly batchSize?: number;
    readonly tuning?: CopyTuning;
    /** Change events as queued; default: one Object Created event per `written` version. */
    readonly bodies?: readonly string[];
  },
): Promise<CopierRun> {
  const batchSize = options.batchSize ?? bench.batchSize;
  const bodies = options.bodies ?? written.map((w) => bench.events.created(bench.source, w));
  const invocations = Math.min(options.invocations ?? COPIER_INVOCATIONS, Math.ceil(bodies.length / batchSize));
  const shares: string[][] = Array.from({ length: invocations }, () => []);
  bodies.forEach((body, i) => {
    shares[Math.floor(i / batchSize) % invocations]?.push(body);
  });
  const target = copierTarget(bench.deployment);
  const started = performance.now();
  const runs = await Promise.all(
    shares.map((bodies) =>
      runChild<CopierChildOutput>('copier', {
        target,
        bodies,
        batchSize,
        invocations: 1,
        writeOnce: options.writeOnce,
        ...(options.tuning ? { tuning: options.tuning } : {}),
      } satisfies CopierChildInput),
    ),
  );
  const spawnSeconds = (performance.now() - started) / 1000;
  const seconds = (Math.max(...runs.map((r) => r.output.endedAtMs)) - Math.min(...runs.map((r) => r.output.startedAtMs))) / 1000;
  const statuses: Record<string, number> = {};
  for (const run of runs) for (const [k, v] of Object.entries(run.output.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    seconds,
    spawnSeconds,
    output: {
      statuses,
      failed: runs.reduce((n, r) => n + r.output.failed, 0),
      seconds: Math.max(...runs.map((r) => r.output.seconds)),
      startedAtMs: Math.min(...runs.map((r) => r.output.startedAtMs)),
      endedAtMs: Math.max(...runs.map((r) => r.output.endedAtMs)),
      startRssBytes: Math.max(...runs.map((r) => r.output.startRssBytes)),
      peakRssBytes: Math.max(...runs.map((r) => r.output.peakRssBytes)),
    },
  };
}

/** Every change copied, none failed: a benchmark of a copy that lost objects measures nothing. */
export function expectAllCopied(output: CopierChildOutput, count: number, what: string): void {
  if (output.failed !== 0 || output.statuses.copied !== count) {
    throw new Error(`${what}: expected ${count} copied, got ${JSON.stringify(output.statuses)} with ${output.failed} failed`);
  }
}

/** Processes of the ceiling's PutObject loop: as many as the copier's, so neither side is one client core short. */
export async function runCeiling(
  bench: BenchDeployment,
  bucket: string,
  prefix: string,
  count: number,
  size: number,
  inFlight: number,
) {
  const processes = Math.min(COPIER_INVOCATIONS, count);
  const started = performance.now();
  const runs = await Promise.all(
    Array.from({ length: processes }, (_, p) =>
      runChild<{ seconds: number; peakRssBytes: number }>('ceiling', {
        endpoint: bench.s3.endpoint,
        credentials: { accessKeyId: bench.backupAccess.accessKeyId, secretAccessKey: bench.backupAccess.secretAccessKey },
        bucket,
        prefix: `${prefix}${p}-`,
        count: Math.floor(count / processes) + (p < count % processes ? 1 : 0),
        size,
        inFlight: Math.max(1, Math.round(inFlight / processes)),
      } satisfies CeilingChildInput),
    ),
  );
  return { seconds: (performance.now() - started) / 1000, peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)) };
}

/** The next whole second and a little: S3's write times have one-second resolution. */
export const nextSecond = () => new Promise((r) => setTimeout(r, 1100 - (Date.now() % 1000)));

/**
 * Seal what the journal holds now, as the sealer does on its schedule (the auditor reads, the ingest role
 * writes): in the next second, so that every segment written so far is inside the sealed interval.
 */
export async function sealNow(
  bench: BenchDeployment,
  sessions: { readonly auditor: VaultSession; readonly ingest: VaultSession },
  what: string,
): Promise<void> {
  await nextSecond();
  const vault = bench.deployment.vault.address;
  const sealed = await sealJournal({
    reader: { client: sessions.auditor.s3, bucket: vault },
    writer: { client: sessions.ingest.s3, bucket: vault },
    account: bench.deployment.primary.tenant,
    now: () => new Date(),
    settleMs: 0,
  });
  if (!sealed.sealed) throw new Error(`sealing ${what} failed: ${sealed.reason}`);
}

/** The auditor's and the ingest role's sessions on the bench deployment's vault. */
export async function vaultSessions(bench: BenchDeployment) {
  const [auditor, ingest] = await Promise.all([
    assumeVaultRole(bench.deployment, 'auditor'),
    assumeVaultRole(bench.deployment, 'ingest'),
  ]);
  return {
    auditor,
    ingest,
    close: () => {
      auditor.s3.destroy();
      ingest.s3.destroy();
    },
  };
}
