/**
 * Row 3: point-in-time restore. A prefix of keys with 5 versions each, some deleted before T, backed up by the
 * copier and sealed; restored as of T (between versions 3 and 4) into a fresh prefix of the restore target by
 * Strongroom, and by `rclone copy --s3-version-at T` from the versioned source. Both results are compared with
 * the source's state at T, key by key (ETag = MD5 of the bytes; every key absent at T absent).
 */
import { createHash, randomBytes } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { RESTORE_OBJECTS_IN_FLIGHT } from '../../lambda/core/restore-execute';
import { forEachLimited } from '../../lambda/core/streams';
import { runChild } from '../child';
import type { RestoreChildInput } from '../children/restore';
import type { Written } from '../fixtures';
import { type BenchRow, type Contestant, interleaved, KIB, stats, summarize } from '../harness';
import { formatStats } from '../results';
import { rcloneCopy } from '../tools';
import { type BenchDeployment, benchDeployment, expectAllCopied, nextSecond, runCopier, sealNow, vaultSessions } from './common';
import { TUNED_RCLONE } from './small-copy';

const SIZE = 4 * KIB;
const VERSIONS = 5;
const PREFIX = 'pit/';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

interface History {
  /** Every change, in order, as the copier gets them. */
  readonly bodies: string[];
  /** Expected state at T: key -> MD5 of its bytes; keys absent at T are missing. */
  readonly atT: Map<string, string>;
  readonly asOf: string;
  readonly keys: number;
  readonly versions: number;
}

/** Versions 1-2 of every key; a delete marker on every tenth; version 3 of the rest; T; versions 4-5 of all. */
async function writeHistory(bench: BenchDeployment, keys: number): Promise<History> {
  const { primary, source, events } = bench;
  const bodies: string[] = [];
  const atT = new Map<string, string>();
  const key = (i: number) => `${PREFIX}${String(i).padStart(6, '0')}.bin`;
  let versions = 0;
  const putAll = async (which: (i: number) => boolean, recordAtT: boolean) => {
    const made: Written[] = [];
    await forEachLimited(Array.from({ length: keys }, (_, i) => i).filter(which), 32, async (i) => {
      const body = randomBytes(SIZE);
      const put = await primary.send(new PutObjectCommand({ Bucket: source, Key: key(i), Body: body, ContentLength: SIZE }));
      made.push({ key: key(i), size: SIZE, versionId: put.VersionId as string, etag: put.ETag as string });
      if (recordAtT) atT.set(key(i), md5(body));
    });
    versions += made.length;
    for (const w of made) bodies.push(events.created(source, w));
  };
  await putAll(() => true, false);
  await putAll(() => true, false);
  const deleted = Array.from({ length: keys }, (_, i) => i).filter((i) => i % 10 === 0);
  await forEachLimited(deleted, 32, async (i) => {
    const gone = await primary.send(new DeleteObjectCommand({ Bucket: source, Key: key(i) }));
    bodies.push(events.deleted(source, { key: key(i), versionId: gone.VersionId as string, deleteMarker: true }));
  });
  await putAll((i) => i % 10 !== 0, true);
  await nextSecond();
  const asOf = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  await nextSecond();
  await putAll(() => true, false);
  await putAll(() => true, false);
  return { bodies, atT, asOf, keys, versions };
}

/** Every key under `prefix` of `bucket` (its ETag), compared with the state at T: the differences, as text. */
async function compareWithT(s3: S3Client, bucket: string, prefix: string, atT: ReadonlyMap<string, string>): Promise<string[]> {
  const found = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of page.Contents ?? []) found.set((o.Key as string).slice(prefix.length), (o.ETag ?? '').replace(/"/g, ''));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  const problems: string[] = [];
  for (const [k, etag] of atT) if (found.get(k) !== etag) problems.push(`${k}: ${found.get(k) ?? 'absent'}, expected ${etag}`);
  for (const k of found.keys()) if (!atT.has(k)) problems.push(`${k}: present, absent at T`);
  return problems;
}

export const pitRestore: BenchRow = {
  id: 3,
  title: 'Point-in-time restore',
  defaultScale: 0.1,
  async run(ctx) {
    const started = performance.now();
    const keys = ctx.scaled(10_000, 50);
    const bench = await benchDeployment(ctx);
    ctx.log(`  writing the history: ${keys} keys x ${VERSIONS} versions, every tenth deleted before T`);
    const history = await writeHistory(bench, keys);
    ctx.log(`  backing up ${history.bodies.length} changes with the copier, then sealing`);
    const copied = await runCopier(bench, [], { writeOnce: 'server', batchSize: 100, bodies: history.bodies });
    expectAllCopied(copied.output, history.bodies.length, 'the history backup');
    const sessions = await vaultSessions(bench);
    await sealNow(bench, sessions, 'the history');
    sessions.close();

    const target = bench.deployment.primary.restoreTargets[0]?.name as string;
    const expected = history.atT.size;
    const checked = async (prefix: string, who: string) => {
      const problems = await compareWithT(bench.primary, target, prefix, history.atT);
      if (problems.length > 0)
        throw new Error(`${who} restored ${problems.length} keys wrong, e.g. ${problems.slice(0, 3).join('; ')}`);
    };
    const spawnRates: number[] = [];
    const contestants: Contestant[] = [
      {
        name: 'strongroom',
        how: `restore service as the CLI --local runs it: plan from the sealed journal, then the executor (${RESTORE_OBJECTS_IN_FLIGHT} objects in flight)`,
        run: async (round) => {
          const targetPrefix = `strongroom-${round}/`;
          const run = await runChild<{
            objectsDone: number;
            failed: number;
            state: string;
            seconds: number;
            peakRssBytes: number;
          }>('restore', {
            deploymentFile: bench.deployment.deploymentFile,
            sourceBucket: bench.source,
            prefix: PREFIX,
            asOf: history.asOf,
            targetBucket: target,
            targetPrefix,
          } satisfies RestoreChildInput);
          if (run.output.state !== 'succeeded' || run.output.objectsDone !== expected) {
            throw new Error(`strongroom restore: ${run.output.state}, ${run.output.objectsDone} of ${expected} objects`);
          }
          await checked(targetPrefix, 'strongroom');
          spawnRates.push(expected / run.seconds);
          return { value: expected / run.output.seconds, peakRssBytes: run.output.peakRssBytes };
        },
      },
      {
        name: 'rclone --s3-version-at',
        how: `rclone copy ${TUNED_RCLONE.join(' ')} from the source remote with version_at = T`,
        run: async (round) => {
          const prefix = `rclone-${round}/`;
          const run = await rcloneCopy(
            `src:${bench.source}/${PREFIX}`,
            `dst:${target}/${prefix}${PREFIX}`,
            { src: { ...bench.primaryAccess, versionAt: history.asOf }, dst: bench.primaryAccess },
            TUNED_RCLONE,
          );
          await checked(prefix, 'rclone');
          return { value: expected / run.seconds, peakRssBytes: run.peakRssBytes };
        },
      },
    ];
    const rounds = await interleaved(ctx, contestants);
    bench.close();
    return {
      id: 3,
      title: 'Point-in-time restore',
      dataset: `${keys} keys x ${VERSIONS} versions of 4 KiB (${history.versions} versions, ${keys - expected} keys behind a delete marker at T), restored as of T = after version 3: ${expected} objects`,
      unit: 'objects restored/s',
      higherIsBetter: true,
      ...summarize(contestants, rounds, [
        {
          label: 'strongroom / rclone --s3-version-at',
          of: 'strongroom',
          to: 'rclone --s3-version-at',
          goal: 1.2,
          atLeast: true,
        },
      ]),
      facts: [
        [
          'compared',
          `after every run, every key of the result against the source at T (ETag = MD5 of the bytes; absent keys absent): all equal`,
        ],
        [
          'backup of the history',
          `${history.bodies.length} changes copied at ${(history.bodies.length / copied.seconds).toFixed(0)} changes/s, batches of 100, then one seal`,
        ],
        [
          'strongroom, spawn to exit',
          `${formatStats(stats(spawnRates))} objects/s with the process start, module load and STS sessions in the time`,
        ],
      ],
      notes: [
        'rclone: wall time of its process, its listing of every version of the prefix included. Strongroom: the plan (from the sealed journal, the target listed, the manifest written) and the run, inside a process already started with its sessions open, as a warm restore function runs them; spawn to exit is given beside it.',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
