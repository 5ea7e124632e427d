/**
 * The provisioned vault against its attackers, live on the local S3 (threats T1, T4 and T9 of the design):
 * the attack drill's catalogue (local/drill/catalogue.ts), one test per attempt, grouped by principal — the
 * primary account's admin (an intruder with full admin there), the vault roles outside their grants, the
 * backup account's admin (the bucket's owner), and break-glass (exempt from the policy, not from Object Lock).
 *
 * The catalogue runs once, against one backed-up vault; each test then reads its attempt's outcome, so a
 * failure names the attempt. Every version the catalogue aims at is checked intact afterwards, bytes included.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { type DrillContext, drillCatalogue, PRINCIPAL_IDS, PRINCIPALS, type PrincipalId } from '../../local/drill/catalogue';
import { type AttemptResult, inventory, openPrincipals, runAttempts, targetsIn } from '../../local/drill/run-drill';
import type { VaultSnapshot } from '../../local/vault-snapshot';
import { seededDeployment } from './support/drill';
import { expectAllowed, sha256 } from './support/vault';

jest.setTimeout(240_000);

const catalogue = drillCatalogue();
let principals: Awaited<ReturnType<typeof openPrincipals>>;
let ctx: DrillContext;
let before: VaultSnapshot;
let results: AttemptResult[];

beforeAll(async () => {
  const d = await seededDeployment('protect');
  principals = await openPrincipals(d);
  before = await inventory(d, principals.clients.breakGlass);
  ctx = { deployment: d, clients: principals.clients, targets: targetsIn(d, before), runId: `p${Date.now().toString(36)}` };
  results = await runAttempts(ctx, catalogue);
});
afterAll(() => principals?.close());

const byPrincipal = (principal: PrincipalId) =>
  catalogue.flatMap((a, i) => (a.principal === principal ? [[a.attempt, i] as const] : []));

describe.each(PRINCIPAL_IDS.map((p) => [PRINCIPALS[p].label, p] as const))('%s', (_label, principal) => {
  test.each(byPrincipal(principal))('%s', (_attempt, i) => {
    const r = results[i] as AttemptResult;
    expect({ expected: r.expected, actual: r.actual, held: r.held }).toEqual({
      expected: r.expected,
      actual: r.actual,
      held: true,
    });
  });
});

test('every version the attempts aimed at is still there with its bytes (read as break-glass)', async () => {
  const { object, journal, report } = ctx.targets;
  for (const target of [object, journal, ...(report ? [report] : [])]) {
    const was = before.versions.find((v) => v.key === target.key && v.versionId === target.versionId);
    const got = await expectAllowed(
      principals.clients.breakGlass.send(
        new GetObjectCommand({ Bucket: ctx.deployment.vault.address, Key: target.key, VersionId: target.versionId }),
      ),
    );
    expect(sha256((await got.Body?.transformToByteArray()) ?? new Uint8Array())).toBe(was?.sha256);
  }
});
