/**
 * What a benchmark row is, and how its runs are taken: every contestant of a row runs once per round, the
 * order rotating from round to round (so no tool always runs first on a cold server or last on a tired one),
 * and every ratio is computed within a round — contestant and peer measured minutes apart on the same server
 * — before its median and range are taken over the rounds. Rows are modules registered in rows/index.ts.
 */
import type { LocalS3 } from '../local/local-s3';

export interface BenchOptions {
  /** Multiplies the row's dataset (object counts; sizes of the large objects). 1 = the sizes the issue names. */
  readonly scale: number;
  /** Rounds per row (at least 3 for a real result). */
  readonly rounds: number;
}

export interface BenchContext extends BenchOptions {
  readonly log: (line: string) => void;
  /** A fresh local S3 (the previous one stopped): data in RAM, nothing left from an earlier scenario. */
  readonly freshS3: (options?: { readonly memstoreBytes?: number }) => Promise<LocalS3>;
  /** `n` scaled, at least `min`. */
  readonly scaled: (n: number, min?: number) => number;
}

/** One measurement of one contestant in one round. */
export interface Sample {
  /** The row's figure of merit (objects/s, MiB/s, ms, ...). */
  readonly value: number;
  readonly peakRssBytes?: number;
}

export interface Contestant {
  readonly name: string;
  /** What it is, for the results' legend (command line, settings). */
  readonly how: string;
  readonly run: (round: number) => Promise<Sample>;
}

/** A ratio of one contestant's figure to another's (or to a fixed number), with the goal. */
export interface RatioSpec {
  readonly label: string;
  readonly of: string;
  readonly to: string;
  /** The goal, as a ratio the measured one must reach (≥ when `atLeast`, else ≤). */
  readonly goal: number;
  readonly atLeast: boolean;
}

export interface Stats {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

export interface ContestantResult {
  readonly name: string;
  readonly how: string;
  readonly value: Stats;
  readonly peakRssBytes: Stats | null;
}

export interface RatioResult extends RatioSpec {
  readonly value: Stats;
  readonly met: boolean;
}

export interface RowResult {
  readonly id: number;
  /** The share of the dataset this row ran (set by the runner). */
  readonly scale?: number;
  readonly title: string;
  readonly dataset: string;
  readonly unit: string;
  /** True when a larger value is better (throughput), false when smaller is (time, bytes). */
  readonly higherIsBetter: boolean;
  readonly contestants: readonly ContestantResult[];
  readonly ratios: readonly RatioResult[];
  /** Further measured facts, as label → text (already formatted). */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  readonly notes: readonly string[];
  readonly seconds: number;
}

export interface BenchRow {
  readonly id: number;
  readonly title: string;
  /**
   * The share of the dataset a default run takes: what lets the whole run fit in 15 minutes on two
   * cores shared with the server (`--scale 1` runs the sizes everywhere).
   */
  readonly defaultScale: number;
  run(ctx: BenchContext): Promise<RowResult>;
}

export function stats(values: readonly number[]): Stats {
  if (values.length === 0) throw new Error('stats of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { median, min: sorted[0] as number, max: sorted.at(-1) as number, n: sorted.length };
}

export interface Rounds {
  /** Samples by contestant name, in round order. */
  readonly samples: ReadonlyMap<string, readonly Sample[]>;
}

/**
 * Run every contestant `rounds` times, interleaved: round r runs them in an order rotated by r. `between`
 * runs after each contestant (to free what it wrote, say); `beforeRound` before each round.
 */
export async function interleaved(
  ctx: BenchContext,
  contestants: readonly Contestant[],
  hooks: { readonly beforeRound?: (round: number) => Promise<void>; readonly between?: () => Promise<void> } = {},
): Promise<Rounds> {
  // BENCH_CONTESTANTS=<regex> runs only the contestants it matches (to profile one, say); their ratios drop out.
  const only = process.env.BENCH_CONTESTANTS ? new RegExp(process.env.BENCH_CONTESTANTS) : undefined;
  const chosen = contestants.filter((c) => !only || only.test(c.name));
  const samples = new Map<string, Sample[]>(chosen.map((c) => [c.name, []]));
  for (let round = 0; round < ctx.rounds; round++) {
    await hooks.beforeRound?.(round);
    for (let i = 0; i < chosen.length; i++) {
      const contestant = chosen[(i + round) % chosen.length] as Contestant;
      const sample = await contestant.run(round);
      samples.get(contestant.name)?.push(sample);
      ctx.log(`  round ${round + 1}/${ctx.rounds} ${contestant.name}: ${sample.value.toFixed(1)}`);
      await hooks.between?.();
    }
  }
  return { samples };
}

/** The row's contestant results and ratios (each ratio per round, then over rounds). */
export function summarize(
  contestants: readonly Contestant[],
  rounds: Rounds,
  ratios: readonly RatioSpec[],
  fixed: Readonly<Record<string, readonly number[]>> = {},
): { contestants: ContestantResult[]; ratios: RatioResult[] } {
  const valuesOf = (name: string): readonly number[] => {
    const given = fixed[name];
    if (given) return given;
    const samples = rounds.samples.get(name);
    if (!samples) throw new Error(`no contestant named ${name}`);
    return samples.map((s) => s.value);
  };
  const measured = (name: string) => rounds.samples.has(name) || name in fixed;
  return {
    contestants: contestants
      .filter((c) => rounds.samples.has(c.name))
      .map((c) => {
        const samples = rounds.samples.get(c.name) ?? [];
        const peaks = samples.flatMap((s) => (s.peakRssBytes === undefined ? [] : [s.peakRssBytes]));
        return {
          name: c.name,
          how: c.how,
          value: stats(samples.map((s) => s.value)),
          peakRssBytes: peaks.length ? stats(peaks) : null,
        };
      }),
    ratios: ratios
      .filter((spec) => measured(spec.of) && measured(spec.to))
      .map((spec) => {
        const of = valuesOf(spec.of);
        const to = valuesOf(spec.to);
        const perRound = of.map((v, i) => v / (to[Math.min(i, to.length - 1)] as number));
        const value = stats(perRound);
        return { ...spec, value, met: spec.atLeast ? value.median >= spec.goal : value.median <= spec.goal };
      }),
  };
}

export const MIB = 1024 * 1024;
export const KIB = 1024;
