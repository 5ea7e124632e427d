/**
 * The change-rate signal and `strongroom activity` against the real local S3: a source seeded and overwritten by its
 * applications, backed up by the real copier, then attacked (many keys deleted, some overwritten with garbage). The
 * copier's per-source counts show the burst; `strongroom activity --local` finds it in the journal and suggests a T
 * between the last good change and the attack's first (both as the source's server recorded them); a restore as of
 * that T brings every key back as it was before the attack.
 */
import { DeleteObjectCommand, ListObjectVersionsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { capturedIo } from '../../cli/io';
import { main as strongroom } from '../../cli/main';
import type { ActivityReport } from '../../lambda/core/activity';
import type { SourceChangeCount } from '../../lambda/core/change-rate';
import { compareBucketStates, readBucketState } from '../../local/bucket-state';
import { localCopier } from '../../local/local-copier';
import { provisionLocalVault } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { integLocalS3 } from './support/env';
import { Clients, localConfig, nextSecond } from './support/vault';

jest.setTimeout(180_000);

const clients = new Clients();
afterAll(() => clients.destroy());

async function cli(argv: readonly string[]) {
  const io = capturedIo();
  const code = await strongroom(argv, { io });
  return { code, stdout: io.stdout.join(''), stderr: io.stderr.join('') };
}

/** Every LastModified the source's server recorded (versions and delete markers), in ms. */
async function sourceTimes(s3: S3Client, bucket: string): Promise<number[]> {
  const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  return [...(listed.Versions ?? []), ...(listed.DeleteMarkers ?? [])].map((v) => (v.LastModified as Date).getTime());
}

describe('change rate and strongroom activity on the local S3', () => {
  it('counts the attack per source, suggests T between the last good change and the attack, and a restore as of T is whole', async () => {
    const deployment = await provisionLocalVault(integLocalS3(), localConfig(), { label: 'activity' });
    const { primary } = deployment;
    const source = primary.sources[0];
    const target = primary.restoreTargets[0];
    if (!source || !target) throw new Error('the local config has no source or restore target');
    const app = clients.as(deployment, primary.admin);
    const events = new SourceEventLog(primary.tenant);
    const copier = localCopier(deployment);
    const counted: SourceChangeCount[] = [];
    const deliver = async (bodies: string[]) => {
      for (let i = 0; i < bodies.length; i += 10) {
        const result = await copier.copy(events.records(bodies.slice(i, i + 10)));
        expect(result.failedMessageIds).toEqual([]);
        counted.push(...result.changeCounts);
      }
    };
    const put = async (key: string, body: string) => {
      const out = await app.send(
        new PutObjectCommand({ Bucket: source.address, Key: key, Body: body, ContentType: 'text/plain' }),
      );
      return events.created(source.name, { key, versionId: out.VersionId, etag: out.ETag, size: Buffer.byteLength(body) });
    };
    const remove = async (key: string) => {
      const out = await app.send(new DeleteObjectCommand({ Bucket: source.address, Key: key }));
      return events.deleted(source.name, { key, versionId: out.VersionId, deleteMarker: out.DeleteMarker === true });
    };
    const keys = Array.from({ length: 15 }, (_, i) => `docs/${String(i).padStart(2, '0')}.txt`);
    const sum = (what: 'writes' | 'deletions') => counted.reduce((n, c) => n + c[what], 0);
    try {
      // Ordinary life: 15 new keys, a second later 5 of them edited (5 overwrites: no burst).
      await deliver(await Promise.all(keys.map((k) => put(k, `first draft of ${k}`))));
      await nextSecond();
      await deliver(await Promise.all(keys.slice(0, 5).map((k) => put(k, `second draft of ${k}`))));
      const before = await readBucketState(app, source.address);
      const lastGood = Math.max(...(await sourceTimes(app, source.address)));
      expect(counted.every((c) => c.bucket === source.name)).toBe(true);
      expect([sum('writes'), sum('deletions')]).toEqual([20, 0]);
      counted.length = 0;

      // The attack, a second later: 12 keys deleted, the other 3 overwritten with garbage.
      await nextSecond();
      const timesBefore = new Set(await sourceTimes(app, source.address));
      await deliver([
        ...(await Promise.all(keys.slice(0, 12).map(remove))),
        ...(await Promise.all(keys.slice(12).map((k) => put(k, 'encrypted by ransomware')))),
      ]);
      const attackStart = Math.min(...(await sourceTimes(app, source.address)).filter((t) => !timesBefore.has(t)));
      // What the Lambda would publish, and the change-rate alarm of config/strongroom.local.json would fire on.
      expect([sum('writes'), sum('deletions')]).toEqual([3, 12]);
      expect(sum('deletions')).toBeGreaterThan(localConfig().alerts.changeRate.deletionsPerInterval);

      const file = deployment.deploymentFile;
      const activity = await cli(['activity', '--local', '--deployment', file, 'acme-invoices', '--interval', '1s', '--json']);
      expect(activity).toMatchObject({ code: 0, stderr: '' });
      const report = JSON.parse(activity.stdout) as ActivityReport;
      expect(report.totals).toEqual({ writes: 15, overwrites: 8, deletions: 12 });
      expect(report.bursts).toHaveLength(1);
      expect(report.bursts[0]).toMatchObject({ deletions: 12, overwrites: 3, writes: 0 });
      const t = Date.parse(report.suggestedAsOf as string);
      expect(t).toBeGreaterThanOrEqual(lastGood);
      expect(t).toBeLessThan(attackStart);

      const human = await cli(['activity', '--local', '--deployment', file, 'acme-invoices', '--interval', '1s']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/ 0 +3 +12 {2}<- BURST$/m);
      expect(human.stdout).toContain(`Suggested T, just before the burst began: ${report.suggestedAsOf}`);
      expect(human.stdout).toContain(
        `strongroom restore --local --deployment ${file} --bucket acme-invoices --as-of ${report.suggestedAsOf} --dry-run`,
      );

      // The restore as of the suggested T brings back every key as it was before the attack.
      const restored = await cli([
        'restore',
        '--local',
        '--deployment',
        file,
        '--bucket',
        'acme-invoices',
        '--as-of',
        report.suggestedAsOf as string,
        '--yes',
        '--json',
      ]);
      expect(restored.code).toBe(0);
      const restoredState = await readBucketState(clients.as(deployment, primary.functions.restore), target.name);
      expect(compareBucketStates(before, restoredState)).toEqual({
        same: [...before.keys()],
        differ: [],
        bytes: expect.any(Number),
      });
      expect(restoredState.size).toBe(15);
    } finally {
      copier.close();
    }
  });
});
