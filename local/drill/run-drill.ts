/**
 * Runs the attack drill on a local deployment: an inventory of every vault version with its SHA-256 (as
 * break-glass, which may read everything and is bound by Object Lock like everyone), every catalogue attempt
 * (a bounded number at once), a second inventory, and the comparison. The drill holds only if every attempt met
 * its expectation, nothing was lost or changed, no delete marker appeared, and every version added is one that
 * an attempt was expected to add and did add.
 */
import { randomBytes } from 'node:crypto';
import type { S3Client } from '@aws-sdk/client-s3';
import { forEachLimited } from '../../lambda/core/streams';
import { describeOutcome, type Outcome, attempt as send } from '../outcome';
import type { LocalDeployment } from '../provision';
import { assumeVaultRole, clientAs } from '../sessions';
import { compareSnapshots, type SnapshotComparison, snapshotVault, type VaultSnapshot } from '../vault-snapshot';
import {
  applicable,
  type DrillAttempt,
  type DrillContext,
  type DrillTarget,
  describeExpected,
  drillCatalogue,
  type Expected,
  PRINCIPALS,
  type PrincipalId,
} from './catalogue';

/** One attempt as it went. */
export interface AttemptResult {
  readonly principal: PrincipalId;
  readonly attempt: string;
  readonly category: string;
  readonly expected: string;
  readonly actual: string;
  readonly held: boolean;
  /** The vault version it added, when it was expected to add one and did. */
  readonly added?: DrillTarget;
}

/** Judges an outcome against the expectation; a version added where one was expected is returned for the inventory. */
export function judge(expected: Expected, outcome: Outcome): { held: boolean; actual: string; added?: DrillTarget } {
  const actual = describeOutcome(outcome);
  const addedVersion = (): DrillTarget | undefined => {
    if (!outcome.ok) return undefined;
    const v = outcome.value as { Key?: string; VersionId?: string } | undefined;
    return v?.Key && v.VersionId ? { key: v.Key, versionId: v.VersionId } : undefined;
  };
  switch (expected.kind) {
    case 'denied':
      return { held: !outcome.ok && outcome.status === 403, actual };
    case 'refused':
      return { held: !outcome.ok && outcome.status === expected.status, actual };
    case 'allowed': {
      if (!outcome.ok) return { held: false, actual };
      if (!expected.adds) return { held: true, actual };
      const added = addedVersion();
      return added ? { held: true, actual: `ok: added version ${short(added.versionId)}`, added } : { held: false, actual };
    }
    case 'rgw': {
      // A refusal is never counted as what the local S3 lets through; a stricter server is reported as it is.
      if (expected.local !== 'adds-version') {
        return { held: !outcome.ok && outcome.status === expected.local, actual };
      }
      if (!outcome.ok) return { held: outcome.status === 403, actual };
      const added = addedVersion();
      return added ? { held: true, actual: `ok: added version ${short(added.versionId)}`, added } : { held: false, actual };
    }
  }
}

const short = (versionId: string) => (versionId.length > 12 ? `${versionId.slice(0, 12)}…` : versionId);

/** Runs the attempts, `concurrency` at a time; results in catalogue order. */
export async function runAttempts(
  ctx: DrillContext,
  attempts: readonly DrillAttempt[],
  concurrency = 8,
): Promise<AttemptResult[]> {
  const results: AttemptResult[] = new Array(attempts.length);
  await forEachLimited(attempts, concurrency, async (a, i) => {
    const { held, actual, added } = judge(a.expected, await send(() => a.run(ctx)));
    results[i] = {
      principal: a.principal,
      attempt: a.attempt,
      category: a.category,
      expected: describeExpected(a.expected),
      actual,
      held,
      ...(added ? { added } : {}),
    };
  });
  return results;
}

/** The clients of every principal: tenant admins and break-glass by their keys, the vault roles by STS AssumeRole. */
export async function openPrincipals(d: LocalDeployment): Promise<{ clients: Record<PrincipalId, S3Client>; close(): void }> {
  const role = async (kind: 'ingest' | 'restoreReader' | 'auditor' | 'evidenceWriter') =>
    (await assumeVaultRole(d, kind, { sessionName: `drill-${kind}` })).s3;
  const [ingest, restoreReader, auditor, evidenceWriter] = await Promise.all([
    role('ingest'),
    role('restoreReader'),
    role('auditor'),
    role('evidenceWriter'),
  ]);
  const clients: Record<PrincipalId, S3Client> = {
    primaryAdmin: clientAs(d, d.primary.admin),
    ingest,
    restoreReader,
    auditor,
    evidenceWriter,
    backupAdmin: clientAs(d, d.backup.admin),
    breakGlass: clientAs(d, d.backup.breakGlass),
  };
  const close = () => {
    for (const client of Object.values(clients)) client.destroy();
  };
  return { clients, close };
}

/** Every version in the vault with its SHA-256, read as break-glass. */
export const inventory = (d: LocalDeployment, breakGlass: S3Client): Promise<VaultSnapshot> =>
  snapshotVault(breakGlass, d.vault.address, ['']);

/** The targets of the attempts: the first backed-up object, journal segment and report of the primary account. */
export function targetsIn(d: LocalDeployment, snapshot: VaultSnapshot): DrillContext['targets'] {
  const first = (prefix: string) => snapshot.versions.find((v) => v.key.startsWith(prefix) && v.size > 0);
  const p = d.primary.vaultPrefixes;
  const object = first(p.objects);
  const journal = first(p.journal);
  if (!object || !journal) {
    throw new Error(
      `the vault of ${d.name} holds no ${object ? 'journal segment' : 'backed-up object'} to attack: back something up first`,
    );
  }
  const report = first(p.reports);
  const pick = (v: { key: string; versionId: string }) => ({ key: v.key, versionId: v.versionId });
  return { object: pick(object), journal: pick(journal), ...(report ? { report: pick(report) } : {}) };
}

export interface DrillComparison extends SnapshotComparison {
  /** Versions added that no attempt was expected to add (or that an attempt did not report). */
  readonly unexplained: readonly { key: string; versionId: string }[];
  /** Versions an attempt reported adding that the second inventory does not hold. */
  readonly missing: readonly DrillTarget[];
}

/** The two inventories compared, with the versions the attempts added set against what appeared. */
export function compareInventories(
  before: VaultSnapshot,
  after: VaultSnapshot,
  results: readonly AttemptResult[],
): DrillComparison {
  const c = compareSnapshots(before, after);
  const id = (v: { key: string; versionId: string }) => `${v.key}\u0000${v.versionId}`;
  const expected = results.flatMap((r) => (r.added ? [r.added] : []));
  const reported = new Set(expected.map(id));
  const appeared = new Set(c.added.map(id));
  return {
    ...c,
    unexplained: c.added.filter((v) => !reported.has(id(v))).map((v) => ({ key: v.key, versionId: v.versionId })),
    missing: expected.filter((v) => !appeared.has(id(v))),
  };
}

export interface DrillReport {
  readonly deployment: string;
  readonly results: readonly AttemptResult[];
  readonly principals: number;
  readonly before: number;
  readonly after: number;
  readonly comparison: DrillComparison;
  readonly ok: boolean;
  readonly ms: number;
}

export interface DrillOptions {
  /** @default the whole catalogue */
  readonly attempts?: readonly DrillAttempt[];
  /** Requests in flight at once. @default 8 */
  readonly concurrency?: number;
}

/** The drill on a deployment whose vault already holds backed-up objects and journal segments. */
export async function runDrill(d: LocalDeployment, options: DrillOptions = {}): Promise<DrillReport> {
  const started = performance.now();
  const { clients, close } = await openPrincipals(d);
  try {
    const before = await inventory(d, clients.breakGlass);
    const ctx: DrillContext = {
      deployment: d,
      clients,
      targets: targetsIn(d, before),
      runId: `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`,
    };
    const attempts = applicable(options.attempts ?? drillCatalogue(), ctx);
    const results = await runAttempts(ctx, attempts, options.concurrency);
    const after = await inventory(d, clients.breakGlass);
    const comparison = compareInventories(before, after, results);
    return drillReport(d.name, results, before, after, comparison, performance.now() - started);
  } finally {
    close();
  }
}

export function drillReport(
  deployment: string,
  results: readonly AttemptResult[],
  before: VaultSnapshot,
  after: VaultSnapshot,
  comparison: DrillComparison,
  ms: number,
): DrillReport {
  const c = comparison;
  const ok =
    results.length > 0 &&
    results.every((r) => r.held) &&
    c.lost.length === 0 &&
    c.changed.length === 0 &&
    c.deleteMarkersAdded === 0 &&
    c.unexplained.length === 0 &&
    c.missing.length === 0;
  return {
    deployment,
    results,
    principals: new Set(results.map((r) => r.principal)).size,
    before: before.versions.length,
    after: after.versions.length,
    comparison,
    ok,
    ms,
  };
}

/** `drill: 134 attempts, 7 principals, 134 held, 0 failed, vault 58 versions before and 61 after (3 added, each by an attempt), 0 lost, 0 changed, 12.3 s` */
export function summaryLine(r: DrillReport): string {
  const held = r.results.filter((x) => x.held).length;
  const c = r.comparison;
  const vault =
    r.before === r.after && c.added.length === 0
      ? `vault ${r.before} versions before and after`
      : `vault ${r.before} versions before and ${r.after} after (${c.added.length} added, ${c.added.length - c.unexplained.length} of them by an attempt expected to)`;
  const markers = c.deleteMarkersAdded > 0 ? `, ${c.deleteMarkersAdded} delete markers added` : '';
  return (
    `drill: ${r.results.length} attempts, ${r.principals} principals, ${held} held, ${r.results.length - held} failed, ` +
    `${vault}, ${c.lost.length} lost, ${c.changed.length} changed${markers}, ${(r.ms / 1000).toFixed(1)} s`
  );
}

/** The table rows: principal, attempt, expected, actual, held. */
export function tableRows(results: readonly AttemptResult[]): string[][] {
  return results.map((r) => [PRINCIPALS[r.principal].label, r.attempt, r.expected, r.actual, r.held ? '✓' : '✗']);
}
