/**
 * npx tsx local/demo/main.ts [--config <file>] [--keep] [--port <n>]
 *
 * Replays the Code Spaces attack against a Strongroom vault on a local two-account S3 and shows that every
 * protection holds: nothing backed up is lost; then the responder's `strongroom restore` brings the bucket back as
 * it was just before the attack. Exit code 0 only if every protection held and every key came back unchanged.
 *   --config <file>  provision from this config (one primary account); default config/strongroom.local.json
 *   --keep           leave the local S3 running afterwards (to look around), with the deployment saved in a file
 *                    (local/deployment-file.ts) whose path it prints; it is stopped otherwise
 *   --port <n>       port of the local S3 (default 7480); a local S3 already running there is reused and left running
 */
import path from 'node:path';

// The demo's output is for people: the SDK's notice about a future Node requirement (on Node 20) says
// nothing about this run. Its own switch turns it off; an explicit setting wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

import { ConfigError } from '../../lib/config/errors';
import { loadConfig } from '../../lib/config/load';
import type { StrongroomConfig } from '../../lib/config/schema';
import { DEFAULT_LOCAL_S3_PORT } from '../local-s3';
import { describeError } from '../outcome';
import { assertProvisionable } from '../provision';
import { DEMO_STEPS, type DemoState, initialState, restoredLine } from './demo-steps';
import { localS3Lifecycle } from './lifecycle';
import { consoleOutput, mark, type Output, type RunReport, runSteps, seconds, table } from './steps';

export const DEFAULT_CONFIG_FILE = path.resolve(__dirname, '..', '..', 'config', 'strongroom.local.json');
const DEFAULT_PORT = DEFAULT_LOCAL_S3_PORT;

export { leftRunningLines } from './lifecycle';

interface Args {
  readonly configFile: string;
  readonly keep: boolean;
  readonly port: number;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: readonly string[]): Args | 'help' {
  let configFile = DEFAULT_CONFIG_FILE;
  let keep = false;
  let port = DEFAULT_PORT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--help' || arg === '-h') return 'help';
    else if (arg === '--keep') keep = true;
    else if (arg === '--config') configFile = path.resolve(value());
    else if (arg === '--port') {
      const text = value();
      port = Number(text);
      if (!/^\d+$/.test(text) || port < 1024 || port > 55535)
        throw new UsageError(`--port must be a port in 1024-55535, got '${text}'`);
    } else throw new UsageError(`unknown argument '${arg}' (try --help)`);
  }
  return { configFile, keep, port };
}

const USAGE = `usage: npx tsx local/demo/main.ts [--config <file>] [--keep] [--port <n>]
  --config <file>  provision from this config (one primary account); default config/strongroom.local.json
  --keep           leave the local S3 running afterwards, and print where the deployment's file is
  --port <n>       port of the local S3 (default ${DEFAULT_PORT}); one already running there is reused and left running`;

/** The summary: the attack's table, the vault's count, the time per phase; the verdict lines come last (closingLines). */
function printSummary(output: Output, report: RunReport, state: DemoState, stopMs: number): void {
  const attempts = report.results.filter((r) => r.name !== 'restore').flatMap((r) => r.recorded);
  if (attempts.length > 0) {
    output.line('');
    output.line('Summary of the attack');
    for (const line of table(
      [' ', 'who', 'attempted', 'expected', 'outcome'],
      attempts.map((a) => [mark(output, a.held), a.actor, a.action, a.expected, a.outcome]),
    )) {
      output.line(`  ${line}`);
    }
  }
  const c = state.comparison;
  if (c) {
    output.line('');
    output.line(
      `Vault: ${c.intact.length + c.lost.length + c.changed.length} versions before the attack; after it ${c.intact.length} intact, ` +
        `${c.changed.length} changed, ${c.lost.length} lost` +
        (c.added.length > 0
          ? `; ${c.added.length} added by the stolen ingest credentials (AWS refuses that write: DenyOverwritesExceptBreakGlass, proven in test/policy)`
          : ''),
    );
  }
  // time per phase, in the order the steps ran (the two snapshots and the two attacks counted together)
  const phases = new Map<string, number>();
  const phaseOf = (step: string) => (step.startsWith('snapshot-') ? 'snapshots' : step.startsWith('attack-') ? 'attacks' : step);
  for (const r of report.results) phases.set(phaseOf(r.name), (phases.get(phaseOf(r.name)) ?? 0) + r.ms);
  if (stopMs > 0) phases.set('stop', stopMs);
  const parts = [...phases].map(([phase, ms]) => `${phase} ${seconds(ms)}`);
  output.line(`Time: ${parts.join(' · ')} · total ${seconds(report.ms + stopMs)}`);
}

/** The verdict, last: did every protection hold, and (the very last line) what the restore brought back. */
export function closingLines(output: Output, report: RunReport, state: DemoState): string[] {
  const failed = report.results.flatMap((r) => r.recorded).filter((a) => !a.held);
  const lost = state.comparison?.lost.length ?? 0;
  const lines: string[] = [];
  if (report.ok) {
    lines.push(`${mark(output, true)} RESULT: every protection held — ${lost} versions lost.`);
  } else if (report.skipped.length > 0 || report.results.some((r) => r.error !== undefined)) {
    const broken = report.results.find((r) => r.error !== undefined);
    lines.push(`${mark(output, false)} RESULT: the demo could not finish: step '${broken?.name}' ${broken?.outcome}`);
  } else {
    lines.push(
      `${mark(output, false)} RESULT: ${failed.length} check(s) did NOT hold: ${failed.map((a) => `${a.actor}: ${a.action}`).join('; ')}`,
    );
  }
  const r = state.restored;
  if (r) lines.push(`${mark(output, r.differ === 0)} RESTORED: ${restoredLine(r)}.`);
  return lines;
}

async function main(argv: readonly string[]): Promise<number> {
  const output = consoleOutput();
  let args: Args | 'help';
  let config: StrongroomConfig;
  try {
    args = parseArgs(argv);
    if (args === 'help') {
      output.line(USAGE);
      return 0;
    }
    config = loadConfig(args.configFile);
    assertProvisionable(config);
  } catch (err: unknown) {
    console.error(err instanceof UsageError || err instanceof ConfigError ? err.message : describeError(err));
    return 2;
  }

  const keep = args.keep;
  const state = initialState({
    configFile: path.relative(process.cwd(), args.configFile) || args.configFile,
    config,
    port: args.port,
  });
  output.line(`Strongroom demo: the Code Spaces attack against a vault on a local two-account S3 (Ceph RGW)`);
  output.line('');
  const lifecycle = localS3Lifecycle(state, keep, output);

  const report = await runSteps(DEMO_STEPS, state, output);
  if (lifecycle.interrupted()) return 130;
  let stopped = { ms: 0, lines: [] as string[] };
  let stopFailed = false;
  try {
    stopped = await lifecycle.stop();
  } catch (err: unknown) {
    stopFailed = true;
    stopped.lines.push(`Could not stop the local S3: ${describeError(err)}`);
  }
  printSummary(output, report, state, stopped.ms);
  for (const line of stopped.lines) output.line(line);
  output.line('');
  for (const line of closingLines(output, report, state)) output.line(line);
  return report.ok && !stopFailed ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(`demo failed unexpectedly: ${describeError(err)}`);
      process.exitCode = 1;
    },
  );
}
