/**
 * Streaming and crash recovery of the copier on the local S3, in child processes: a 200 MiB object
 * copied with peak memory measured (not assumed) below the object's size, and a copy killed in the
 * middle of its multipart upload then retried, leaving no orphan parts and exactly one entry.
 */
import path from 'node:path';
import {
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { timelines } from '../../lambda/core/timeline';
import { copierTarget, localCopier } from '../../local/local-copier';
import type { LocalDeployment } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { MIB, pattern, runChild, upload } from './support/child';
import { Clients, provisionForTest } from './support/vault';

jest.setTimeout(240_000);

const CHILD = path.join(__dirname, 'support', 'copy-child.ts');
const clients = new Clients();
afterAll(() => clients.destroy());

async function vaultVersionsUnder(deployment: LocalDeployment, owner: S3Client) {
  const listed = await owner.send(
    new ListObjectVersionsCommand({ Bucket: deployment.vault.name, Prefix: deployment.primary.vaultPrefixes.objects }),
  );
  return listed.Versions ?? [];
}

describe('copier streaming on the local S3', () => {
  let deployment: LocalDeployment;
  let app: S3Client;
  let owner: S3Client;
  let source: string;
  let events: SourceEventLog;
  beforeAll(async () => {
    deployment = await provisionForTest('stream');
    app = clients.as(deployment, deployment.primary.admin);
    owner = clients.as(deployment, deployment.backup.admin);
    source = deployment.primary.sources[0]?.name as string;
    events = new SourceEventLog(deployment.primary.tenant);
  });

  it('copies a 200 MiB object in a child process whose peak RSS stays below the object size', async () => {
    const size = 200 * MIB;
    const data = pattern(size, 'big');
    const { versionId } = await upload(app, source, 'big/200mib.bin', data.stream());
    const started = performance.now();
    const { result } = await runChild(CHILD, {
      target: copierTarget(deployment),
      body: events.created(source, { key: 'big/200mib.bin', versionId }),
    });
    const { stdout, stderr, code } = await result;
    const seconds = (performance.now() - started) / 1000;
    expect({ code, stderr: code === 0 ? '' : stderr }).toEqual({ code: 0, stderr: '' });
    const report = JSON.parse(stdout) as { failed: string[]; statuses: string[]; peakRssBytes: number; startRssBytes: number };
    expect(report.failed).toEqual([]);
    expect(report.statuses).toEqual(['copied']);
    process.stderr.write(
      `200 MiB copy: peak RSS ${(report.peakRssBytes / MIB).toFixed(0)} MiB (${(report.startRssBytes / MIB).toFixed(0)} MiB before copying) in ${seconds.toFixed(1)} s\n`,
    );
    expect(report.peakRssBytes).toBeLessThan(size);

    const copier = localCopier(deployment);
    try {
      const [entry] = timelines(await copier.journal()).find((t) => t.key === 'big/200mib.bin')?.entries ?? [];
      expect(entry?.sha256).toBe(await data.sha256);
      expect(entry?.size).toBe(size);
      // Read once: the vault object's metadata, fixed before its bytes were read, says the journal holds its SHA-256.
      const reader = await clients.assume(deployment, 'restoreReader');
      const head = await reader.s3.send(
        new GetObjectCommand({ Bucket: deployment.vault.address, Key: entry?.vaultKey, Range: 'bytes=0-0' }),
      );
      expect(head.Metadata).toMatchObject({ 'sha256-recorded': 'journal', 'part-bytes': String(8 * MIB) });
      expect(head.Metadata).not.toHaveProperty('sha256');
    } finally {
      copier.close();
    }
  });

  it('repairs a copy killed in the middle of its multipart upload: no orphan parts, one entry, right bytes', async () => {
    const size = 48 * MIB;
    const data = pattern(size, 'killed');
    const key = 'big/killed.bin';
    const { versionId } = await upload(app, source, key, data.stream());
    const body = events.created(source, { key, versionId });
    const tuning = { singlePutMaxBytes: 8 * MIB, minPartBytes: 5 * MIB, partsInFlight: 1 };

    // Kill the copier as soon as its upload has a part in the vault.
    const { child, result } = await runChild(CHILD, { target: copierTarget(deployment), body, tuning });
    const deadline = Date.now() + 60_000;
    let killedWithParts = 0;
    while (Date.now() < deadline && killedWithParts === 0) {
      const uploads = await owner.send(
        new ListMultipartUploadsCommand({ Bucket: deployment.vault.name, Prefix: deployment.primary.vaultPrefixes.objects }),
      );
      for (const u of uploads.Uploads ?? []) {
        const parts = await owner.send(new ListPartsCommand({ Bucket: deployment.vault.name, Key: u.Key, UploadId: u.UploadId }));
        if ((parts.Parts ?? []).length > 0) {
          child.kill('SIGKILL');
          killedWithParts = parts.Parts?.length ?? 0;
        }
      }
      if (killedWithParts === 0) await new Promise((r) => setTimeout(r, 20));
    }
    const killed = await result;
    expect(killedWithParts).toBeGreaterThan(0);
    expect(killed.code).toBeNull(); // killed, not finished
    const orphans = await owner.send(new ListMultipartUploadsCommand({ Bucket: deployment.vault.name }));
    expect(orphans.Uploads?.length ?? 0).toBe(1);

    // The queue delivers the change again: the retry aborts the orphan and copies.
    const copier = localCopier(deployment, { tuning });
    try {
      const retry = await copier.copy([{ messageId: 'retry', body }]);
      expect(retry.failedMessageIds).toEqual([]);
      expect(retry.outcomes.map((o) => o.outcome.status)).toEqual(['copied']);
      const left = await owner.send(new ListMultipartUploadsCommand({ Bucket: deployment.vault.name }));
      expect(left.Uploads ?? []).toEqual([]);
      const timeline = timelines(await copier.journal()).find((t) => t.key === key);
      expect(timeline?.entries).toHaveLength(1);
      expect(timeline?.entries[0]?.sha256).toBe(await data.sha256);
      const versions = (await vaultVersionsUnder(deployment, owner)).filter((v) => v.Key === timeline?.entries[0]?.vaultKey);
      expect(versions).toHaveLength(1);
    } finally {
      copier.close();
    }
  });
});
