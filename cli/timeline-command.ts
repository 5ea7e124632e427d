import type { TrustedEntry } from '../lambda/core/journal-trust';
import { currentAt } from '../lambda/core/timeline';
import type { TimelineArgs } from './args';
import type { TimelineBackend } from './backend';
import { CliUsageError } from './errors';
import { EXIT } from './exit-codes';
import { columns, formatBytes, plural } from './format';
import type { CliIo } from './io';
import { describeInstant, formatInstant, formatRelative } from './time';

/*
 * strongroom timeline: one key's history as the vault's journal records it — every version and tombstone with
 * its source time, size, SHA-256 and the time the vault wrote it (the server's clock, which an intruder cannot
 * set) — and for each version the --as-of instants that restore it, so the responder can pick T.
 */

const KIND: Readonly<Record<TrustedEntry['kind'], string>> = {
  version: 'version',
  deleteMarker: 'delete marker',
  destroyed: 'destroyed',
  deleted: 'deleted',
};

const LEGEND: Partial<Record<TrustedEntry['kind'], string>> = {
  destroyed: 'destroyed: a version (or delete marker) deleted for good in the source; the vault still holds it',
  deleted: 'deleted: a delete in an unversioned bucket',
};

/** A stretch of time [from, until) during which one version is the key's content; until null: still now. */
export interface Current {
  readonly from: string;
  readonly until: string | null;
}

export interface TimelineEntryJson {
  readonly n: number;
  readonly kind: TrustedEntry['kind'];
  readonly sourceTime: string;
  readonly sourceTimeRelative: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly writtenAt: string;
  readonly writtenAtRelative: string;
  readonly sourceVersionId: string | null;
  readonly vaultKey: string;
  /** Written by the vault after --distrust-writes-after: a restore ignores it. */
  readonly setAside: boolean;
  /** For versions: when --as-of restores exactly this version. */
  readonly currentDuring: readonly Current[];
  readonly currentNow: boolean;
  /** For `destroyed`: the entry (#n) whose version it deleted for good, if the journal has it. */
  readonly destroysEntry: number | null;
}

/**
 * For each version, the stretches of time it is the key's content: the state changes only at source times, and
 * the last stretch (until null) lasts until now.
 */
export function currentStretches(entries: readonly TrustedEntry[]): Map<TrustedEntry, Current[]> {
  const timeline = { bucket: '', key: '', entries };
  const instants = [...new Set(entries.map((e) => Date.parse(e.sourceTime)))].sort((a, b) => a - b);
  const stretches = new Map<TrustedEntry, Current[]>();
  instants.forEach((at, i) => {
    const current = currentAt(timeline, new Date(at));
    if (!current) return;
    const next = instants[i + 1];
    const list = stretches.get(current) ?? [];
    const last = list.at(-1);
    const from = formatInstant(new Date(at));
    const until = next === undefined ? null : formatInstant(new Date(next));
    // Consecutive stretches of the same version (a tombstone of another version between) join up.
    if (last && last.until === from) list[list.length - 1] = { from: last.from, until };
    else list.push({ from, until });
    stretches.set(current, list);
  });
  return stretches;
}

export function timelineJson(entries: readonly TrustedEntry[], now: Date, distrust?: Date): TimelineEntryJson[] {
  const trusted = entries.filter((e) => !distrust || new Date(e.writtenAt) <= distrust);
  const stretches = currentStretches(trusted);
  const currentNow = currentAt({ bucket: '', key: '', entries: trusted }, now);
  return entries.map((e, i) => ({
    n: i + 1,
    kind: e.kind,
    sourceTime: formatInstant(new Date(e.sourceTime)),
    sourceTimeRelative: formatRelative(new Date(e.sourceTime), now),
    size: e.size,
    sha256: e.sha256,
    writtenAt: formatInstant(new Date(e.writtenAt)),
    writtenAtRelative: formatRelative(new Date(e.writtenAt), now),
    sourceVersionId: e.sourceVersionId,
    vaultKey: e.vaultKey,
    setAside: !trusted.includes(e),
    currentDuring: stretches.get(e) ?? [],
    currentNow: e === currentNow,
    destroysEntry: e.destroys === null ? null : entries.findIndex((v) => v.sourceVersionId === e.destroys) + 1 || null,
  }));
}

export function timelineLines(
  title: string,
  rows: readonly TimelineEntryJson[],
  now: Date,
  distrust?: { readonly iso: string; readonly relative: string },
): string[] {
  const table = [
    ['#', 'kind', 'source time (UTC)', 'size', 'sha256', 'vault wrote it (UTC)', ''],
    ...rows.map((r) => [
      String(r.n),
      KIND[r.kind],
      `${r.sourceTime} (${r.sourceTimeRelative})`,
      r.kind === 'version' ? formatBytes(r.size) : '-',
      r.sha256 ? r.sha256.slice(0, 12) : '-',
      r.writtenAt,
      [
        r.destroysEntry ? `deletes #${r.destroysEntry}` : '',
        r.currentNow ? '<- current now' : '',
        r.setAside ? 'SET ASIDE (written after --distrust-writes-after)' : '',
      ]
        .filter(Boolean)
        .join(' '),
    ]),
  ];
  const lines = [title, ...columns(table).map((l) => `  ${l}`), ''];
  const kinds = new Set(rows.map((r) => r.kind));
  for (const [kind, text] of Object.entries(LEGEND)) if (kinds.has(kind as TrustedEntry['kind'])) lines.push(text);
  if (distrust) lines.push(`Entries the vault wrote after ${describeInstant(distrust)} are set aside: a restore ignores them.`);
  const restorable = rows.filter((r) => r.currentDuring.length > 0);
  if (restorable.length > 0) {
    lines.push('To restore a version, pass an --as-of instant:');
    for (const r of restorable) {
      const during = r.currentDuring
        .map((c) => (c.until ? `from ${c.from} to before ${c.until}` : `from ${c.from} until now`))
        .join(', or ');
      lines.push(`  #${r.n} (${formatBytes(r.size)}, sha256 ${r.sha256?.slice(0, 12)}): ${during}`);
    }
  }
  // Source times are whole seconds: a version replaced within its second is never the state at any instant.
  const unreachable = rows.filter((r) => r.kind === 'version' && !r.setAside && r.currentDuring.length === 0);
  if (unreachable.length > 0) {
    lines.push(
      `  ${unreachable.map((r) => `#${r.n}`).join(', ')}: replaced within the same second (source times are whole seconds): no --as-of restores ${unreachable.length === 1 ? 'it' : 'them'}`,
    );
  }
  const current = rows.find((r) => r.currentNow);
  const last = rows.filter((r) => !r.setAside).at(-1);
  lines.push(
    current
      ? `Current now (${formatInstant(now)}): #${current.n}.`
      : `Current now (${formatInstant(now)}): nothing — the key does not exist${last ? ` since #${last.n} (${KIND[last.kind]}, ${last.sourceTime})` : ''}.`,
  );
  return lines;
}

export async function timelineCommand(args: TimelineArgs, backend: TimelineBackend, io: CliIo): Promise<number> {
  const bucket = backend.source(args.bucket);
  const entries = await backend.timeline(bucket.actual, args.key);
  if (entries.length === 0) {
    throw CliUsageError.of(
      '<key>',
      JSON.stringify(args.key),
      `a key with entries in the journal of ${bucket.shown}${bucket.actual !== bucket.shown ? ` (${bucket.actual})` : ''}: it has none ` +
        '(check the bucket, the key and its case)',
    );
  }
  const now = io.now();
  const rows = timelineJson(entries, now, args.distrustWritesAfter?.date);
  if (args.json) {
    io.out(
      `${JSON.stringify(
        {
          where: backend.where,
          bucket,
          key: args.key,
          now: formatInstant(now),
          distrustWritesAfter: args.distrustWritesAfter?.iso ?? null,
          entries: rows,
        },
        null,
        2,
      )}\n`,
    );
    return EXIT.ok;
  }
  const title = `${bucket.shown}/${args.key}: ${plural(entries.length, 'entry', 'entries')} in the vault's journal (${backend.where})`;
  for (const l of timelineLines(title, rows, now, args.distrustWritesAfter)) io.out(`${l}\n`);
  return EXIT.ok;
}
