import { type BenchContext, type Contestant, interleaved, stats, summarize } from '../../../bench/harness';

const ctx = (rounds: number): BenchContext => ({
  scale: 1,
  rounds,
  log: () => undefined,
  freshS3: () => Promise.reject(new Error('no server in unit tests')),
  scaled: (n) => n,
});

describe('bench harness', () => {
  it('takes the median and range of the rounds', () => {
    expect(stats([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(stats([4, 1, 2, 3])).toEqual({ median: 2.5, min: 1, max: 4, n: 4 });
    expect(() => stats([])).toThrow('stats of no values');
  });

  it('runs every contestant once per round, rotating the order each round', async () => {
    const order: string[] = [];
    const contestant = (name: string): Contestant => ({
      name,
      how: name,
      run: async (round) => {
        order.push(`${round}:${name}`);
        return { value: round };
      },
    });
    const rounds = await interleaved(ctx(3), [contestant('a'), contestant('b'), contestant('c')]);
    expect(order).toEqual(['0:a', '0:b', '0:c', '1:b', '1:c', '1:a', '2:c', '2:a', '2:b']);
    expect(rounds.samples.get('a')?.map((s) => s.value)).toEqual([0, 1, 2]);
  });

  it('computes each ratio within a round before taking its median, and judges it against the goal', async () => {
    // Round 2 is slow for both (a busy machine): per-round ratios stay 2; a ratio of medians would not.
    const values: Record<string, number[]> = { copier: [200, 20, 180], peer: [100, 10, 100] };
    const contestants = Object.keys(values).map(
      (name): Contestant => ({ name, how: name, run: async (round) => ({ value: values[name]?.[round] ?? 0, peakRssBytes: 1 }) }),
    );
    const rounds = await interleaved(ctx(3), contestants);
    const { ratios, contestants: results } = summarize(contestants, rounds, [
      { label: 'copier / peer', of: 'copier', to: 'peer', goal: 2, atLeast: true },
      { label: 'peer / copier', of: 'peer', to: 'copier', goal: 0.4, atLeast: false },
      { label: 'unmeasured', of: 'copier', to: 'absent', goal: 1, atLeast: true },
    ]);
    expect(ratios.map((r) => [r.label, r.value.median, r.value.min, r.value.max, r.met])).toEqual([
      ['copier / peer', 2, 1.8, 2, true],
      ['peer / copier', 0.5, 0.5, 0.5555555555555556, false],
    ]);
    expect(results.map((c) => [c.name, c.value.median, c.peakRssBytes?.max])).toEqual([
      ['copier', 180, 1],
      ['peer', 100, 1],
    ]);
  });
});
