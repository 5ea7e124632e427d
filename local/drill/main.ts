/**
 * npm run drill [-- --json] [--keep] [--port <n>] [--config <file>] [--concurrency <n>]
 *
 * The live attack drill on the local two-account S3: starts it (or reuses the one running on the port),
 * provisions a vault from the config, backs up a small source with the real copier, seals the journal, files a
 * report, then runs every attempt of the catalogue (local/drill/catalogue.ts) between two inventories of every
 * vault version with its SHA-256. Prints a table of principal, attempt, expected and actual outcome, and a
 * one-line summary; exits 0 only if every attempt held and nothing was lost or changed.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import path from 'node:path';
import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import { initialState } from '../demo/demo-steps';
import { localS3Lifecycle } from '../demo/lifecycle';
import { parseArgs as parseDemoArgs, UsageError } from '../demo/main';
import { consoleOutput, type Output, runSteps, table } from '../demo/steps';
import { describeError } from '../outcome';
import { assertProvisionable } from '../provision';
import { PRINCIPALS } from './catalogue';
import { type DrillReport, runDrill, summaryLine, tableRows } from './run-drill';
import { SETUP_STEPS } from './seed-steps';

const USAGE = `usage: npm run drill -- [--json] [--keep] [--port <n>] [--config <file>] [--concurrency <n>]
  --json             print the results as one JSON document on stdout (progress goes to stderr)
  --keep             leave the local S3 running afterwards, and print where the deployment's file is
  --port <n>         port of the local S3 (default 7480); one already running there is reused and left running
  --config <file>    provision from this config (one primary account); default config/strongroom.local.json
  --concurrency <n>  attempts in flight at once, 1-64 (default 8)`;

export interface DrillArgs {
  readonly configFile: string;
  readonly keep: boolean;
  readonly port: number;
  readonly json: boolean;
  readonly concurrency: number;
}

/** The drill's own flags, then the demo's (--config, --keep, --port) with the demo's checks. */
export function parseDrillArgs(argv: readonly string[]): DrillArgs | 'help' {
  let json = false;
  let concurrency = 8;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--json') json = true;
    else if (arg === '--concurrency') {
      const text = argv[++i];
      if (text === undefined) throw new UsageError('--concurrency needs a value');
      concurrency = Number(text);
      if (!/^\d+$/.test(text) || concurrency < 1 || concurrency > 64)
        throw new UsageError(`--concurrency must be a whole number in 1-64, got '${text}'`);
    } else rest.push(arg);
  }
  const demo = parseDemoArgs(rest);
  return demo === 'help' ? 'help' : { ...demo, json, concurrency };
}

/** The table and the totals, for people. */
export function reportLines(r: DrillReport): string[] {
  const c = r.comparison;
  const lines = table(['principal', 'attempt', 'expected', 'actual', 'held'], tableRows(r.results));
  const failed = r.results.filter((x) => !x.held);
  lines.push('');
  for (const f of failed)
    lines.push(`FAILED: ${PRINCIPALS[f.principal].label}: ${f.attempt}: expected ${f.expected}, got ${f.actual}`);
  for (const v of c.lost) lines.push(`LOST: ${v.key} version ${v.versionId}`);
  for (const v of c.changed) lines.push(`CHANGED: ${v.before.key} version ${v.before.versionId}`);
  for (const v of c.unexplained) lines.push(`ADDED BY NO EXPECTED ATTEMPT: ${v.key} version ${v.versionId}`);
  for (const v of c.missing) lines.push(`REPORTED ADDED, NOT IN THE VAULT: ${v.key} version ${v.versionId}`);
  lines.push(summaryLine(r));
  return lines;
}

/** The results as one JSON document (no object contents, no credentials). */
export function reportJson(r: DrillReport): string {
  const c = r.comparison;
  return JSON.stringify(
    {
      ok: r.ok,
      deployment: r.deployment,
      attempts: r.results.length,
      principals: r.principals,
      held: r.results.filter((x) => x.held).length,
      failed: r.results.filter((x) => !x.held).length,
      vault: {
        before: r.before,
        after: r.after,
        lost: c.lost,
        changed: c.changed.map((x) => x.before),
        added: c.added.map(({ key, versionId }) => ({ key, versionId })),
        unexplained: c.unexplained,
        deleteMarkersAdded: c.deleteMarkersAdded,
      },
      seconds: Number((r.ms / 1000).toFixed(1)),
      results: r.results,
    },
    null,
    2,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let args: DrillArgs | 'help';
  try {
    args = parseDrillArgs(argv);
    if (args === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
  } catch (err: unknown) {
    console.error(err instanceof UsageError ? err.message : describeError(err));
    return 2;
  }
  // with --json, stdout carries the document alone
  const output: Output = consoleOutput(args.json ? process.stderr : process.stdout);
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(args.configFile);
    assertProvisionable(config);
  } catch (err: unknown) {
    console.error(err instanceof ConfigError ? err.message : describeError(err));
    return 2;
  }
  const state = initialState({
    configFile: path.relative(process.cwd(), args.configFile) || args.configFile,
    config,
    port: args.port,
    label: 'drill',
  });
  output.line('Strongroom attack drill: every principal against every destructive or forging action, live on the local S3');
  output.line('');
  const lifecycle = localS3Lifecycle(state, args.keep, output, 'the drill');
  let report: DrillReport | undefined;
  let failure: string | undefined;
  const setup = await runSteps(SETUP_STEPS, state, output);
  if (lifecycle.interrupted()) return 130;
  if (!setup.ok) failure = 'the setup failed: no attempt was made';
  else if (state.deployment) {
    output.line('');
    try {
      report = await runDrill(state.deployment, { concurrency: args.concurrency });
    } catch (err: unknown) {
      failure = `the drill could not run: ${describeError(err)}`;
    }
  }
  if (lifecycle.interrupted()) return 130;
  let stopped = { ms: 0, lines: [] as string[] };
  try {
    stopped = await lifecycle.stop();
  } catch (err: unknown) {
    failure ??= `could not stop the local S3: ${describeError(err)}`;
  }
  if (report) {
    if (args.json) process.stdout.write(`${reportJson(report)}\n`);
    else for (const line of reportLines(report)) output.line(line);
  }
  for (const line of stopped.lines) output.line(line);
  if (failure) output.line(failure);
  return report?.ok && !failure ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`drill failed unexpectedly: ${describeError(err)}`);
      process.exitCode = 1;
    },
  );
}
