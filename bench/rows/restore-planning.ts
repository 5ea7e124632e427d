/**
 * Row 4: restore planning. A million journaled versions (written as journal segments by the ingest role, as
 * copier batches would, then sealed in ten seals) planned as of a middle instant by the restore service in a
 * process of its own; against listing the same number of versions with ListObjectVersions, measured on a
 * smaller versioned bucket and extrapolated linearly (creating a million real versions takes longer than the
 * whole benchmark may).
 */
import { createHash } from 'node:crypto';
import { ListObjectVersionsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { JournalEntry } from '../../lambda/core/journal';
import { appendJournalSegment } from '../../lambda/core/journal-store';
import { forEachLimited } from '../../lambda/core/streams';
import { vaultKeyFor } from '../../lambda/core/vault-keys';
import { runChild } from '../child';
import type { RestoreChildInput } from '../children/restore';
import { createBucket } from '../fixtures';
import { type BenchRow, type Contestant, interleaved, MIB, stats, summarize } from '../harness';
import { formatStats } from '../results';
import { benchDeployment, sealNow, vaultSessions } from './common';

const VERSIONS_PER_KEY = 5;
const ENTRIES_PER_SEGMENT = 10_000;
const SEALS = 10;
const DAY = 86_400_000;
const EPOCH = Date.parse('2026-01-01T00:00:00Z');

const hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** Version `v` of key `k`, as the copier journals a copy (version v written on day v). */
function entry(account: string, bucket: string, k: number, v: number, copiedAt: string): JournalEntry {
  const key = `plan/${String(k).padStart(7, '0')}.bin`;
  const versionId = `v${v}-${k.toString(36)}`;
  const token = `v.${versionId}`;
  const time = new Date(EPOCH + v * DAY + k).toISOString();
  return {
    v: 2,
    kind: 'version',
    account,
    bucket,
    key,
    token,
    vaultKey: vaultKeyFor({ account, bucket, key }, token),
    sourceVersionId: versionId,
    destroys: null,
    sourceEtag: hex(`${k}:${v}`).slice(0, 32),
    sourceTime: time,
    sequencer: (v * 1_000_000 + k).toString(16).toUpperCase().padStart(16, '0'),
    eventTime: time,
    copiedAt,
    size: 4096,
    sha256: hex(`${k}/${v}`),
    vaultVersionId: `vault-${v}-${k}`,
    contentType: 'application/octet-stream',
    metadata: {},
    headers: { ContentType: 'application/octet-stream' },
  };
}

export const restorePlanning: BenchRow = {
  id: 4,
  title: 'Restore planning',
  defaultScale: 0.2,
  async run(ctx) {
    const started = performance.now();
    const total = ctx.scaled(1_000_000, 10_000);
    const keys = Math.ceil(total / VERSIONS_PER_KEY);
    const bench = await benchDeployment(ctx);
    const account = bench.deployment.primary.tenant;
    const vault = bench.deployment.vault.address;
    const sessions = await vaultSessions(bench);
    const { ingest } = sessions;
    ctx.log(`  journaling ${total} versions of ${keys} keys in ${SEALS} seals`);
    // Versions in key order within each seal's share, as many copier batches over time would write them.
    const all = Array.from({ length: keys * VERSIONS_PER_KEY }, (_, i) => i).slice(0, total);
    const perSeal = Math.ceil(total / SEALS);
    for (let s = 0; s < SEALS; s++) {
      const mine = all.slice(s * perSeal, (s + 1) * perSeal);
      const segments = Math.ceil(mine.length / ENTRIES_PER_SEGMENT);
      await forEachLimited(
        Array.from({ length: segments }, (_, i) => i),
        4,
        async (g) => {
          const copiedAt = new Date().toISOString();
          const entries = mine
            .slice(g * ENTRIES_PER_SEGMENT, (g + 1) * ENTRIES_PER_SEGMENT)
            .map((i) => entry(account, bench.source, i % keys, 1 + Math.floor(i / keys), copiedAt));
          await appendJournalSegment({ client: ingest.s3, bucket: vault }, account, entries, `bench-${s}-${g}`, new Date());
        },
      );
      await sealNow(bench, sessions, `seal ${s}`);
    }
    sessions.close();

    // The listing peer: a real versioned bucket, listed whole; its rate extrapolated to `total` versions.
    const listed = ctx.scaled(50_000, 2_000);
    const listBucket = 'bench-versions';
    await createBucket(bench.primary, listBucket, true);
    ctx.log(`  writing ${listed} versions to list`);
    await forEachLimited(
      Array.from({ length: listed }, (_, i) => i),
      32,
      async (i) => {
        await bench.primary.send(
          new PutObjectCommand({
            Bucket: listBucket,
            Key: `plan/${String(i % (listed / VERSIONS_PER_KEY)).padStart(7, '0')}.bin`,
            Body: '',
            ContentLength: 0,
          }),
        );
      },
    );
    const asOf = new Date(EPOCH + 3.5 * DAY).toISOString();
    const target = bench.deployment.primary.restoreTargets[0]?.name as string;
    let peak = 0;
    const spawnTimes: number[] = [];
    const contestants: Contestant[] = [
      {
        name: 'strongroom plan',
        how: 'createPlan as of T (between versions 3 and 4) over the sealed index, in a bundled process; manifest written to the target',
        run: async (round) => {
          const run = await runChild<{ counts: { write: number }; planSeconds: number; peakRssBytes: number }>('restore', {
            deploymentFile: bench.deployment.deploymentFile,
            sourceBucket: bench.source,
            asOf,
            targetBucket: target,
            targetPrefix: `plan-${round}/`,
            planOnly: true,
          } satisfies RestoreChildInput);
          if (run.output.counts.write !== keys)
            throw new Error(`the plan writes ${run.output.counts.write} objects, expected ${keys}`);
          peak = Math.max(peak, run.output.peakRssBytes);
          spawnTimes.push(run.seconds);
          return { value: run.output.planSeconds, peakRssBytes: run.output.peakRssBytes };
        },
      },
      {
        name: 'ListObjectVersions (extrapolated)',
        how: `SDK v3 listing, pages of 1,000, of ${listed} real versions; time scaled to ${total}`,
        run: async () => {
          const t0 = performance.now();
          let n = 0;
          let keyMarker: string | undefined;
          let versionMarker: string | undefined;
          do {
            const page = await bench.primary.send(
              new ListObjectVersionsCommand({ Bucket: listBucket, KeyMarker: keyMarker, VersionIdMarker: versionMarker }),
            );
            n += (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
            keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
            versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
          } while (keyMarker);
          if (n !== listed) throw new Error(`listed ${n} versions, expected ${listed}`);
          return { value: ((performance.now() - t0) / 1000) * (total / listed) };
        },
      },
    ];
    const rounds = await interleaved(ctx, contestants);
    bench.close();
    return {
      id: 4,
      title: 'Restore planning',
      dataset: `${total} journaled versions (${keys} keys x ${VERSIONS_PER_KEY}) in ${SEALS} seals; plan as of T between versions 3 and 4`,
      unit: 's (lower is better)',
      higherIsBetter: false,
      ...summarize(contestants, rounds, [
        {
          label: 'listing time / plan time',
          of: 'ListObjectVersions (extrapolated)',
          to: 'strongroom plan',
          goal: 10,
          atLeast: true,
        },
      ]),
      facts: [
        [
          'strongroom plan, spawn to exit',
          `${formatStats(stats(spawnTimes))} s with the process start, module load and STS sessions`,
        ],
        ['plan peak memory', `${(peak / MIB).toFixed(0)} MiB VmHWM — goal ≤ 256 MiB ${peak <= 256 * MIB ? 'met' : '**missed**'}`],
      ],
      notes: [
        `The listing is measured on ${listed} versions and extrapolated linearly to ${total} (pages of 1,000 cost the same whatever the bucket's size).`,
        'The plan lists the target too (empty here) and writes its manifest there: both are in its time, taken inside a process already started with its sessions open (a warm restore function).',
      ],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
