/**
 * Row 1: backup copy of many small objects, from a primary-tenant source into the vault through the ingest
 * role, against rclone (default and tuned, download + upload between the two tenants), aws-cli (same tenant:
 * it cannot address `tenant:bucket`) and the server's write ceiling.
 */
import { createBucket, emptyBucket, fillBucket } from '../fixtures';
import { type BenchRow, type Contestant, interleaved, KIB, type RatioSpec, stats, summarize } from '../harness';
import { formatStats } from '../results';
import { awsCopy, rcloneCopy } from '../tools';
import { benchDeployment, COPIER_INVOCATIONS, expectAllCopied, runCeiling, runCopier } from './common';

const SIZE = 16 * KIB;
const IN_FLIGHT = 32;
export const TUNED_RCLONE = ['--transfers', '32', '--checkers', '32'];

export const smallCopy: BenchRow = {
  id: 1,
  title: 'Backup copy, small objects',
  defaultScale: 0.2,
  async run(ctx) {
    const started = performance.now();
    const count = ctx.scaled(5000, 100);
    const bench = await benchDeployment(ctx);
    const { source } = bench;
    const peerBucket = 'bench-peer';
    const awsBucket = 'bench-aws';
    await createBucket(bench.backup, peerBucket);
    await createBucket(bench.primary, awsBucket);
    ctx.log(`  seeding ${count} x 16 KiB for the peers`);
    await fillBucket(bench.primary, source, 'peer/', count, SIZE);
    const remotes = { src: bench.primaryAccess, dst: bench.backupAccess };
    const perSecond = (seconds: number) => count / seconds;

    // The copier's rate with every process's start and module load in it, beside the warm rate it is judged by.
    const spawnRates: Record<'server' | 'client', number[]> = { server: [], client: [] };
    const copier = (writeOnce: 'server' | 'client'): Contestant => ({
      name: `strongroom (${writeOnce} write-once)`,
      how: `${COPIER_INVOCATIONS} copier processes (one per concurrent invocation), batches of ${bench.batchSize}, CHANGES_IN_FLIGHT each, ${writeOnce === 'server' ? 'If-None-Match (AWS)' : 'owner checks the key first (RGW)'}`,
      run: async (round) => {
        // Fresh source versions every run: a vault key is written once, ever.
        const written = await fillBucket(bench.primary, source, `copier-${writeOnce}-${round}/`, count, SIZE);
        const run = await runCopier(bench, written, { writeOnce });
        expectAllCopied(run.output, count, `small copy, ${writeOnce} mode`);
        spawnRates[writeOnce].push(perSecond(run.spawnSeconds));
        return { value: perSecond(run.seconds), peakRssBytes: run.output.peakRssBytes };
      },
    });
    const rclone = (name: string, flags: readonly string[], how: string): Contestant => ({
      name,
      how,
      run: async (round) => {
        const run = await rcloneCopy(`src:${source}/peer/`, `dst:${peerBucket}/${name}-${round}/`, remotes, flags);
        await emptyBucket(bench.s3, bench.backup, peerBucket);
        return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
      },
    });
    const contestants: Contestant[] = [
      copier('server'),
      copier('client'),
      rclone('rclone default', [], 'rclone copy src: dst: (4 transfers, 8 checkers)'),
      rclone('rclone tuned', TUNED_RCLONE, `rclone copy ${TUNED_RCLONE.join(' ')}`),
      {
        name: 'aws-cli',
        how: 'aws s3 cp --recursive, same tenant (server-side CopyObject per key), default settings',
        run: async (round) => {
          const run = await awsCopy(`s3://${source}/peer/`, `s3://${awsBucket}/r${round}/`, bench.primaryAccess);
          await emptyBucket(bench.s3, bench.primary, awsBucket);
          return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
        },
      },
      {
        name: 'ceiling',
        how: `bare parallel PutObject of the same bytes from memory, ${IN_FLIGHT} in flight over ${COPIER_INVOCATIONS} processes (SDK v3)`,
        run: async (round) => {
          const run = await runCeiling(bench, peerBucket, `ceiling-${round}/`, count, SIZE, IN_FLIGHT);
          await emptyBucket(bench.s3, bench.backup, peerBucket);
          return { value: perSecond(run.seconds), peakRssBytes: run.peakRssBytes };
        },
      },
    ];
    const rounds = await interleaved(ctx, contestants);
    bench.close();
    const ratios: RatioSpec[] = [];
    for (const mode of ['server', 'client']) {
      const of = `strongroom (${mode} write-once)`;
      ratios.push(
        { label: `${mode} / rclone tuned`, of, to: 'rclone tuned', goal: 1, atLeast: true },
        { label: `${mode} / aws-cli`, of, to: 'aws-cli', goal: 2, atLeast: true },
        { label: `${mode} / ceiling`, of, to: 'ceiling', goal: 0.75, atLeast: true },
      );
    }
    return {
      id: 1,
      title: 'Backup copy, small objects',
      dataset: `${count} x 16 KiB, one versioned source in the primary tenant`,
      unit: 'objects/s',
      higherIsBetter: true,
      ...summarize(contestants, rounds, ratios),
      facts: (['server', 'client'] as const).map((mode) => [
        `strongroom (${mode} write-once), spawn to exit`,
        `${formatStats(stats(spawnRates[mode]))} objects/s with ${COPIER_INVOCATIONS} process starts and module loads in the time`,
      ]),
      notes: [
        "Peers: wall time of the whole process (a Go binary's start is milliseconds). The copier: from the first change any invocation took up to the last one done, in processes already started, as Lambda keeps containers warm between batches (a container's init, measured by row 6, is paid once per container, not per thousand objects); spawn to exit is given beside it.",
        'Peers write into a plain bucket of the backup tenant; the copier into the Object Lock vault through the ingest role (STS).',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
