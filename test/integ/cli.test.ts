/**
 * The `strongroom` CLI as a responder runs it, in a child process against the real local S3: a source backed up
 * by the real copier, then attacked (keys deleted, one overwritten); `strongroom timeline` shows a key's history,
 * and `strongroom restore --local --yes --json` brings the bucket back into the restore target as it was just
 * before the attack — bytes, content type and user metadata, keys absent then absent now.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { compareBucketStates, readBucketState } from '../../local/bucket-state';
import { localCopier } from '../../local/local-copier';
import { provisionLocalVault } from '../../local/provision';
import { SourceEventLog } from '../../local/source-events';
import { integLocalS3 } from './support/env';
import { Clients, localConfig, nextSecond } from './support/vault';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '..', '..');
const clients = new Clients();
afterAll(() => clients.destroy());

interface Cli {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `strongroom ...` as a child process (the bin shim, as npx runs it), stdin not a terminal. */
function strongroom(args: readonly string[]): Promise<Cli> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [path.join(REPO, 'bin', 'strongroom-cli.js'), ...args],
      { cwd: REPO, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin?.end();
  });
}

describe('the strongroom CLI against the local S3 (child processes)', () => {
  it('timeline shows a key, and restore --local --yes --json brings the bucket back as of just before the attack', async () => {
    const deployment = await provisionLocalVault(integLocalS3(), localConfig(), { label: 'cli' });
    const primary = deployment.primary;
    const source = primary.sources[0];
    const target = primary.restoreTargets[0];
    if (!source || !target) throw new Error('the local config has no source or restore target');
    const app = clients.as(deployment, primary.admin);
    const restorer = clients.as(deployment, primary.functions.restore);
    const events = new SourceEventLog(primary.tenant);
    const copier = localCopier(deployment);
    const deliver = async (bodies: string[]) => {
      const result = await copier.copy(events.records(bodies));
      expect(result.failedMessageIds).toEqual([]);
    };
    const put = async (key: string, body: string, contentType: string, metadata: Record<string, string>) => {
      const out = await app.send(
        new PutObjectCommand({ Bucket: source.address, Key: key, Body: body, ContentType: contentType, Metadata: metadata }),
      );
      return events.created(source.name, { key, versionId: out.VersionId, etag: out.ETag, size: Buffer.byteLength(body) });
    };
    const remove = async (key: string) => {
      const out = await app.send(new DeleteObjectCommand({ Bucket: source.address, Key: key }));
      return events.deleted(source.name, { key, versionId: out.VersionId, deleteMarker: out.DeleteMarker === true });
    };
    try {
      // Before: five keys, one of them written twice.
      await deliver([
        await put('invoices/inv-0001.txt', 'Invoice 0001\nTotal: 1,200.00 EUR\n', 'text/plain', { customer: 'acme' }),
        await put('invoices/inv-0002.txt', 'Invoice 0002\nTotal: 89.90 EUR\n', 'text/plain', { customer: 'globex' }),
        await put('ledger/2026-q1.csv', 'date,amount\n2026-01-02,1200.00\n', 'text/csv', {}),
        await put('scans/receipt.png', '\u0089PNG fake image bytes', 'image/png', { scanner: 'hall-2' }),
        await put('old/removed-before.txt', 'gone before T', 'text/plain', {}),
      ]);
      await nextSecond();
      await deliver([
        await put('invoices/inv-0001.txt', 'Invoice 0001\nTotal: 1,250.00 EUR\nPaid.\n', 'text/plain', {
          customer: 'acme',
          paid: 'yes',
        }),
        await remove('old/removed-before.txt'),
      ]);
      await nextSecond();
      const before = await readBucketState(app, source.address);
      const asOf = new Date();
      await nextSecond();
      // The attack: two keys deleted, one overwritten with garbage.
      await deliver([
        await remove('invoices/inv-0002.txt'),
        await remove('scans/receipt.png'),
        await put('invoices/inv-0001.txt', 'encrypted by ransomware', 'application/octet-stream', {}),
      ]);
      expect([...before.keys()].sort()).toEqual([
        'invoices/inv-0001.txt',
        'invoices/inv-0002.txt',
        'ledger/2026-q1.csv',
        'scans/receipt.png',
      ]);

      // 1. Find T: the overwritten key's history.
      const file = deployment.deploymentFile;
      const timeline = await strongroom([
        'timeline',
        '--local',
        '--deployment',
        file,
        'acme-invoices',
        'invoices/inv-0001.txt',
        '--json',
      ]);
      expect(timeline).toMatchObject({ code: 0, stderr: '' });
      const history = JSON.parse(timeline.stdout);
      expect(history.bucket).toEqual({ shown: 'acme-invoices', actual: source.name });
      expect(
        history.entries.map((e: { kind: string; size: number; currentNow: boolean }) => [e.kind, e.size, e.currentNow]),
      ).toEqual([
        ['version', 33, false],
        ['version', 39, false],
        ['version', 23, true],
      ]);
      expect(history.entries[1].sha256).toBe(before.get('invoices/inv-0001.txt')?.sha256);
      const human = await strongroom(['timeline', '--local', '--deployment', file, 'acme-invoices', 'invoices/inv-0002.txt']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^ {2}2 {2}delete marker {2}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ seconds? ago\)/m);
      expect(human.stdout).toContain('nothing — the key does not exist since #2 (delete marker');

      // 2. Without --yes and without a terminal: refused, nothing planned.
      const restoreAsOf = [
        'restore',
        '--local',
        '--deployment',
        file,
        '--bucket',
        'acme-invoices',
        '--as-of',
        asOf.toISOString(),
      ];
      const unconfirmed = await strongroom(restoreAsOf);
      expect(unconfirmed.code).toBe(2);
      expect(unconfirmed.stderr).toContain(
        '--yes: received (missing), expected --yes to restore without a prompt: stdin is not a terminal',
      );
      expect((await readBucketState(restorer, target.name)).size).toBe(0);

      // 3. The restore, as of just before the attack.
      const restored = await strongroom([...restoreAsOf, '--yes', '--json']);
      expect(restored.stderr).toBe(
        `Restoring acme-invoices into acme-restore as of ${asOf.toISOString().replace('.000Z', 'Z')} (${restored.stderr.match(/\(([^)]+ago)\)/)?.[1]})\n`,
      );
      expect(restored.code).toBe(0);
      const report = JSON.parse(restored.stdout);
      expect(report).toMatchObject({
        outcome: 'succeeded',
        exitCode: 0,
        source: { shown: 'acme-invoices', actual: source.name },
        target: { shown: 'acme-restore', actual: target.name },
        plan: { counts: { write: 4, skip: 0, extraneous: 0, absentAtT: 1 }, mode: 'state' },
        result: { state: 'succeeded', progress: { objects: 4, objectsDone: 4, failed: 0 } },
      });
      const restoredState = await readBucketState(restorer, target.name);
      expect(compareBucketStates(before, restoredState)).toEqual({
        same: [...before.keys()],
        differ: [],
        bytes: expect.any(Number),
      });
      expect(restoredState).toEqual(before);
      expect(before.get('invoices/inv-0001.txt')).toMatchObject({
        contentType: 'text/plain',
        metadata: { customer: 'acme', paid: 'yes' },
      });

      // 4. Again: everything already identical, nothing written.
      const again = await strongroom([...restoreAsOf, '--yes']);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/ {2}skip {8}4 objects/);
      expect(again.stdout).toContain(`Nothing to restore: acme-restore already holds every key as it was at`);
    } finally {
      copier.close();
    }
  });
});
