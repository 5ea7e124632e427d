/**
 * Row 6: each Lambda function's bundle, built with the stack's own bundling options (LAMBDA_BUNDLING), its
 * minified size, the packages that make it up, and its module init time: `require` of the bundle in a fresh
 * Node process, the median of several processes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLING } from '../../lib/constructs/strongroom-function';
import { PRIMARY_ROLE_KINDS } from '../../lib/policy/primary-roles';
import { type BenchRow, type Contestant, interleaved, MIB, stats, summarize } from '../harness';
import { formatStats } from '../results';

const HANDLERS = path.resolve(__dirname, '..', '..', 'lambda', 'handlers');

/** The largest packages of a bundle, by bytes in the output. */
function topPackages(metafile: Metafile, count: number): string {
  const bytes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [file, input] of Object.entries(output.inputs)) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? file.split('/').slice(0, 2).join('/');
      bytes.set(pkg, (bytes.get(pkg) ?? 0) + input.bytesInOutput);
    }
  }
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([pkg, n]) => `${pkg} ${(n / 1024).toFixed(0)} KiB`)
    .join(', ');
}

function initMs(bundle: string): number {
  const script = `const t=performance.now();require(${JSON.stringify(bundle)});process.stdout.write(String(performance.now()-t))`;
  return Number(
    execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } }),
  );
}

export const packaging: BenchRow = {
  id: 6,
  title: 'Lambda packaging',
  defaultScale: 1,
  async run(ctx) {
    const started = performance.now();
    const dir = mkdtempSync(path.join(tmpdir(), 'strongroom-bundles-'));
    const facts: Array<readonly [string, string]> = [];
    const sizes: Record<string, number[]> = {};
    const contestants: Contestant[] = [];
    for (const kind of PRIMARY_ROLE_KINDS) {
      const outfile = path.join(dir, kind, 'index.js');
      const built = await build({
        entryPoints: [path.join(HANDLERS, `${kind}.ts`)],
        outfile,
        bundle: true,
        platform: 'node',
        minify: LAMBDA_BUNDLING.minify,
        sourcemap: LAMBDA_BUNDLING.sourceMap,
        sourcesContent: LAMBDA_BUNDLING.sourcesContent,
        target: LAMBDA_BUNDLING.target,
        format: 'cjs',
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        metafile: true,
        logLevel: 'error',
      });
      const bytes = statSync(outfile).size;
      sizes[`${kind} bundle`] = [bytes];
      facts.push([`${kind} bundle`, `${(bytes / MIB).toFixed(2)} MiB minified (${topPackages(built.metafile, 5)})`]);
      // Init times of one bundle vary with the machine's load: several fresh processes per round.
      contestants.push({
        name: `${kind} init`,
        how: `require() of the ${(bytes / MIB).toFixed(2)} MiB bundle in a fresh node process, median of 5 per round`,
        run: async () => ({ value: stats(Array.from({ length: 5 }, () => initMs(outfile))).median }),
      });
    }
    const rounds = await interleaved(ctx, contestants);
    const summary = summarize(contestants, rounds, []);
    for (const kind of PRIMARY_ROLE_KINDS) {
      const bytes = sizes[`${kind} bundle`]?.[0] ?? 0;
      const init = summary.contestants.find((c) => c.name === `${kind} init`)?.value;
      facts.push([
        `${kind} goals`,
        `${bytes <= MIB ? 'met' : '**missed**'}: ${(bytes / MIB).toFixed(2)} MiB ≤ 1 MiB; ${init && init.median <= 150 ? 'met' : '**missed**'}: init ${init ? formatStats(init) : '?'} ms ≤ 150 ms`,
      ]);
    }
    return {
      id: 6,
      title: 'Lambda packaging',
      dataset: `the ${PRIMARY_ROLE_KINDS.length} handlers, bundled with lib/constructs/strongroom-function.ts LAMBDA_BUNDLING`,
      unit: 'init ms (lower is better)',
      higherIsBetter: false,
      contestants: summary.contestants,
      ratios: [],
      facts,
      notes: ['Bundle sizes are of index.js alone (the source map is a separate file Lambda does not load unless asked).'],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
