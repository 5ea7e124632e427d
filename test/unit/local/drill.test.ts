import path from 'node:path';
import { loadConfig } from '../../../lib/config/load';
import { vaultPolicyModel } from '../../../lib/policy/model';
import { vaultBucketPolicy } from '../../../lib/policy/vault-bucket';
import { accountSid } from '../../../lib/policy/vault-roles';
import { describeExpected, drillCatalogue, type Expected, PRINCIPAL_IDS } from '../../../local/drill/catalogue';
import { parseDrillArgs } from '../../../local/drill/main';
import { compareInventories, drillReport, judge, summaryLine } from '../../../local/drill/run-drill';
import type { Outcome } from '../../../local/outcome';

const denied: Outcome = { ok: false, name: 'AccessDenied', status: 403, error: new Error('denied') };
const notAllowed: Outcome = { ok: false, name: 'MethodNotAllowed', status: 405, error: new Error('405') };
const ok = (value: unknown): Outcome => ({ ok: true, value });
const addsVersion: Expected = {
  kind: 'rgw',
  adaptation: 'unevaluated-condition-statement',
  local: 'adds-version',
  awsProof: 'P',
};

describe('judge', () => {
  it('a denial holds only as a 403: another refusal, or a success, does not', () => {
    expect(judge({ kind: 'denied' }, denied).held).toBe(true);
    expect(judge({ kind: 'denied' }, notAllowed)).toEqual({ held: false, actual: 'MethodNotAllowed (405)' });
    expect(judge({ kind: 'denied' }, ok({}))).toEqual({ held: false, actual: 'ok' });
  });

  it('a local success is never called a denial: it holds as an adaptation only when it added a version it names', () => {
    expect(judge(addsVersion, ok({ Key: 'k', VersionId: 'v1' }))).toEqual({
      held: true,
      actual: 'ok: added version v1',
      added: { key: 'k', versionId: 'v1' },
    });
    expect(judge(addsVersion, ok({})).held).toBe(false);
    // a stricter server is reported as it is
    expect(judge(addsVersion, denied)).toEqual({ held: true, actual: 'AccessDenied (403)' });
    expect(judge({ ...addsVersion, local: 405 }, notAllowed).held).toBe(true);
    expect(judge({ ...addsVersion, local: 405 }, ok({})).held).toBe(false);
  });

  it('an expected refusal holds only with its status; an allowed write must add a version', () => {
    expect(judge({ kind: 'refused', status: 409, why: 'w' }, denied).held).toBe(false);
    expect(judge({ kind: 'allowed', adds: true }, ok({ Key: 'k' })).held).toBe(false);
    expect(judge({ kind: 'allowed' }, denied).held).toBe(false);
  });

  it('says what AWS does and what the local S3 does', () => {
    expect(describeExpected(addsVersion)).toBe(
      'denied on AWS (policy proof: P); locally: adds a version, no earlier version lost',
    );
    expect(describeExpected({ kind: 'denied', by: 'Object Lock' })).toBe('denied (Object Lock)');
  });
});

describe('the catalogue', () => {
  const catalogue = drillCatalogue();
  const config = loadConfig(path.resolve(__dirname, '..', '..', '..', 'config', 'strongroom.local.json'));
  const model = vaultPolicyModel(config);
  const sids = new Set(vaultBucketPolicy(model).Statement.map((s) => s.Sid));
  const account = model.primaryAccounts[0] as string;

  it('at least 100 attempts, every principal, each attempt once', () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(100);
    expect(new Set(catalogue.map((a) => a.principal))).toEqual(new Set(PRINCIPAL_IDS));
    expect(new Set(catalogue.map((a) => `${a.principal} ${a.action}`)).size).toBe(catalogue.length);
  });

  it('names only denies lib/policy writes, and none for break-glass or for what should succeed', () => {
    for (const a of catalogue) {
      for (const deny of a.deniedBy) expect(sids.has(deny) || sids.has(accountSid(deny, account))).toBe(true);
      if (a.principal === 'breakGlass' || a.expected.kind === 'allowed') expect(a.deniedBy).toEqual([]);
    }
    // the exempt principal does not rely on the deny that exempts it
    expect(catalogue.find((a) => a.principal === 'ingest' && a.action === 'write-new-object')?.deniedBy).toEqual([]);
    expect(catalogue.find((a) => a.principal === 'backupAdmin' && a.action === 'write-new-object')?.deniedBy).toEqual([
      'DenyBackupWritesExceptIngest',
    ]);
  });

  it('tries every destructive category on the vault with every principal that is not exempt', () => {
    const categories = new Set(catalogue.map((a) => a.category));
    for (const c of [
      'delete version',
      'delete marker',
      'retention',
      'legal hold',
      'overwrite',
      'forge',
      'copy over',
      'tagging',
      'acl',
      'bucket policy',
      'bucket config',
      'replication',
      'bucket deletion',
      'read',
      'list',
      'assume role',
    ])
      expect(categories).toContain(c);
  });
});

describe('the summary', () => {
  const snapshot = (versions: { key: string; versionId: string }[]) => ({
    takenAt: new Date(),
    versions: versions.map((v) => ({ ...v, size: 1, sha256: 'h' })),
    deleteMarkers: [],
  });
  const result = { principal: 'ingest' as const, attempt: 'a', category: 'forge', expected: 'e', actual: 'ok', held: true };

  it('fails the drill for a version added by no attempt', () => {
    const before = snapshot([{ key: 'a', versionId: '1' }]);
    const after = snapshot([
      { key: 'a', versionId: '1' },
      { key: 'b', versionId: '2' },
    ]);
    const c = compareInventories(before, after, [result]);
    expect(c.unexplained).toEqual([{ key: 'b', versionId: '2' }]);
    const r = drillReport('d', [result], before, after, c, 1234);
    expect(r.ok).toBe(false);
    const attributed = [{ ...result, added: { key: 'b', versionId: '2' } }];
    const fine = drillReport('d', attributed, before, after, compareInventories(before, after, attributed), 12_345);
    expect(fine.ok).toBe(true);
    expect(summaryLine(fine)).toBe(
      'drill: 1 attempts, 1 principals, 1 held, 0 failed, vault 1 versions before and 2 after (1 added, 1 of them by an attempt expected to), 0 lost, 0 changed, 12.3 s',
    );
  });
});

describe('parseDrillArgs', () => {
  it("takes --json and --concurrency, and the demo's flags", () => {
    expect(parseDrillArgs(['--json', '--concurrency', '4', '--port', '7690'])).toMatchObject({
      json: true,
      concurrency: 4,
      port: 7690,
    });
    expect(() => parseDrillArgs(['--concurrency', '0'])).toThrow("--concurrency must be a whole number in 1-64, got '0'");
    expect(() => parseDrillArgs(['--nope'])).toThrow("unknown argument '--nope'");
  });
});
