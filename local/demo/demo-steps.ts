/**
 * The demo's steps: the Code Spaces attack (2014: an intruder with the AWS console deleted the company's
 * data and its backups, which lived in the same account) replayed against a Strongroom vault on the local S3.
 *
 *   local-s3 -> provision -> seed -> backup -> snapshot-before -> attack-primary-admin
 *            -> attack-stolen-ingest -> snapshot-after -> compare -> activity -> restore
 *
 * `backup` runs the real copier (lambda/core/copier.ts) against the local vault; `activity` (activity-step.ts)
 * journals the attack, checks the change-rate alarm would fire and takes T from `strongroom activity`; `restore` runs the responder's
 * CLI (`strongroom restore --local`, cli/) as of just before the attack and compares every key with the source
 * as it was then.
 */
import { createHash, randomBytes } from 'node:crypto';
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { capturedIo } from '../../cli/io';
import { main as strongroom } from '../../cli/main';
import { StrongroomError } from '../../contract/errors';
import type { PlanSummary } from '../../lambda/core/restore-plan';
import type { StrongroomConfig } from '../../lib/config/schema';
import { type BucketState, compareBucketStates, readBucketState } from '../bucket-state';
import { localCopier } from '../local-copier';
import { findLocalS3, type LocalS3, startLocalS3 } from '../local-s3';
import { type LocalDeployment, provisionLocalVault } from '../provision';
import { assumeVaultRole, clientAs, type VaultSession } from '../sessions';
import { SourceEventLog } from '../source-events';
import { compareSnapshots, type SnapshotComparison, snapshotVault, type VaultSnapshot } from '../vault-snapshot';
import { activityStep } from './activity-step';
import { attackPrimaryAdminStep, attackStolenIngestStep } from './attack-steps';
import { nextSecond, type Step, seconds } from './steps';
import { verifyStep } from './verify-step';

export interface DemoOptions {
  /** Config file the vault is provisioned from (shown to the reader). */
  readonly configFile: string;
  readonly config: StrongroomConfig;
  /** Port of the local S3 (start it there, or reuse the one running there). */
  readonly port: number;
  /** Start of the deployment's name. @default 'demo' */
  readonly label?: string;
}

/** One version written into the source by the seed step. */
export interface SeededVersion {
  readonly key: string;
  readonly versionId: string;
  readonly size: number;
  readonly sha256: string;
  readonly binary: boolean;
}

/** A source deletion: by the seed step (a key deleted before the attack) or by the intruder (every version). */
export interface SourceDeletionRecord {
  readonly key: string;
  readonly versionId: string;
  readonly deleteMarker: boolean;
}

/** What the restore step brought back, and how it compares with the source just before the attack. */
export interface RestoreReport {
  readonly target: string;
  readonly asOf: string;
  readonly objects: number;
  readonly bytes: number;
  readonly differ: number;
  readonly ms: number;
}

/** One source version as the backup step put it into the vault. */
export interface VaultCopy {
  readonly sourceKey: string;
  readonly sourceVersionId: string;
  readonly vaultKey: string;
  readonly vaultVersionId: string;
  readonly sha256: string;
}

/** What the steps pass along. Each step reads what earlier steps left (need() says which one if it is missing). */
export interface DemoState {
  readonly options: DemoOptions;
  localS3?: LocalS3;
  /** True when the demo started the local S3 (and so stops it at the end, unless --keep). */
  startedLocalS3: boolean;
  /** Set while the demo is starting the local S3: an interruption then waits for it, and stops it. */
  starting?: Promise<unknown>;
  deployment?: LocalDeployment;
  seeded: SeededVersion[];
  /** Keys the seed step deleted (a delete marker each): absent before the attack, so absent after the restore. */
  seededDeletions: SourceDeletionRecord[];
  copies: VaultCopy[];
  /** The source's change events as the backup step delivered them: later changes continue its sequencers, as S3's do. */
  events?: SourceEventLog;
  before?: VaultSnapshot;
  after?: VaultSnapshot;
  comparison?: SnapshotComparison;
  /** Vault versions the stolen ingest credentials added (RGW ignores If-None-Match). */
  addedByAttacker: { key: string; versionId: string }[];
  /** The source just before the attack: what the restore must bring back. */
  sourceBefore?: BucketState;
  /** When the intruder started deleting (the next whole second after the backup), and what it deleted. */
  attack?: { readonly at: Date; readonly deleted: readonly SourceDeletionRecord[] };
  /** The last source change before the attack, from the journal (activity-step.ts). */
  lastChangeBeforeAttack?: Date;
  /** The restore point `strongroom activity` suggested: just before the attack's burst began. */
  suggestedAsOf?: string;
  restored?: RestoreReport;
  /** Clients to destroy when the demo ends. */
  readonly clients: S3Client[];
}

export function initialState(options: DemoOptions): DemoState {
  return { options, startedLocalS3: false, seeded: [], seededDeletions: [], copies: [], addedByAttacker: [], clients: [] };
}

export class DemoStepError extends StrongroomError {
  override name = 'DemoStepError';
}

function need<T>(value: T | undefined, what: string, step: string): T {
  if (value === undefined) throw new DemoStepError(`needs ${what} from step '${step}', which did not run`);
  return value;
}

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');
const md5 = (bytes: Uint8Array | string) => createHash('md5').update(bytes).digest('base64');

function track<T extends S3Client>(state: DemoState, client: T): T {
  state.clients.push(client);
  return client;
}

async function session(state: DemoState, d: LocalDeployment, kind: 'ingest' | 'restoreReader'): Promise<VaultSession> {
  const s = await assumeVaultRole(d, kind, { sessionName: `demo-${kind}` });
  track(state, s.s3);
  return s;
}

// ---- sample data ----------------------------------------------------------------------------------------

export interface SampleFile {
  readonly key: string;
  readonly contentType: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly versions: readonly { readonly body: Uint8Array; readonly binary: boolean }[];
  /** Deleted (a delete marker) before the attack: a restore to just before the attack must leave it absent. */
  readonly deletedBeforeAttack?: true;
}

/**
 * Several keys, several versions each, text and binary, each with its content type and user metadata, and one
 * key deleted before the attack: what the demo company keeps in its bucket.
 */
export function sampleFiles(): SampleFile[] {
  const text = (s: string) => ({ body: new TextEncoder().encode(s), binary: false });
  const binary = (header: number[], size: number) => ({ body: new Uint8Array([...header, ...randomBytes(size)]), binary: true });
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  return [
    {
      key: 'invoices/2026/inv-0001.txt',
      contentType: 'text/plain; charset=utf-8',
      metadata: { customer: 'acme', status: 'paid' },
      versions: [
        text('Invoice 0001\nTotal: 1,200.00 EUR\n'),
        text('Invoice 0001\nTotal: 1,250.00 EUR (corrected)\n'),
        text('Invoice 0001\nTotal: 1,250.00 EUR\nPaid.\n'),
      ],
    },
    {
      key: 'invoices/2026/inv-0002.txt',
      contentType: 'text/plain; charset=utf-8',
      metadata: { customer: 'globex' },
      versions: [text('Invoice 0002\nTotal: 89.90 EUR\n'), text('Invoice 0002\nTotal: 89.90 EUR\nPaid.\n')],
    },
    {
      key: 'ledger/2026-q1.csv',
      contentType: 'text/csv',
      metadata: {},
      versions: [text('date,amount\n2026-01-02,1200.00\n'), text('date,amount\n2026-01-02,1250.00\n2026-01-09,89.90\n')],
    },
    {
      key: 'scans/receipt-0001.png',
      contentType: 'image/png',
      metadata: { scanner: 'front-desk' },
      versions: [binary(png, 24 * 1024), binary(png, 24 * 1024)],
    },
    {
      key: 'db/customers.dump',
      contentType: 'application/octet-stream',
      metadata: { 'pg-version': '16' },
      versions: [binary([0x50, 0x47, 0x44, 0x4d, 0x50], 64 * 1024), binary([0x50, 0x47, 0x44, 0x4d, 0x50], 80 * 1024)],
    },
    {
      key: 'exports/customers-2026-11.csv',
      contentType: 'text/csv',
      metadata: {},
      versions: [text('id,name\n1,Acme\n'), text('id,name\n1,Acme\n2,Globex\n')],
      deletedBeforeAttack: true,
    },
  ];
}

// ---- the steps ------------------------------------------------------------------------------------------

export const localS3Step: Step<DemoState> = {
  name: 'local-s3',
  attempts: 'start the local two-account S3 (Ceph RGW)',
  async run(state) {
    const port = state.options.port;
    const running = await findLocalS3({ port });
    if (running) {
      state.localS3 = running;
      return `reusing the one running at ${running.endpoint}`;
    }
    const started = performance.now();
    const starting = startLocalS3({ port });
    state.starting = starting;
    state.localS3 = await starting;
    state.startedLocalS3 = true;
    return `started at ${state.localS3.endpoint} in ${seconds(performance.now() - started)} (tenants 'primary' and 'backup')`;
  },
};

export const provisionStep: Step<DemoState> = {
  name: 'provision',
  attempts: 'create the vault, its roles and a source bucket from the config',
  async run(state, recorder) {
    const localS3 = need(state.localS3, 'the local S3', 'local-s3');
    const d = await provisionLocalVault(localS3, state.options.config, { label: state.options.label ?? 'demo' });
    state.deployment = d;
    recorder.note(`config ${state.options.configFile}; deployment name ${d.name}`);
    recorder.note(
      `vault ${d.vault.address}: Object Lock COMPLIANCE, ${d.vault.retentionDays} day(s) default retention, versioned`,
    );
    recorder.note(
      `roles ${Object.values(d.primary.vaultRoles)
        .map((r) => r.name)
        .join(', ')} (trusting ${d.name}-copier/-restore/-verify/-reconciler)`,
    );
    recorder.note(
      `source ${d.primary.sources.map((s) => s.address).join(', ')}; ${d.adaptations.length} RGW adaptations applied (see README)`,
    );
    return `vault ${d.vault.name} ready in ${seconds(Object.values(d.timings).reduce((a, b) => a + b, 0))}`;
  },
};

export const seedStep: Step<DemoState> = {
  name: 'seed',
  attempts: 'write sample files, several versions each (a second apart), into the source',
  async run(state) {
    const d = need(state.deployment, 'the deployment', 'provision');
    const source = d.primary.sources[0];
    if (!source) throw new DemoStepError('the config has no source bucket');
    // the primary account's own applications write the source: its admin stands in for them
    const s3 = track(state, clientAs(d, d.primary.admin));
    // One version of each file per second (S3 keeps whole seconds): each version is the state at some instant.
    const files = sampleFiles();
    const rounds = Math.max(...files.map((f) => f.versions.length));
    for (let round = 0; round < rounds; round++) {
      if (round > 0) await nextSecond();
      for (const file of files) {
        const version = file.versions[round];
        if (!version) continue;
        const put = await s3.send(
          new PutObjectCommand({
            Bucket: source.address,
            Key: file.key,
            Body: version.body,
            ContentMD5: md5(version.body),
            ContentType: file.contentType,
            Metadata: { ...file.metadata },
          }),
        );
        if (!put.VersionId) throw new DemoStepError(`the source returned no version id for ${file.key}: is it versioned?`);
        state.seeded.push({
          key: file.key,
          versionId: put.VersionId,
          size: version.body.length,
          sha256: sha256(version.body),
          binary: version.binary,
        });
      }
    }
    for (const file of files.filter((f) => f.deletedBeforeAttack)) {
      const deleted = await s3.send(new DeleteObjectCommand({ Bucket: source.address, Key: file.key }));
      if (!deleted.DeleteMarker || !deleted.VersionId) throw new DemoStepError(`deleting ${file.key} placed no delete marker`);
      state.seededDeletions.push({ key: file.key, versionId: deleted.VersionId, deleteMarker: true });
    }
    const keys = new Set(state.seeded.map((v) => v.key)).size;
    const binary = state.seeded.filter((v) => v.binary).length;
    const kib = Math.round(state.seeded.reduce((n, v) => n + v.size, 0) / 1024);
    const deleted = state.seededDeletions.map((d) => d.key).join(', ');
    return `${keys} keys, ${state.seeded.length} versions (${binary} binary), ${kib} KiB in ${source.address}; ${deleted} then deleted`;
  },
};

/**
 * The copier (lambda/core), wired as in Lambda: the source read by the copier role's stand-in, the
 * vault written through the ingest role reached by STS with the external id. Each change is
 * delivered twice and out of order, as SQS may; the second delivery writes nothing.
 */
export const backupStep: Step<DemoState> = {
  name: 'backup',
  attempts: 'the copier backs every source version up into the vault (each event delivered twice, shuffled)',
  async run(state, recorder) {
    const d = need(state.deployment, 'the deployment', 'provision');
    const source = d.primary.sources[0] as NonNullable<LocalDeployment['primary']['sources'][number]>;
    const seeded = need(state.seeded.length > 0 ? state.seeded : undefined, 'source versions', 'seed');
    const events = new SourceEventLog(d.primary.tenant);
    state.events = events;
    const bodies = [
      ...seeded.map((v) => events.created(source.name, { key: v.key, versionId: v.versionId, size: v.size })),
      ...state.seededDeletions.map((d) => events.deleted(source.name, d)),
    ];
    // Every event twice, the second round in reverse: at-least-once, out-of-order delivery.
    const records = events.records([...bodies, ...[...bodies].reverse()]);
    const copier = localCopier(d);
    let duplicates = 0;
    let segments = 0;
    let tombstones = 0;
    try {
      for (let i = 0; i < records.length; i += 10) {
        const result = await copier.copy(records.slice(i, i + 10), `demo-${i / 10 + 1}`);
        if (result.failedMessageIds.length > 0)
          throw new DemoStepError(`the copier failed ${result.failedMessageIds.length} record(s)`);
        if (result.journalSegmentKey) segments++;
        for (const { outcome } of result.outcomes) {
          if (outcome.status === 'gone') throw new DemoStepError(`a seeded version was gone before the copy: ${outcome.reason}`);
          if (outcome.status === 'already-in-vault') {
            duplicates++;
            continue;
          }
          if (outcome.entry.kind !== 'version') {
            tombstones++;
            continue;
          }
          const seededVersion = seeded.find((v) => v.key === outcome.entry.key && v.versionId === outcome.entry.sourceVersionId);
          if (!seededVersion || seededVersion.sha256 !== outcome.entry.sha256) {
            throw new DemoStepError(`${outcome.entry.key} was copied with another SHA-256 than the one written`);
          }
          state.copies.push({
            sourceKey: outcome.entry.key,
            sourceVersionId: outcome.entry.sourceVersionId as string,
            vaultKey: outcome.entry.vaultKey,
            vaultVersionId: outcome.entry.vaultVersionId as string,
            sha256: outcome.entry.sha256 as string,
          });
        }
      }
    } finally {
      copier.close();
    }
    if (state.copies.length !== seeded.length)
      throw new DemoStepError(`${state.copies.length} of ${seeded.length} versions copied`);
    recorder.note(
      `vault keys ${d.primary.vaultPrefixes.objects}<bucket>/<sha256 of key>/v.<source version id>; journal ${d.primary.vaultPrefixes.journal}`,
    );
    return `${state.copies.length} versions and ${tombstones} delete marker${tombstones === 1 ? '' : 's'} copied, ${duplicates} duplicate deliveries wrote nothing, ${segments} journal segments`;
  },
};

function snapshotStep(name: 'snapshot-before' | 'snapshot-after', when: string): Step<DemoState> {
  return {
    name,
    attempts: `${when}: list and hash every vault version, as the restore reader`,
    async run(state) {
      const d = need(state.deployment, 'the deployment', 'provision');
      const reader = await session(state, d, 'restoreReader');
      const snapshot = await snapshotVault(reader.s3, d.vault.address, [
        d.primary.vaultPrefixes.objects,
        d.primary.vaultPrefixes.journal,
      ]);
      if (name === 'snapshot-before') state.before = snapshot;
      else state.after = snapshot;
      const markers = snapshot.deleteMarkers.length;
      return `${snapshot.versions.length} versions, SHA-256 of each; ${markers} delete marker${markers === 1 ? '' : 's'}`;
    },
  };
}

const compareStep: Step<DemoState> = {
  name: 'compare',
  attempts: 'every version from before the attack, same SHA-256?',
  async run(state, recorder) {
    const before = need(state.before, 'the first snapshot', 'snapshot-before');
    const after = need(state.after, 'the second snapshot', 'snapshot-after');
    const c = compareSnapshots(before, after);
    state.comparison = c;
    const attacker = new Set(state.addedByAttacker.map((a) => `${a.key}\u0000${a.versionId}`));
    const unexplained = c.added.filter((v) => !attacker.has(`${v.key}\u0000${v.versionId}`));
    recorder.record({
      actor: 'vault',
      action: `${before.versions.length} versions before the attack, ${after.versions.length} after`,
      expected: '0 lost, 0 changed',
      outcome: `${c.intact.length} intact, ${c.lost.length} lost, ${c.changed.length} changed, ${c.added.length} added, ${c.deleteMarkersAdded} delete markers`,
      held: c.lost.length === 0 && c.changed.length === 0 && c.deleteMarkersAdded === 0 && unexplained.length === 0,
      protection: true,
    });
    for (const v of c.lost) recorder.note(`LOST ${v.key} ${v.versionId}`);
    for (const v of c.changed) recorder.note(`CHANGED ${v.before.key} ${v.before.versionId}`);
    return `${c.lost.length} versions lost`;
  },
};

/** The restore step's one-line verdict (also the demo's last line). */
export function restoredLine(r: RestoreReport): string {
  return (
    `${r.objects} objects (${kib(r.bytes)}) came back into ${r.target} as of ${r.asOf}, just before the attack, in ${seconds(r.ms)}; ` +
    `${r.differ} differ from the source before the attack (bytes, content type, user metadata; keys absent then, absent now)`
  );
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;

/**
 * The responder's restore: `strongroom restore --local` runs as of the T `strongroom activity` suggested (just
 * before the attack's burst; the activity step journaled the attack and checked T), into the restore target: the
 * restore role may write only the configured restore targets (lib/policy restoreStatements), never the source.
 * Every key of the target is then compared with the source as it was before the attack.
 */
const restoreStep: Step<DemoState> = {
  name: 'restore',
  attempts: 'the responder: strongroom restore --as-of <just before the attack>, every key compared',
  async run(state, recorder) {
    const d = need(state.deployment, 'the deployment', 'provision');
    const before = need(state.sourceBefore, 'the source before the attack', 'attack-primary-admin');
    const source = d.primary.sources[0] as NonNullable<LocalDeployment['primary']['sources'][number]>;
    const target = d.primary.restoreTargets[0];
    if (!target) throw new DemoStepError('the config has no restore target (primaryAccounts[0].restoreTargets)');

    // The T `strongroom activity` suggested (the activity step checked it lies before the attack).
    const asOf = need(state.suggestedAsOf, 'the suggested restore point', 'activity');
    const argv = [
      'restore',
      '--local',
      '--deployment',
      d.deploymentFile,
      '--bucket',
      source.configured,
      '--as-of',
      asOf,
      '--yes',
      '--json',
    ];
    recorder.note(`strongroom ${argv.join(' ').replace(d.deploymentFile, '<deployment file>')}`);
    const io = capturedIo();
    const started = performance.now();
    const code = await strongroom(argv, { io });
    const ms = performance.now() - started;
    if (code !== 0) throw new DemoStepError(`strongroom restore exited ${code}: ${io.stderr.join('').trim()}`);
    const report = JSON.parse(io.stdout.join('')) as { restoreId: string; plan: PlanSummary };
    const counts = report.plan.counts;
    recorder.note(
      `plan ${report.restoreId}: ${counts.write} to write, ${counts.skip} identical, ${counts.extraneous} extraneous, ${counts.absentAtT} absent then`,
    );

    // Read back as the restore function's stand-in (on RGW the writer owns what it writes).
    const restorer = track(state, clientAs(d, d.primary.functions.restore));
    const comparison = compareBucketStates(before, await readBucketState(restorer, target.name));
    for (const { key, what } of comparison.differ) recorder.note(`DIFFERS ${key}: ${what}`);
    state.restored = {
      target: target.configured,
      asOf,
      objects: comparison.same.length,
      bytes: comparison.bytes,
      differ: comparison.differ.length,
      ms,
    };
    recorder.record({
      actor: 'responder',
      action: `restore ${before.size} keys into ${target.configured}, compare each`,
      expected: 'every key back, 0 differ',
      outcome: `${comparison.same.length} back (${kib(comparison.bytes)}) in ${seconds(ms)}, ${comparison.differ.length} differ`,
      held: comparison.differ.length === 0 && comparison.same.length === before.size,
      protection: false,
    });
    return `${comparison.same.length} objects, ${kib(comparison.bytes)}, back in ${target.configured} in ${seconds(ms)}; ${comparison.differ.length} differ`;
  },
};

/** The demo, in order. */
export const DEMO_STEPS: readonly Step<DemoState>[] = [
  localS3Step,
  provisionStep,
  seedStep,
  backupStep,
  verifyStep,
  snapshotStep('snapshot-before', 'before the attack'),
  attackPrimaryAdminStep,
  attackStolenIngestStep,
  snapshotStep('snapshot-after', 'after the attack'),
  compareStep,
  activityStep,
  restoreStep,
];
