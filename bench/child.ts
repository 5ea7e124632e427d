/**
 * Child processes for the benchmark: every Strongroom contestant runs in a Node process of its own, bundled
 * by esbuild as the Lambda functions are (minified, node22, CommonJS), so the CPU and memory measured are the
 * product's and not a TypeScript loader's. Input goes through a file (thousands of queued records do not fit
 * in one argv string); the child answers with one JSON line on stdout. BENCH_CPU_PROF=<dir> runs every child
 * under `node --cpu-prof`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { PeakMemory } from './tools';

const workDir = mkdtempSync(path.join(tmpdir(), 'strongroom-bench-'));
const bundles = new Map<string, Promise<string>>();

/** The esbuild options of lib/constructs/strongroom-function.ts (NodejsFunction's bundling), for one entry. */
export function lambdaBundleOptions(entry: string, outfile: string) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node' as const,
    target: 'node22',
    format: 'cjs' as const,
    logLevel: 'error' as const,
  };
}

function bundled(entry: string): Promise<string> {
  let known = bundles.get(entry);
  if (!known) {
    const outfile = path.join(workDir, `${path.basename(entry, '.ts')}.js`);
    // Profiles name functions: a profiled child is bundled unminified.
    known = build({ ...lambdaBundleOptions(entry, outfile), sourcemap: true, minify: !process.env.BENCH_CPU_PROF }).then(
      () => outfile,
    );
    bundles.set(entry, known);
  }
  return known;
}

export interface ChildRun<T> {
  readonly output: T;
  readonly seconds: number;
  /** VmHWM of the child as last sampled (the child reports its own, exact, where it can). */
  readonly peakRssBytes: number;
}

export class ChildFailedError extends Error {
  public override readonly name = 'ChildFailedError';
}

let runs = 0;

/** Run `children/<name>.ts` on `input`; resolves with its JSON answer, its wall time and its peak memory. */
export async function runChild<T>(name: string, input: unknown): Promise<ChildRun<T>> {
  const script = await bundled(path.join(__dirname, 'children', `${name}.ts`));
  const inputFile = path.join(workDir, `input-${++runs}.json`);
  writeFileSync(inputFile, JSON.stringify(input), { mode: 0o600 });
  const profile = process.env.BENCH_CPU_PROF;
  const args = [...(profile ? ['--cpu-prof', '--cpu-prof-dir', profile] : []), '--enable-source-maps', script, inputFile];
  const started = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  const memory = new PeakMemory(child.pid);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const seconds = (performance.now() - started) / 1000;
  memory.stop();
  if (code !== 0) throw new ChildFailedError(`bench child ${name} exited ${code}: ${stderr.trim().slice(-2000)}`);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return { output: JSON.parse(last) as T, seconds, peakRssBytes: memory.peak };
}
