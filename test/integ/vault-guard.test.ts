/**
 * Guards: proof that the drill would catch a regression in lib/policy. On one scratch vault, for each deny of
 * the bucket policy as applied to the local S3, break-glass replaces the policy with the same document less
 * that one statement, the drill's attempts that rely on it run, and at least one of them must now fail; the
 * full policy is put back (and checked) before the next. Each round first runs the same attempts under the
 * full policy, where every one must hold, so a failure is the removal's doing.
 *
 * Every deny of the applied policy is guarded, except DenyInsecureTransport: RGW does not evaluate
 * aws:SecureTransport (adaptation secure-transport), so removing it changes nothing here; the offline proof is
 * in test/policy/vault-bucket.test.ts. lib/policy's denies that the mapping drops (the lock-header and
 * If-None-Match denies, DenyReplicationWritesExceptBreakGlass) are not in the applied policy: RGW cannot
 * enforce them, and test/policy guards them offline.
 *
 * What flips is mostly the backup admin's attempts: on RGW the bucket owner holds rights through ACLs that only
 * the denies take away, while a role session is confined by its missing grants with or without them.
 */
import { GetBucketPolicyCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import type { PolicyDocument } from '../../lib/policy/document';
import { accountSid } from '../../lib/policy/vault-roles';
import { type DenyName, type DrillContext, drillCatalogue, PRINCIPALS } from '../../local/drill/catalogue';
import { openPrincipals, runAttempts } from '../../local/drill/run-drill';
import type { LocalDeployment } from '../../local/provision';
import { seededDeployment } from './support/drill';
import { expectAllowed, testKey, vaultPut } from './support/vault';

jest.setTimeout(120_000);

const UNGUARDED: Record<string, string> = {
  DenyInsecureTransport: 'RGW does not evaluate aws:SecureTransport (adaptation secure-transport)',
};

/** The bucket-reconfiguration round last: removing it lets the backup admin change the bucket itself. */
const ORDER: readonly DenyName[] = [
  'DenyObjectDestructionExceptBreakGlass',
  'DenyBackupWritesExceptIngest',
  'DenyReportWritesExceptEvidenceWriter',
  'DenyWritesOutsideAccountPrefixesExceptBreakGlass',
  'DenyObjectTaggingExceptBreakGlass',
  'DenyDataReadsExceptRestoreReaders',
  'DenyPolicyChangesExceptBreakGlassAndDeployer',
  'DenyBucketReconfigurationExceptBreakGlass',
];

let d: LocalDeployment;
let principals: Awaited<ReturnType<typeof openPrincipals>>;
let applied: PolicyDocument;

beforeAll(async () => {
  d = await seededDeployment('guard');
  principals = await openPrincipals(d);
  applied = d.bucketPolicy.applied.document;
});
afterAll(() => principals?.close());

/** The applied statement of a deny (per-account denies carry the local account: the tenant). */
const sidOf = (deny: string) =>
  applied.Statement.find((s) => s.Sid === deny || s.Sid === accountSid(deny, d.primary.tenant))?.Sid;

async function putPolicy(doc: PolicyDocument): Promise<void> {
  const breakGlass = principals.clients.breakGlass;
  await expectAllowed(breakGlass.send(new PutBucketPolicyCommand({ Bucket: d.vault.address, Policy: JSON.stringify(doc) })));
  const now = await expectAllowed(breakGlass.send(new GetBucketPolicyCommand({ Bucket: d.vault.address })));
  expect((JSON.parse(now.Policy ?? '{}') as PolicyDocument).Statement.map((s) => s.Sid)).toEqual(doc.Statement.map((s) => s.Sid));
}

/** Fresh targets for a round, written as the pipeline writes them: earlier rounds may have marked or tagged theirs. */
async function freshContext(round: string): Promise<DrillContext> {
  const write = async (kind: 'ingest' | 'evidenceWriter', area: 'objects' | 'journal' | 'reports') => {
    const key = testKey(d, area, `guard-${round}`);
    const put = await expectAllowed(principals.clients[kind].send(vaultPut(d.vault.address, key, `${area} of ${round}`)));
    if (!put.VersionId) throw new Error(`the write of ${key} returned no version id`);
    return { key, versionId: put.VersionId };
  };
  const [object, journal, report] = await Promise.all([
    write('ingest', 'objects'),
    write('ingest', 'journal'),
    write('evidenceWriter', 'reports'),
  ]);
  return { deployment: d, clients: principals.clients, targets: { object, journal, report }, runId: round };
}

test('every deny of the applied policy has a round below, or says why not', () => {
  const denies = applied.Statement.filter((s) => s.Effect === 'Deny').map((s) => s.Sid);
  const guarded = ORDER.map(sidOf);
  expect(guarded).not.toContain(undefined);
  expect(denies.filter((sid) => !guarded.includes(sid) && !(sid && sid in UNGUARDED))).toEqual([]);
});

test.each(ORDER)('without %s, an attempt of the drill that relies on it fails', async (deny) => {
  const sid = sidOf(deny) as string;
  const relying = drillCatalogue().filter((a) => a.deniedBy.includes(deny));
  expect(relying.length).toBeGreaterThan(0);
  const ctx = await freshContext(`${deny.slice(4, 14).toLowerCase()}${Date.now().toString(36)}`);

  const control = await runAttempts(ctx, relying);
  expect(control.filter((r) => !r.held).map((r) => `${r.principal}: ${r.attempt}: ${r.actual}`)).toEqual([]);

  await putPolicy({ ...applied, Statement: applied.Statement.filter((s) => s.Sid !== sid) });
  try {
    const weakened = await runAttempts({ ...ctx, runId: `${ctx.runId}w` }, relying);
    const caught = weakened.filter((r) => !r.held).map((r) => `${PRINCIPALS[r.principal].label}: ${r.attempt}`);
    expect(caught.length).toBeGreaterThan(0);
  } finally {
    await putPolicy(applied);
  }
});

test('with the policy back, every attempt the rounds relied on holds again', async () => {
  const relying = drillCatalogue().filter((a) => a.deniedBy.length > 0);
  const results = await runAttempts(await freshContext(`after${Date.now().toString(36)}`), relying);
  expect(results.filter((r) => !r.held).map((r) => `${r.principal}: ${r.attempt}: ${r.actual}`)).toEqual([]);
});
