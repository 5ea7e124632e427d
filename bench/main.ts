/**
 * `npm run bench [-- --scale 0.1 --rounds 1 --rows 1,2]`: starts its own local S3 (port STRONGROOM_BENCH_S3_PORT,
 * default 7640; never the demo's 7480 or the tests' 7580), runs every row of rows/index.ts, prints a table and
 * writes bench/RESULTS.md (or --out). The peers rclone and aws-cli come from Debian and are installed when
 * missing and running as root.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { type LocalS3, startLocalS3, stopLocalS3 } from '../local/local-s3';
import type { BenchContext, RowResult } from './harness';
import { describeMachine } from './machine';
import { type BenchReport, renderConsole, renderMarkdown } from './results';
import { ROWS } from './rows';
import { ensurePeers } from './tools';

const number = (what: string, min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new InvalidArgumentError(`${what}: received "${value}", expected a number in ${min}–${max}`);
  return n;
};

function benchPort(): number {
  const value = process.env.STRONGROOM_BENCH_S3_PORT ?? '7640';
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1024 || port > 55535 || port === 7480 || port === 7580) {
    throw new InvalidArgumentError(
      `STRONGROOM_BENCH_S3_PORT: received "${value}", expected a port in 1024-55535 other than 7480 (the demo's) and 7580 (the tests')`,
    );
  }
  return port;
}

async function main(): Promise<void> {
  const program = new Command('bench')
    .option(
      '--scale <n>',
      "every row's dataset as this share of the issue's (default: each row's own, to fit 15 minutes)",
      number('--scale', 0.001, 10),
    )
    .option('--rounds <n>', 'interleaved rounds per row', number('--rounds', 1, 20), 3)
    .option('--rows <ids>', 'comma-separated row ids (default: all)')
    .option('--out <file>', 'where to write the results', path.join(__dirname, 'RESULTS.md'))
    .parse();
  const opts = program.opts<{ scale?: number; rounds: number; rows?: string; out: string }>();
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const port = benchPort();
  const wanted = opts.rows ? new Set(opts.rows.split(',').map((s) => Number(s.trim()))) : undefined;
  const rows = ROWS.filter((r) => !wanted || wanted.has(r.id));
  if (wanted && rows.length !== wanted.size) {
    throw new InvalidArgumentError(`--rows: received "${opts.rows}", expected ids among ${ROWS.map((r) => r.id).join(', ')}`);
  }

  const startedAt = new Date();
  const peers = ensurePeers(log);
  let current: LocalS3 | undefined;
  const contextFor = (scale: number): BenchContext => ({
    scale,
    rounds: opts.rounds,
    log,
    scaled: (n, min = 1) => Math.max(min, Math.round(n * scale)),
    freshS3: async (options = {}) => {
      if (current) await stopLocalS3(current);
      current = await startLocalS3({ port, ...options });
      return current;
    },
  });
  const machine = describeMachine();
  const results: RowResult[] = [];
  try {
    for (const row of rows) {
      const scale = opts.scale ?? row.defaultScale;
      log(`row ${row.id}: ${row.title} (scale ${scale})`);
      results.push({ ...(await row.run(contextFor(scale))), scale });
    }
  } finally {
    if (current) await stopLocalS3(current);
  }
  const profileFile = path.join(__dirname, 'PROFILE.md');
  const report: BenchReport = {
    machine: machine.ceph === 'unknown' ? describeMachine() : machine,
    peers,
    scale: opts.scale ?? null,
    rounds: opts.rounds,
    startedAt,
    seconds: (Date.now() - startedAt.getTime()) / 1000,
    rows: results,
    profileNotes: existsSync(profileFile) ? readFileSync(profileFile, 'utf8') : '',
  };
  process.stdout.write(`${renderConsole(report)}\n`);
  writeFileSync(opts.out, renderMarkdown(report));
  log(`\nwrote ${opts.out} (${report.seconds.toFixed(0)} s)`);
}

main().catch((error: unknown) => {
  // The stack and the server's status say which request failed (an SDK UnknownError names nothing else).
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  console.error(
    error instanceof Error ? `bench: ${error.name}: ${error.message}${status ? ` (HTTP ${status})` : ''}\n${error.stack}` : error,
  );
  process.exit(1);
});
