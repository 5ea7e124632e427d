/**
 * Row 2: backup copy of large objects (8 x 256 MiB) against the same peers as row 1, each round on a fresh
 * server (the bytes live in RAM); then the peak resident memory of one copier process copying one 2 GiB
 * object, with rclone's on the same object for scale.
 */
import { createBucket, emptyBucket, uploadLarge, type Written } from '../fixtures';
import { type BenchContext, type BenchRow, type Contestant, interleaved, MIB, type RatioSpec, summarize } from '../harness';
import { awsCopy, rcloneCopy } from '../tools';
import { type BenchDeployment, benchDeployment, expectAllCopied, runCeiling, runCopier } from './common';
import { TUNED_RCLONE } from './small-copy';

const GIB = 1024 * MIB;

async function seedLarge(bench: BenchDeployment, prefix: string, count: number, size: number): Promise<Written[]> {
  const written: Written[] = [];
  for (let i = 0; i < count; i += 2) {
    const pair = [i, i + 1].filter((n) => n < count);
    written.push(...(await Promise.all(pair.map((n) => uploadLarge(bench.primary, bench.source, `${prefix}${n}.bin`, size)))));
  }
  return written;
}

/** One copier process, one invocation, one object: its peak VmHWM (and rclone's on the same object). */
async function peakMemory(ctx: BenchContext, size: number) {
  const bench = await benchDeployment(ctx, size * 2 + 2 * GIB);
  const [object] = await seedLarge(bench, 'one/', 1, size);
  const copier = await runCopier(bench, [object as Written], { writeOnce: 'server', invocations: 1 });
  expectAllCopied(copier.output, 1, 'one large object');
  await createBucket(bench.backup, 'bench-peer');
  const rclone = await rcloneCopy(
    `src:${bench.source}/one/`,
    'dst:bench-peer/one/',
    { src: bench.primaryAccess, dst: bench.backupAccess },
    TUNED_RCLONE,
  );
  bench.close();
  return { copier: copier.output, copierSeconds: copier.seconds, rclone };
}

export const largeCopy: BenchRow = {
  id: 2,
  title: 'Backup copy, large objects',
  defaultScale: 0.25,
  async run(ctx) {
    const started = performance.now();
    const count = 8;
    // Above 16 MiB at any scale: these go through the multipart path.
    const size = Math.max(24 * MIB, Math.round((256 * MIB * ctx.scale) / MIB) * MIB);
    const total = (count * size) / MIB;
    let bench: BenchDeployment | undefined;
    let written: Written[] = [];
    const peerBucket = 'bench-peer';
    const awsBucket = 'bench-aws';
    const current = () => bench as BenchDeployment;
    const perSecond = (seconds: number) => total / seconds;
    const rclone = (name: string, flags: readonly string[], how: string): Contestant => ({
      name,
      how,
      run: async () => {
        const b = current();
        const run = await rcloneCopy(
          `src:${b.source}/large/`,
          `dst:${peerBucket}/${name}/`,
          { src: b.primaryAccess, dst: b.backupAccess },
          flags,
        );
        await emptyBucket(b.s3, b.backup, peerBucket);
        return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
      },
    });
    const contestants: Contestant[] = [
      {
        name: 'strongroom',
        how: 'copier process, one invocation of 8 changes (CHANGES_IN_FLIGHT 8), server write-once; one read streamed into a multipart upload',
        run: async () => {
          const run = await runCopier(current(), written, { writeOnce: 'server', invocations: 1, batchSize: count });
          expectAllCopied(run.output, count, 'large copy');
          return { value: perSecond(run.seconds), peakRssBytes: run.output.peakRssBytes };
        },
      },
      rclone('rclone default', [], 'rclone copy (4 transfers, 5 MiB chunks, 4 chunks in flight per file)'),
      rclone('rclone tuned', TUNED_RCLONE, `rclone copy ${TUNED_RCLONE.join(' ')}`),
      {
        name: 'aws-cli',
        how: 'aws s3 cp --recursive, same tenant (server-side multipart copy)',
        run: async () => {
          const b = current();
          const run = await awsCopy(`s3://${b.source}/large/`, `s3://${awsBucket}/large/`, b.primaryAccess);
          await emptyBucket(b.s3, b.primary, awsBucket);
          return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
        },
      },
      {
        name: 'ceiling',
        how: `bare parallel single-request PutObject of ${size / MIB} MiB from memory, ${count} in flight`,
        run: async () => {
          const b = current();
          const run = await runCeiling(b, peerBucket, 'ceiling/', count, size, count);
          await emptyBucket(b.s3, b.backup, peerBucket);
          return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
        },
      },
    ];
    const rounds = await interleaved(ctx, contestants, {
      beforeRound: async () => {
        bench?.close();
        // Source, one vault copy and one peer copy at a time, plus what the garbage collector has not freed yet.
        bench = await benchDeployment(ctx, 4 * count * size + GIB);
        await createBucket(bench.backup, peerBucket);
        await createBucket(bench.primary, awsBucket);
        ctx.log(`  seeding ${count} x ${size / MIB} MiB`);
        written = await seedLarge(bench, 'large/', count, size);
      },
    });
    bench?.close();
    const ratios: RatioSpec[] = [
      { label: 'strongroom / rclone tuned', of: 'strongroom', to: 'rclone tuned', goal: 1, atLeast: true },
      { label: 'strongroom / aws-cli', of: 'strongroom', to: 'aws-cli', goal: 2, atLeast: true },
      { label: 'strongroom / ceiling', of: 'strongroom', to: 'ceiling', goal: 0.75, atLeast: true },
    ];
    // The memory goal names a 2 GiB object: kept whole from a quarter of the sizes up.
    const bigSize = Math.max(64 * MIB, Math.round((2 * GIB * Math.min(1, ctx.scale * 4)) / MIB) * MIB);
    ctx.log(`  peak memory: one copier process, one ${bigSize / MIB} MiB object`);
    const peak = await peakMemory(ctx, bigSize);
    const peakMiB = peak.copier.peakRssBytes / MIB;
    return {
      id: 2,
      title: 'Backup copy, large objects',
      dataset: `${count} x ${size / MIB} MiB; then one ${bigSize / MIB} MiB object`,
      unit: 'MiB/s',
      higherIsBetter: true,
      ...summarize(contestants, rounds, ratios),
      facts: [
        [
          `one ${bigSize / MIB} MiB object, one copier process`,
          `peak VmHWM ${peakMiB.toFixed(0)} MiB (${(peak.copier.startRssBytes / MIB).toFixed(0)} MiB before the copy), ${(bigSize / MIB / peak.copierSeconds).toFixed(0)} MiB/s — goal ≤ 128 MiB ${peakMiB <= 128 ? 'met' : '**missed**'}`,
        ],
        [
          `the same object, rclone tuned`,
          `peak VmHWM ${(peak.rclone.peakRssBytes / MIB).toFixed(0)} MiB, ${(bigSize / MIB / peak.rclone.seconds).toFixed(0)} MiB/s`,
        ],
      ],
      notes: [
        'Each round runs on a fresh local S3 (data in RAM): every contestant reads the same 8 source objects.',
        'Peers: wall time of their process. The copier: from the first change taken up to the last one done, in a process already started (a warm container; its init is row 6).',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
