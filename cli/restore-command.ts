import type { PlanApiRequest, RestoreStatusResponse } from '../contract/restore-api';
import type { PlanSummary } from '../lambda/core/restore-plan';
import type { PlanResponse } from '../lambda/core/restore-service';
import type { RestoreArgs } from './args';
import type { BucketName, RestoreBackend } from './backend';
import { AbortedError, CliUsageError } from './errors';
import { EXIT, type ExitCode } from './exit-codes';
import { columns, formatBytes, formatElapsed, plural } from './format';
import type { CliIo } from './io';
import { progressDisplay } from './progress';
import { describeInstant, formatInstant, type Instant } from './time';

/*
 * strongroom restore: plan, show the plan, confirm, run with a progress bar, summarise. The instant is echoed,
 * absolute and relative, before anything is written (the plan's manifest is the first write). --json prints
 * one document with the plan and the result, and nothing else on stdout.
 */

export type RestoreOutcome = 'succeeded' | 'failed' | 'dry-run' | 'nothing-to-do';

/** Everything the command knew when it ended: printed by --json, and the test's view of a run. */
export interface RestoreReport {
  readonly where: string;
  readonly source: BucketName;
  readonly target: BucketName;
  readonly asOf: InstantJson;
  readonly distrustWritesAfter: InstantJson | null;
  readonly restoreId: string;
  readonly plan: PlanSummary & { readonly manifest: PlanResponse['manifest'] };
  readonly result: RestoreStatusResponse | null;
  readonly outcome: RestoreOutcome;
  readonly exitCode: ExitCode;
}

interface InstantJson {
  readonly input: string;
  readonly instant: string;
  readonly relative: string;
}

const instantJson = (i: Instant): InstantJson => ({ input: i.input, instant: i.iso, relative: i.relative });

/** The restore API's plan request for these arguments and buckets. */
export function planRequest(args: RestoreArgs, source: BucketName, target: BucketName): PlanApiRequest {
  return {
    action: 'plan',
    sourceBucket: source.actual,
    ...(args.prefix !== undefined ? { prefix: args.prefix } : {}),
    asOf: args.asOf.date.toISOString(),
    ...(args.distrustWritesAfter ? { distrustWritesAfter: args.distrustWritesAfter.date.toISOString() } : {}),
    targetBucket: target.actual,
    ...(args.targetPrefix !== undefined ? { targetPrefix: args.targetPrefix } : {}),
    mode: args.mode,
    ...(args.removeExtraneous ? { removeExtraneous: true } : {}),
  };
}

const named = (b: BucketName) => (b.shown === b.actual ? b.shown : `${b.shown} (${b.actual})`);
/** "acme-restore", or "acme-restore under drill/" */
const into = (target: BucketName, targetPrefix: string | undefined) =>
  targetPrefix ? `${target.shown} under "${targetPrefix}"` : target.shown;
/** How to run it again at the same instant (a relative --as-of would have moved on). */
const again = (args: RestoreArgs) =>
  `run it again with --as-of ${args.asOf.iso}: what is already restored is found identical and skipped`;

/** The line echoed before anything is written. */
export function echoLine(args: RestoreArgs, source: BucketName, target: BucketName): string {
  const typed = args.asOf.input.trim() === args.asOf.iso ? '' : `, from "${args.asOf.input}"`;
  return `Restoring ${source.shown}${args.prefix ? `/${args.prefix}` : ''} into ${into(target, args.targetPrefix)} as of ${describeInstant(args.asOf)}${typed}`;
}

const SAMPLE_LINES = 10;

/** The plan as a responder reads it before saying yes. */
export function planLines(
  args: RestoreArgs,
  plan: PlanResponse,
  names: { readonly where: string; readonly source: BucketName; readonly target: BucketName },
): string[] {
  const s = plan.summary;
  const samples = (action: 'write' | 'skip' | 'extraneous') => {
    const shown = s.samples[action].slice(0, SAMPLE_LINES);
    const more = s.counts[action] - shown.length;
    return [...shown.map((k) => ['', `  ${k}`]), ...(more > 0 ? [['', `  ... and ${plural(more, 'more key')}`]] : [])];
  };
  const objects = (n: number) => plural(n, 'object');
  const header: string[][] = [
    ['source', `${named(names.source)}, ${args.prefix ? `keys under "${args.prefix}"` : 'every key'}`],
    ['as of', describeInstant(args.asOf)],
    ['target', `${named(names.target)}, ${args.targetPrefix ? `under "${args.targetPrefix}"` : 'same keys'}`],
    [
      'mode',
      s.mode === 'state'
        ? 'state: every key as it was at that instant'
        : 'changed-since: only keys deleted or overwritten since that instant',
    ],
    ['backups from', s.earliest ? `${formatInstant(new Date(s.earliest))} (the earliest restorable instant)` : '(none)'],
  ];
  if (args.distrustWritesAfter) {
    const aside = s.setAside;
    const ours = (aside?.keys ?? [])
      .filter((k) => k.startsWith(`${s.sourceBucket}/`))
      .map((k) => k.slice(s.sourceBucket.length + 1));
    header.push([
      'set aside',
      // The reader sets aside whole segments of the account's journal: the count covers every bucket of it.
      `${plural(aside?.count ?? 0, 'journal entry', 'journal entries')} (of the account, every bucket) the vault wrote after ` +
        describeInstant(args.distrustWritesAfter) +
        (ours.length > 0
          ? `; of this bucket: ${ours.slice(0, SAMPLE_LINES).join(', ')}${ours.length > SAMPLE_LINES ? ', ...' : ''}`
          : ''),
    ]);
  }
  const table: string[][] = [
    ['write', objects(s.counts.write), formatBytes(s.bytes.write), ''],
    ...samples('write'),
    ['skip', objects(s.counts.skip), formatBytes(s.bytes.skip), 'already identical in the target'],
    ...samples('skip'),
    [
      'extraneous',
      objects(s.counts.extraneous),
      formatBytes(s.bytes.extraneous),
      `in the target, absent at that instant: ${args.removeExtraneous ? 'REMOVED (a delete marker each)' : 'kept (--remove-extraneous removes them)'}`,
    ],
    ...samples('extraneous'),
    ['absent', plural(s.counts.absentAtT, 'key'), '', 'backed up, but deleted or not yet written at that instant: not written'],
  ];
  return [
    `Plan ${plan.restoreId} on ${names.where}`,
    ...columns(header).map((l) => `  ${l}`),
    '',
    ...columns(table).map((l) => `  ${l}`),
    '',
    `  manifest: ${plan.manifest.key} in ${names.target.shown} (${plural(plan.manifest.lines, 'line')})`,
  ];
}

/** The final summary of a run. */
export function resultLines(args: RestoreArgs, result: RestoreStatusResponse, target: BucketName, elapsedMs: number): string[] {
  const p = result.progress;
  const rate = elapsedMs > 0 ? `, ${formatBytes(Math.round((p.bytesDone / elapsedMs) * 1000))}/s` : '';
  const lines = [
    `${result.state === 'succeeded' ? 'Restored' : 'Restore FAILED:'} ${p.objectsDone} of ${plural(p.objects, 'object')} ` +
      `(${formatBytes(p.bytesDone)} of ${formatBytes(p.bytes)}) into ${into(target, args.targetPrefix)} in ${formatElapsed(elapsedMs)}${rate}; ` +
      `${p.skipped} skipped (already identical or kept), ${p.removed ? `${p.removed} extraneous removed (delete markers), ` : ''}${p.failed} failed. Restore ${result.restoreId}: ${result.state}.`,
  ];
  if (result.failures.length > 0) {
    lines.push(
      `${plural(p.failed, 'object')} failed${p.failed > result.failures.length ? ` (the first ${result.failures.length})` : ''}:`,
    );
    for (const f of result.failures) lines.push(`  ${f.key}: ${f.reason}`);
    lines.push(`To retry them, ${again(args)}.`);
  }
  return lines;
}

const line = (io: CliIo, text: string) => io.out(`${text}\n`);

async function confirm(io: CliIo, question: string): Promise<boolean> {
  const answer = await io.prompt(question);
  return answer !== null && /^\s*y(es)?\s*$/i.test(answer);
}

/** Refuses (exit 2) a restore that would need a prompt when nobody can answer it: checked before anything else. */
export function assertCanConfirm(args: Pick<RestoreArgs, 'yes' | 'dryRun'>, io: Pick<CliIo, 'stdinIsTTY'>): void {
  if (!args.yes && !args.dryRun && !io.stdinIsTTY) {
    throw CliUsageError.of(
      '--yes',
      '(missing)',
      '--yes to restore without a prompt: stdin is not a terminal, so the plan cannot be confirmed (or --dry-run to only plan)',
    );
  }
}

export async function restoreCommand(args: RestoreArgs, backend: RestoreBackend, io: CliIo): Promise<number> {
  assertCanConfirm(args, io);
  const source = backend.source(args.bucket);
  const target = backend.target(args.target);
  // Echoed before anything is written; on stderr with --json, where stdout holds the one document.
  const echo = echoLine(args, source, target);
  if (args.json) io.err(`${echo}\n`);
  else line(io, echo);

  const plan = await backend.plan(planRequest(args, source, target));
  const report = (outcome: RestoreOutcome, result: RestoreStatusResponse | null, exitCode: ExitCode): RestoreReport => ({
    where: backend.where,
    source,
    target,
    asOf: instantJson(args.asOf),
    distrustWritesAfter: args.distrustWritesAfter ? instantJson(args.distrustWritesAfter) : null,
    restoreId: plan.restoreId,
    plan: { ...plan.summary, manifest: plan.manifest },
    result,
    outcome,
    exitCode,
  });
  const finish = (r: RestoreReport, lines: readonly string[]): number => {
    if (args.json) line(io, JSON.stringify(r, null, 2));
    else for (const l of lines) line(io, l);
    return r.exitCode;
  };
  if (!args.json) for (const l of ['', ...planLines(args, plan, { where: backend.where, source, target }), '']) line(io, l);

  const s = plan.summary;
  const work = s.counts.write + (args.removeExtraneous ? s.counts.extraneous : 0);
  if (args.dryRun) {
    return finish(report('dry-run', null, EXIT.ok), [
      `Dry run: nothing written to ${target.shown}'s keys. Run again without --dry-run to restore.`,
    ]);
  }
  if (work === 0) {
    return finish(report('nothing-to-do', null, EXIT.ok), [
      `Nothing to restore: ${target.shown} already holds every key as it was at ${args.asOf.iso}` +
        (s.counts.extraneous > 0 ? ` (and ${plural(s.counts.extraneous, 'extraneous object')}, kept).` : '.'),
    ]);
  }
  if (!args.yes) {
    const removal =
      args.removeExtraneous && s.counts.extraneous > 0 ? ` and remove ${plural(s.counts.extraneous, 'object')}` : '';
    const question = `Write ${plural(s.counts.write, 'object')} (${formatBytes(s.bytes.write)})${removal} into ${into(target, args.targetPrefix)} as of ${describeInstant(args.asOf)}? [y/N] `;
    if (!(await confirm(io, question))) {
      throw new AbortedError(
        `aborted: nothing restored (the plan ${plan.restoreId} stays under .strongroom/restores/ in ${target.shown}, never among its keys)`,
      );
    }
  }

  const started = io.now().getTime();
  let done = 0;
  io.onInterrupt(
    () =>
      `interrupted after ${done} of ${plural(s.counts.write, 'object')}: ` +
      (backend.where.startsWith('local') ? again(args) : `the restore ${plan.restoreId} goes on in AWS; only the watch stopped`),
  );
  const bar = progressDisplay(io.progressStream, !args.json, { objects: s.counts.write, bytes: s.bytes.write }, () =>
    io.now().getTime(),
  );
  let result: RestoreStatusResponse;
  try {
    result = await backend.start(target.actual, plan.restoreId, (progress) => {
      done = progress.objectsDone;
      bar.update(progress);
    });
  } finally {
    bar.stop();
  }
  const failed = result.state !== 'succeeded' || result.progress.failed > 0;
  return finish(
    report(failed ? 'failed' : 'succeeded', result, failed ? EXIT.restoreFailures : EXIT.ok),
    resultLines(args, result, target, io.now().getTime() - started),
  );
}
