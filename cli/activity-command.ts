import { keyPrefixSchema } from '../contract/names';
import { ACTIVITY_INTERVAL_MAX_SECONDS, type ActivityApiRequest } from '../contract/restore-api';
import type { ActivityBurst, ActivityReport } from '../lambda/core/activity';
import { type AwsTarget, checkBucket, checkWhere, Problems } from './args';
import type { ActivityBackend, BucketName } from './backend';
import { CliUsageError } from './errors';
import { EXIT } from './exit-codes';
import { columns, plural } from './format';
import type { CliIo } from './io';
import { formatDuration, formatInstant, formatRelative, type Instant, parseInstant } from './time';

/*
 * strongroom activity: a source bucket's writes, overwrites and deletions per interval as the vault's journal records
 * them (lambda/core/activity.ts computes it, locally or in the restore function), bursts marked, and the instant just
 * before the latest burst began — with the restore command that takes the bucket back to it.
 */

export interface ActivityFlags {
  readonly prefix?: string;
  readonly since?: string;
  readonly until?: string;
  readonly interval?: string;
  readonly json?: boolean;
  readonly local?: boolean;
  readonly deployment?: string;
  readonly function?: string;
  readonly name?: string;
  readonly config?: string;
  readonly profile?: string;
  readonly region?: string;
}

export interface ActivityArgs {
  readonly bucket: string;
  readonly prefix?: string;
  readonly since?: Instant;
  readonly until?: Instant;
  readonly intervalSeconds?: number;
  readonly json: boolean;
  /** Exactly one of the two. */
  readonly local?: { readonly deployment?: string };
  readonly aws?: AwsTarget;
}

const INTERVAL_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
export const INTERVAL_EXPECTED = `an interval such as "10s", "5m", "1h" or "1d" (from 1 second to ${ACTIVITY_INTERVAL_MAX_SECONDS / 86_400} days)`;

/** "5m" -> 300; undefined when it is no interval. */
export function parseInterval(text: string): number | undefined {
  const match = /^(\d+)\s*([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * (INTERVAL_UNITS[match[2]] ?? 0);
  return seconds >= 1 && seconds <= ACTIVITY_INTERVAL_MAX_SECONDS ? seconds : undefined;
}

export function parseActivityArgs(bucket: string | undefined, flags: ActivityFlags, now: Date): ActivityArgs {
  const problems = new Problems();
  const name = checkBucket(problems, '<bucket>', bucket);
  const prefix = problems.schema('--prefix', keyPrefixSchema, flags.prefix);
  const since =
    flags.since === undefined ? undefined : problems.attempt(() => parseInstant('--since', flags.since as string, now));
  const until =
    flags.until === undefined ? undefined : problems.attempt(() => parseInstant('--until', flags.until as string, now));
  if (since && until && since.date > until.date)
    problems.add('--since', flags.since, `an instant at or before --until (${until.iso})`);
  let intervalSeconds: number | undefined;
  if (flags.interval !== undefined) {
    intervalSeconds = parseInterval(flags.interval);
    if (intervalSeconds === undefined) problems.add('--interval', flags.interval, INTERVAL_EXPECTED);
  }
  const where = checkWhere(problems, flags);
  problems.throwIfAny();
  return {
    bucket: name as string,
    ...(prefix !== undefined ? { prefix } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    ...(intervalSeconds !== undefined ? { intervalSeconds } : {}),
    json: flags.json === true,
    ...where,
  };
}

/** The restore command to run next: the same bucket, prefix and place (local or AWS), as of `asOf`, as a dry run. */
export function restoreCommandFor(args: ActivityArgs, bucket: BucketName, asOf: string): string {
  const quote = (v: string) => (/^[\w@%+=:,./-]+$/.test(v) ? v : `'${v.replace(/'/g, "'\\''")}'`);
  const parts = ['strongroom', 'restore'];
  if (args.local) {
    parts.push('--local');
    if (args.local.deployment) parts.push('--deployment', quote(args.local.deployment));
  }
  parts.push('--bucket', quote(bucket.shown));
  if (args.prefix) parts.push('--prefix', quote(args.prefix));
  parts.push('--as-of', asOf);
  const aws = args.aws;
  if (aws) {
    for (const [flag, value] of [
      ['--function', aws.function],
      ['--name', aws.name],
      ['--config', aws.config],
      ['--profile', aws.profile],
      ['--region', aws.region],
    ] as const) {
      if (value !== undefined) parts.push(flag, quote(value));
    }
  }
  parts.push('--dry-run');
  return parts.join(' ');
}

const intervalName = (seconds: number) => formatDuration(seconds).replace(/^1 /, '');

function burstLine(b: ActivityBurst, n: number, now: Date): string[] {
  const counts = `${plural(b.deletions, 'deletion')}, ${plural(b.overwrites, 'overwrite')}, ${plural(b.writes, 'write')}`;
  const began = `began ${formatInstant(new Date(b.firstChange))} (${formatRelative(new Date(b.firstChange), now)}, ${b.firstKey})`;
  return [
    `  ${n}  ${formatInstant(new Date(b.start))} to ${formatInstant(new Date(b.end))}: ${counts}; ${began}`,
    b.asOf
      ? `       last change before it ${formatInstant(new Date(b.lastChangeBefore as string))}; as it was just before: --as-of ${b.asOf}`
      : '       nothing the journal holds is older: there is no earlier state to restore',
  ];
}

export function activityLines(
  report: ActivityReport,
  bucket: BucketName,
  args: ActivityArgs,
  where: string,
  now: Date,
): string[] {
  const scope = `${bucket.shown}${report.prefix ? ` under "${report.prefix}"` : ''}`;
  const window = [args.since ? `since ${args.since.iso}` : '', args.until ? `until ${args.until.iso}` : '']
    .filter(Boolean)
    .join(' ');
  if (report.firstChange === null || report.lastChange === null) {
    return [`${scope}: no changes in the vault's journal${window ? ` ${window}` : ''} (${where}).`];
  }
  const total = report.totals.writes + report.totals.overwrites + report.totals.deletions;
  const per = `per ${intervalName(report.intervalSeconds)}${report.intervalChosen === 'auto' ? ' (chosen for the span; --interval sets it)' : ''}`;
  const lines = [
    `${scope}: ${plural(total, 'change')} in the vault's journal from ${formatInstant(new Date(report.firstChange))} to ` +
      `${formatInstant(new Date(report.lastChange))}, ${per} (${where})`,
  ];
  const size = report.intervalSeconds * 1000;
  const rows: string[][] = [['interval from (UTC)', 'writes', 'overwrites', 'deletions', '']];
  let previousEnd: number | undefined;
  for (const i of report.intervals) {
    const start = Date.parse(i.start);
    if (previousEnd !== undefined && start > previousEnd) {
      rows.push([`  ... ${plural((start - previousEnd) / size, 'quiet interval')}`]);
    }
    rows.push([
      `${formatInstant(new Date(start))} (${formatRelative(new Date(start), now)})`,
      String(i.writes),
      String(i.overwrites),
      String(i.deletions),
      i.burst ? '<- BURST' : '',
    ]);
    previousEnd = Date.parse(i.end);
  }
  // Counts right-aligned under their headers.
  const aligned = rows.map((r) => (r.length === 1 ? r : [r[0], ...[1, 2, 3].map((c) => r[c].padStart(rows[0][c].length)), r[4]]));
  lines.push(...columns(aligned).map((l) => `  ${l}`), '');
  const { minChanges, factor, window: back } = report.rule;
  lines.push(
    `A burst: an interval whose overwrites + deletions are at least ${minChanges} and more than ${factor} x the median of the ${back} intervals before it.`,
  );
  if (report.bursts.length === 0) {
    lines.push('No burst: nothing changed abnormally fast.');
    return lines;
  }
  lines.push(`${plural(report.bursts.length, 'burst')}:`);
  report.bursts.forEach((b, k) => {
    lines.push(...burstLine(b, k + 1, now));
  });
  if (report.suggestedAsOf === null || report.suggestedBurst === null) {
    lines.push('', 'No restore point to suggest: the latest burst began with the first change the journal holds.');
    return lines;
  }
  const asOf = report.suggestedAsOf;
  lines.push(
    '',
    `Suggested T, just before the ${report.bursts.length > 1 ? 'latest ' : ''}burst began: ${asOf} (${formatRelative(new Date(asOf), now)})`,
  );
  if (report.bursts.length > 1) lines.push('  (an earlier burst may be the same incident: each burst above has its own --as-of)');
  lines.push('Next, plan the restore (a dry run writes nothing):', `  ${restoreCommandFor(args, bucket, asOf)}`);
  return lines;
}

export async function activityCommand(args: ActivityArgs, backend: ActivityBackend, io: CliIo): Promise<number> {
  const bucket = backend.source(args.bucket);
  const request: ActivityApiRequest = {
    action: 'activity',
    sourceBucket: bucket.actual,
    ...(args.prefix ? { prefix: args.prefix } : {}),
    ...(args.since ? { since: args.since.date.toISOString() } : {}),
    ...(args.until ? { until: args.until.date.toISOString() } : {}),
    ...(args.intervalSeconds ? { intervalSeconds: args.intervalSeconds } : {}),
  };
  const report = await backend.activity(request);
  if (report.firstChange === null && !args.since && !args.until) {
    throw CliUsageError.of(
      '<bucket>',
      JSON.stringify(args.bucket),
      `a source bucket with entries in the vault's journal${args.prefix ? ` under "${args.prefix}"` : ''} (${backend.where}): ` +
        'it has none (check the name, its case and the prefix)',
    );
  }
  const now = io.now();
  const next = report.suggestedAsOf ? restoreCommandFor(args, bucket, report.suggestedAsOf) : null;
  if (args.json) {
    io.out(
      `${JSON.stringify({ where: backend.where, ...report, bucket, now: formatInstant(now), restoreCommand: next }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  for (const line of activityLines(report, bucket, args, backend.where, now)) io.out(`${line}\n`);
  return EXIT.ok;
}
