/**
 * Restores that outgrow one invocation or die mid-way, on the real local S3: a restore forced to continue
 * (a tiny time budget) and one killed in the middle and resumed both end identical to an uninterrupted run,
 * with no object written twice (the versioned target shows one version per key); and a 1 GiB object
 * restored by a child process whose peak resident memory is measured by the kernel.
 */
import path from 'node:path';
import { GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPlan, type RestoreServiceDependencies, restoreStatus, runRestore } from '../../lambda/core/restore-service';
import { localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB, pattern, runChild, upload } from './support/child';
import { Clients, copyAll, provisionForTest, sha256 } from './support/vault';

jest.setTimeout(600_000);

const CHILD = path.join(__dirname, 'support', 'restore-child.ts');
const clients = new Clients();
afterAll(() => clients.destroy());

let deployment: LocalDeployment;
let deps: RestoreServiceDependencies;
let targetBucket: string;
let target: S3Client;
/** The primary account's admin, to inspect the target (the restore role may not list versions). */
let inspector: S3Client;
let source: string;
const written = new Map<string, string>();

async function versionsUnder(prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  let keyMarker: string | undefined;
  do {
    const page = await inspector.send(
      new ListObjectVersionsCommand({ Bucket: targetBucket, Prefix: prefix, KeyMarker: keyMarker }),
    );
    for (const v of page.Versions ?? []) counts.set(v.Key as string, (counts.get(v.Key as string) ?? 0) + 1);
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
  } while (keyMarker);
  return counts;
}

async function bytesUnder(prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of (await versionsUnder(prefix)).keys()) {
    const got = await inspector.send(new GetObjectCommand({ Bucket: targetBucket, Key: key }));
    out.set(
      key.slice(prefix.length),
      sha256(await (got.Body as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()),
    );
  }
  return out;
}

beforeAll(async () => {
  deployment = await provisionForTest('resume');
  const primary = deployment.primary;
  source = primary.sources[0]?.name as string;
  targetBucket = primary.restoreTargets[0]?.name as string;
  target = clients.as(deployment, primary.functions.restore);
  inspector = clients.as(deployment, primary.admin);
  const reader = await clients.assume(deployment, 'restoreReader');
  deps = {
    vault: { client: reader.s3, bucket: deployment.vault.address },
    account: primary.tenant,
    target,
    restoreTargets: [targetBucket],
    now: () => new Date(),
  };
  const app = clients.as(deployment, primary.admin);
  const events = new SourceEventLog(primary.tenant);
  const copier = localCopier(deployment);
  try {
    const bodies: string[] = [];
    for (let i = 0; i < 60; i++) {
      const key = `files/${String(i).padStart(3, '0')}.bin`;
      const body = Buffer.alloc(2000 + i * 331, i);
      const out = await app.send(new PutObjectCommand({ Bucket: source, Key: key, Body: body }));
      bodies.push(events.created(source, { key, versionId: out.VersionId, etag: out.ETag, size: body.length }));
      written.set(key, sha256(body));
    }
    await copyAll(copier, events.records(bodies));
  } finally {
    copier.close();
  }
});

describe('resumable restores', () => {
  it('continues across at least 3 passes when its time budget runs out, and ends identical, each object written once', async () => {
    const asOf = new Date();
    const plan = await createPlan(deps, {
      action: 'plan',
      sourceBucket: source,
      asOf: asOf.toISOString(),
      targetBucket,
      targetPrefix: 'budget/',
    });
    expect(plan.summary.counts.write).toBe(60);
    let passes = 0;
    let status: Awaited<ReturnType<typeof runRestore>> = await restoreStatus(deps, targetBucket, plan.restoreId);
    while (status.state !== 'succeeded') {
      passes++;
      expect(passes).toBeLessThan(100);
      // Time for 3 batches of 4 objects per pass: each pass stops and hands on its cursor.
      let budget = 3;
      status = await runRestore(deps, targetBucket, plan.restoreId, {
        batchLines: 4,
        remainingMs: () => (budget-- > 0 ? 1 : 0),
        marginMs: 1,
      });
    }
    expect(passes).toBeGreaterThanOrEqual(3);
    expect(status.progress).toMatchObject({ objects: 60, objectsDone: 60, failed: 0 });
    expect(Object.fromEntries(await bytesUnder('budget/'))).toEqual(Object.fromEntries(written));
    expect([...(await versionsUnder('budget/')).values()].every((n) => n === 1)).toBe(true);
    process.stderr.write(`restore with a tiny time budget: ${passes} passes, 60 objects, each written once\n`);
  });

  it('resumes a restore killed mid-way without writing any object twice', async () => {
    const plan = await createPlan(deps, {
      action: 'plan',
      sourceBucket: source,
      asOf: new Date().toISOString(),
      targetBucket,
      targetPrefix: 'killed/',
    });
    const { child, result } = await runChild(CHILD, {
      deploymentFile: deployment.deploymentFile,
      targetBucket,
      restoreId: plan.restoreId,
    });
    const deadline = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < deadline && seen < 15) {
      seen = (await versionsUnder('killed/')).size;
      if (seen < 15) await new Promise((r) => setTimeout(r, 10));
    }
    child.kill('SIGKILL');
    const killed = await result;
    expect(killed.code).toBeNull();
    const before = (await versionsUnder('killed/')).size;
    expect(before).toBeGreaterThanOrEqual(15);
    expect(before).toBeLessThan(60);

    const status = await runRestore(deps, targetBucket, plan.restoreId);
    expect(status.state).toBe('succeeded');
    expect(status.progress).toMatchObject({ objects: 60, objectsDone: 60, failed: 0 });
    expect(Object.fromEntries(await bytesUnder('killed/'))).toEqual(Object.fromEntries(written));
    expect([...(await versionsUnder('killed/')).values()].every((n) => n === 1)).toBe(true);
    process.stderr.write(`restore killed after ${before} of 60 objects, resumed: 60 objects, each written once\n`);
  });

  it('restores a 1 GiB object in a child process whose peak resident memory stays under 256 MiB', async () => {
    const size = 1024 * MIB;
    const data = pattern(size, 'restore-1g');
    const key = 'big/1gib.bin';
    const app = clients.as(deployment, deployment.primary.admin);
    const { versionId } = await upload(app, source, key, data.stream());
    const events = new SourceEventLog(deployment.primary.tenant);
    const copier = localCopier(deployment);
    try {
      expect((await copier.copy(events.records([events.created(source, { key, versionId })]))).failedMessageIds).toEqual([]);
    } finally {
      copier.close();
    }
    const plan = await createPlan(deps, {
      action: 'plan',
      sourceBucket: source,
      prefix: 'big/',
      asOf: new Date().toISOString(),
      targetBucket,
      targetPrefix: 'big-restore/',
    });
    expect(plan.summary.counts.write).toBe(1);
    const started = performance.now();
    const { result } = await runChild(CHILD, {
      deploymentFile: deployment.deploymentFile,
      targetBucket,
      restoreId: plan.restoreId,
    });
    const { stdout, stderr, code } = await result;
    const seconds = (performance.now() - started) / 1000;
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as { state: string; peakRssBytes: number; startRssBytes: number };
    expect(report.state).toBe('succeeded');
    process.stderr.write(
      `1 GiB restore: peak RSS ${(report.peakRssBytes / MIB).toFixed(0)} MiB (${(report.startRssBytes / MIB).toFixed(0)} MiB at start) in ${seconds.toFixed(1)} s (${(1024 / seconds).toFixed(0)} MiB/s)\n`,
    );
    expect(report.peakRssBytes).toBeLessThan(256 * MIB);
    const head = await target.send(
      new GetObjectCommand({ Bucket: targetBucket, Key: 'big-restore/big/1gib.bin', Range: 'bytes=0-0' }),
    );
    expect(head.Metadata?.['strongroom-sha256']).toBe(await data.sha256);
  });
});
