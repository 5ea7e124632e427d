/**
 * Row 5: verify. A vault holding 100,000 versions of 20,000 source keys (5 each: the four older ones expired
 * from the source by its lifecycle, as they would be, the current one still there), written by the ingest role
 * through the copier's own write path, journaled in segments of the copier's batch size and sealed. Verify runs the
 * retention and coverage checks in a process of its own (the vault as the auditor, the source as the verify
 * function's stand-in), in both retention modes; against a bare ListObjectVersions scan, as the same auditor,
 * of every version the account has in the vault (all the bucket holds here).
 */
import { createHash } from 'node:crypto';
import { ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { accountPrefix } from '../../contract/vault-layout';
import type { CheckId } from '../../contract/verify-report';
import type { JournalEntry } from '../../lambda/core/journal';
import { appendJournalSegment } from '../../lambda/core/journal-store';
import { forEachLimited } from '../../lambda/core/streams';
import { journalEntry, type VaultEntry, vaultObjectMetadata } from '../../lambda/core/vault-entry';
import { vaultKeyFor } from '../../lambda/core/vault-keys';
import { putVaultObject } from '../../lambda/core/vault-write';
import { runChild } from '../child';
import type { VerifyChildInput, VerifyChildOutput } from '../children/verify';
import { type BenchRow, type Contestant, interleaved, MIB, summarize } from '../harness';
import { benchDeployment, sealNow, vaultSessions } from './common';

const VERSIONS_PER_KEY = 5;
const PREFIX = 'verify/';
const CHECKS: readonly CheckId[] = ['versions.retention', 'coverage.copies', 'coverage.sha256', 'freshness.rpo'];

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/**
 * The versions a bare scan lists: every version and delete marker the account has in the vault (its objects,
 * journal and reports: what the auditor may list, and all the bucket holds here), pages of 1,000.
 */
async function scanVersions(s3: S3Client, bucket: string, account: string): Promise<number> {
  let n = 0;
  for (const area of ['objects', 'journal', 'reports'] as const) {
    let KeyMarker: string | undefined;
    let VersionIdMarker: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectVersionsCommand({ Bucket: bucket, Prefix: accountPrefix(area, account), KeyMarker, VersionIdMarker }),
      );
      n += (page.Versions?.length ?? 0) + (page.DeleteMarkers?.length ?? 0);
      KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      VersionIdMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
    } while (KeyMarker);
  }
  return n;
}

export const verifyRow: BenchRow = {
  id: 5,
  title: 'Verify',
  defaultScale: 0.1,
  async run(ctx) {
    const started = performance.now();
    const total = ctx.scaled(100_000, 1_000);
    const keys = Math.ceil(total / VERSIONS_PER_KEY);
    const bench = await benchDeployment(ctx);
    const account = bench.deployment.primary.tenant;
    const vaultBucket = bench.deployment.vault.address;
    const sessions = await vaultSessions(bench);
    const { auditor, ingest } = sessions;
    const vault = {
      client: ingest.s3,
      bucket: vaultBucket,
      writerRole: ingest.roleArn,
      writeOnce: 'server' as const,
    };

    ctx.log(`  writing ${keys} source objects and ${keys * VERSIONS_PER_KEY} vault versions of them`);
    const fixtureStarted = performance.now();
    const entries: JournalEntry[] = [];
    await forEachLimited(
      Array.from({ length: keys }, (_, k) => k),
      48,
      async (k) => {
        const key = `${PREFIX}${String(k).padStart(6, '0')}.txt`;
        const bodyOf = (v: number) => Buffer.from(`key ${k} version ${v}\n`);
        const current = bodyOf(VERSIONS_PER_KEY);
        const put = await bench.primary.send(
          new PutObjectCommand({ Bucket: bench.source, Key: key, Body: current, ContentLength: current.length }),
        );
        for (let v = 1; v <= VERSIONS_PER_KEY; v++) {
          const body = bodyOf(v);
          const versionId = v === VERSIONS_PER_KEY ? (put.VersionId as string) : `expired-${v}-${k}`;
          const token = `v.${versionId}`;
          const at = new Date();
          const entry: VaultEntry = {
            kind: 'version',
            account,
            bucket: bench.source,
            key,
            token,
            vaultKey: vaultKeyFor({ account, bucket: bench.source, key }, token),
            sourceVersionId: versionId,
            destroys: null,
            sourceEtag: md5(body),
            sourceTime: at.toISOString(),
            sequencer: null,
            eventTime: at.toISOString(),
            size: body.length,
            sha256: sha256(body),
            contentType: 'text/plain',
            metadata: {},
            headers: { ContentType: 'text/plain' },
          };
          const vaultVersionId = await putVaultObject(vault, entry.vaultKey, body, {
            ContentType: 'text/plain',
            Metadata: vaultObjectMetadata(entry),
          });
          entries.push(journalEntry(entry, { copiedAt: new Date(), vaultVersionId }));
        }
      },
    );
    // One segment per copier batch, as the copier journals them.
    const segments = Math.ceil(entries.length / bench.batchSize);
    await forEachLimited(
      Array.from({ length: segments }, (_, i) => i),
      48,
      async (i) => {
        await appendJournalSegment(
          { client: ingest.s3, bucket: vaultBucket },
          account,
          entries.slice(i * bench.batchSize, (i + 1) * bench.batchSize),
          `bench-${i}`,
          new Date(),
        );
      },
    );
    // Sealed, as the sealer does on its schedule: the index a restore (and coverage) reads.
    await sealNow(bench, sessions, 'the journal');
    const fixtureSeconds = (performance.now() - fixtureStarted) / 1000;
    const inBucket = await scanVersions(auditor.s3, vaultBucket, account);
    ctx.log(`  fixture: ${inBucket} versions in the vault in ${fixtureSeconds.toFixed(0)} s`);

    const verify = async (retention: 'full' | number) => {
      const run = await runChild<VerifyChildOutput>('verify', {
        deploymentFile: bench.deployment.deploymentFile,
        checks: CHECKS,
        retention,
      } satisfies VerifyChildInput);
      const failed = Object.entries(run.output.statuses).filter(([, s]) => s !== 'PASS');
      if (failed.length > 0) throw new Error(`verify (${retention}) did not pass: ${JSON.stringify(run.output.statuses)}`);
      const checked = run.output.evidence['versions.retention'] as { checked?: number; versions?: number } | null;
      if (checked?.versions !== inBucket) throw new Error(`verify saw ${checked?.versions} vault versions, the scan ${inBucket}`);
      return run;
    };
    let peak = 0;
    const contestants: Contestant[] = [
      {
        name: 'strongroom verify (sample)',
        how: 'versions.retention on the default uniform sample (500), coverage.copies, coverage.sha256 (200 read), freshness.rpo; bundled process',
        run: async () => {
          const run = await verify(500);
          peak = Math.max(peak, run.output.peakRssBytes);
          return { value: run.output.seconds, peakRssBytes: run.output.peakRssBytes };
        },
      },
      {
        name: 'strongroom verify (full)',
        how: 'the same checks with retention "full": GetObjectRetention of every vault version, 16 in flight',
        run: async () => {
          const run = await verify('full');
          peak = Math.max(peak, run.output.peakRssBytes);
          return { value: run.output.seconds, peakRssBytes: run.output.peakRssBytes };
        },
      },
      {
        name: 'ListObjectVersions scan',
        how: "SDK v3 listing, as the auditor, of all the account's vault versions (objects/, journal/, reports/: the whole bucket here), pages of 1,000",
        run: async () => {
          const t0 = performance.now();
          const n = await scanVersions(auditor.s3, vaultBucket, account);
          if (n !== inBucket) throw new Error(`scanned ${n} versions, expected ${inBucket}`);
          return { value: (performance.now() - t0) / 1000 };
        },
      },
    ];
    const rounds = await interleaved(ctx, contestants);
    sessions.close();
    bench.close();
    return {
      id: 5,
      title: 'Verify',
      dataset: `${total} vault versions of ${keys} source keys (${VERSIONS_PER_KEY} each, the current one in the source), ${segments} journal segments of ${bench.batchSize}; ${inBucket} versions in the bucket`,
      unit: 's (lower is better)',
      higherIsBetter: false,
      ...summarize(contestants, rounds, [
        {
          label: 'verify (sample) time / scan time',
          of: 'strongroom verify (sample)',
          to: 'ListObjectVersions scan',
          goal: 1.3,
          atLeast: false,
        },
        {
          label: 'verify (full) time / scan time',
          of: 'strongroom verify (full)',
          to: 'ListObjectVersions scan',
          goal: 1.3,
          atLeast: false,
        },
      ]),
      facts: [
        ['verify peak memory', `${(peak / MIB).toFixed(0)} MiB VmHWM`],
        [
          'requests',
          `the scan: ${Math.ceil(inBucket / 1000)} listings; verify, both modes: the same listings, the journal's listing and its ${Math.ceil(total / 2000)} index blocks, the source's listing and 200 source reads; the sample 500 GetObjectRetention, full ${total}`,
        ],
        ['fixture', `${fixtureSeconds.toFixed(0)} s to write (not measured)`],
      ],
      notes: [
        "S3 has no request that returns many versions' retention at once: a full retention check is one GetObjectRetention per version, where a listing returns 1,000 versions a request.",
      ],
      seconds: (performance.now() - started) / 1000,
    };
  },
};
