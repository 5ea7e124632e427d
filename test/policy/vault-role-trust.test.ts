import { arns } from '../../lib/policy/model';
import { VAULT_ROLE_KINDS, type VaultRoleKind, vaultRoleTrust } from '../../lib/policy/vault-roles';
import {
  actors,
  BACKUP_ACCOUNT,
  cases,
  model,
  OTHER_PRIMARY_ACCOUNT,
  PRIMARY_ACCOUNT,
  prove,
  roleSession,
  type Scenario,
  simulate,
  UNRELATED_ACCOUNT,
} from './simulate';

/*
 * sts:AssumeRole on a vault role, with its trust policy as the resource policy. The callers'
 * identity policies allow sts:AssumeRole on every role (broader than the stacks grant), so that a
 * denial here can only come from the trust policy.
 */

const assumeAnything = {
  name: 'AssumeAnyRole',
  policy: {
    Version: '2012-10-17',
    Statement: [{ Sid: 'AssumeAnyRole', Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
  },
};
const lambdaRole = (account: string, name: string) =>
  roleSession(`${name}(${account.slice(0, 3)})`, account, name, [assumeAnything], name);

const copier = lambdaRole(PRIMARY_ACCOUNT, model.roleNames.copier);
const restore = lambdaRole(PRIMARY_ACCOUNT, model.roleNames.restore);
const verify = lambdaRole(PRIMARY_ACCOUNT, model.roleNames.verify);
const reconciler = lambdaRole(PRIMARY_ACCOUNT, model.roleNames.reconciler);
const sealer = lambdaRole(PRIMARY_ACCOUNT, model.roleNames.sealer);
const neighbourSealer = lambdaRole(OTHER_PRIMARY_ACCOUNT, model.roleNames.sealer);
const strangerSealer = lambdaRole(UNRELATED_ACCOUNT, model.roleNames.sealer);
const neighbourCopier = lambdaRole(OTHER_PRIMARY_ACCOUNT, model.roleNames.copier);
const strangerCopier = lambdaRole(UNRELATED_ACCOUNT, model.roleNames.copier);

const vaultRoleArn = (kind: VaultRoleKind, account = PRIMARY_ACCOUNT) =>
  arns.role(model, BACKUP_ACCOUNT, model.roleNames[kind](account));
const withExternalId = (externalId = model.externalId) => ({ 'sts:ExternalId': externalId, 'sts:RoleSessionName': 'strongroom' });
const trusted = ['identity:AssumeAnyRole', 'resource:AssumeFromNamedPrimaryRole'];
const untrusted = 'implicit:resource';

interface TrustScenario extends Scenario {
  readonly kind: VaultRoleKind;
}
const assume = (
  kind: VaultRoleKind,
  principal: Scenario['principal'],
  context: Record<string, string>,
  expected: Scenario['expected'],
  reason: Scenario['reason'],
): TrustScenario => ({ kind, principal, action: 'sts:AssumeRole', resource: vaultRoleArn(kind), context, expected, reason });

const rows: TrustScenario[] = [
  // The ingest role: the copier and the sealer (which appends seals and indexes under journal/<account>/).
  assume('ingest', copier, withExternalId(), 'Allowed', trusted),
  assume('ingest', sealer, withExternalId(), 'Allowed', trusted),
  assume('ingest', sealer, withExternalId('strongroom-wrong-external-id'), 'ImplicitlyDenied', untrusted),
  assume('ingest', sealer, { 'sts:RoleSessionName': 'strongroom' }, 'ImplicitlyDenied', untrusted),
  assume('ingest', neighbourSealer, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', strangerSealer, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', verify, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', reconciler, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', copier, withExternalId('strongroom-wrong-external-id'), 'ImplicitlyDenied', untrusted),
  assume('ingest', copier, { 'sts:RoleSessionName': 'strongroom' }, 'ImplicitlyDenied', untrusted),
  assume('ingest', actors.primaryAdmin, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', actors.primaryRoot, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', restore, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', neighbourCopier, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('ingest', strangerCopier, withExternalId(), 'ImplicitlyDenied', untrusted),
  // Same account or not, a role's trust policy must name the caller: the backup admin gets nothing.
  assume('ingest', actors.backupAdmin, withExternalId(), 'ImplicitlyDenied', untrusted),
  // The restore reader: the restore function only.
  assume('restoreReader', restore, withExternalId(), 'Allowed', trusted),
  assume('restoreReader', copier, withExternalId(), 'ImplicitlyDenied', untrusted),
  // The sealer reads the journal as the auditor, never object data as the restore reader.
  assume('restoreReader', sealer, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('restoreReader', restore, withExternalId('strongroom-wrong-external-id'), 'ImplicitlyDenied', untrusted),
  assume('restoreReader', actors.primaryAdmin, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('restoreReader', actors.backupAdmin, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume(
    'restoreReader',
    lambdaRole(OTHER_PRIMARY_ACCOUNT, model.roleNames.restore),
    withExternalId(),
    'ImplicitlyDenied',
    untrusted,
  ),
  // The auditor: verify, the reconciler and the sealer.
  assume('auditor', verify, withExternalId(), 'Allowed', trusted),
  assume('auditor', reconciler, withExternalId(), 'Allowed', trusted),
  assume('auditor', sealer, withExternalId(), 'Allowed', trusted),
  assume('auditor', sealer, withExternalId('strongroom-wrong-external-id'), 'ImplicitlyDenied', untrusted),
  assume('auditor', sealer, {}, 'ImplicitlyDenied', untrusted),
  assume('auditor', neighbourSealer, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('auditor', restore, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('auditor', copier, withExternalId(), 'ImplicitlyDenied', untrusted),
  assume('auditor', verify, {}, 'ImplicitlyDenied', untrusted),
  assume('auditor', actors.primaryAdmin, withExternalId(), 'ImplicitlyDenied', untrusted),
];

describe('vault role trust policies', () => {
  it.each(cases(rows))('%s', async (_title, row) =>
    prove(row, { resourcePolicy: vaultRoleTrust(model, (row as TrustScenario).kind, PRIMARY_ACCOUNT) }),
  );

  it('each vault role admits exactly its named primary roles: the sealer is the only caller added, to ingest and auditor', async () => {
    const named = Object.fromEntries(
      VAULT_ROLE_KINDS.map((kind) => [kind, vaultRoleTrust(model, kind, PRIMARY_ACCOUNT).Statement[0]?.Condition?.ArnEquals]),
    );
    const role = (name: string) => arns.role(model, PRIMARY_ACCOUNT, name);
    expect(named).toEqual({
      ingest: { 'aws:PrincipalArn': [role('strongroom-copier'), role('strongroom-sealer')] },
      restoreReader: { 'aws:PrincipalArn': [role('strongroom-restore')] },
      auditor: { 'aws:PrincipalArn': [role('strongroom-verify'), role('strongroom-reconciler'), role('strongroom-sealer')] },
      evidenceWriter: { 'aws:PrincipalArn': [role('strongroom-verify')] },
    });
    // And the evaluation agrees, for every function role against every vault role.
    const functions = { copier, restore, verify, reconciler, sealer };
    const admitted: Record<VaultRoleKind, string[]> = { ingest: [], restoreReader: [], auditor: [], evidenceWriter: [] };
    for (const kind of VAULT_ROLE_KINDS) {
      for (const [name, actor] of Object.entries(functions)) {
        const decision = await simulate({
          actor,
          action: 'sts:AssumeRole',
          resource: vaultRoleArn(kind),
          context: withExternalId(),
          resourcePolicy: vaultRoleTrust(model, kind, PRIMARY_ACCOUNT),
        });
        if (decision.result === 'Allowed') admitted[kind].push(name);
      }
    }
    expect(admitted).toEqual({
      ingest: ['copier', 'sealer'],
      restoreReader: ['restore'],
      auditor: ['verify', 'reconciler', 'sealer'],
      evidenceWriter: ['verify'],
    });
  });

  it("a neighbour's copier is trusted by its own ingest role, not by this one", async () => {
    const own = await simulate({
      actor: neighbourCopier,
      action: 'sts:AssumeRole',
      resource: vaultRoleArn('ingest', OTHER_PRIMARY_ACCOUNT),
      context: withExternalId(),
      resourcePolicy: vaultRoleTrust(model, 'ingest', OTHER_PRIMARY_ACCOUNT),
    });
    expect(own).toEqual({ result: 'Allowed', because: trusted, blockedBy: [] });
  });
});

describe('vault role trust guards', () => {
  // Drop one condition and the caller it keeps out gets in: the rows above rest on each of them.
  const trust = vaultRoleTrust(model, 'ingest', PRIMARY_ACCOUNT);
  const withoutCondition = (key: 'StringEquals' | 'ArnEquals') => {
    const [statement] = trust.Statement;
    const condition = { ...statement?.Condition };
    delete condition[key];
    return { ...trust, Statement: [{ ...statement, Condition: condition }] } as typeof trust;
  };

  it('without the aws:PrincipalArn pin, the primary admin assumes the ingest role', async () => {
    const request = {
      actor: actors.primaryAdmin,
      action: 'sts:AssumeRole',
      resource: vaultRoleArn('ingest'),
      context: withExternalId(),
    };
    expect((await simulate({ ...request, resourcePolicy: trust })).result).toBe('ImplicitlyDenied');
    expect(await simulate({ ...request, resourcePolicy: withoutCondition('ArnEquals') })).toEqual({
      result: 'Allowed',
      because: ['identity:AdministratorAccess', 'resource:AssumeFromNamedPrimaryRole'],
      blockedBy: [],
    });
  });

  it('without the external id condition, a wrong external id is accepted', async () => {
    const request = {
      actor: copier,
      action: 'sts:AssumeRole',
      resource: vaultRoleArn('ingest'),
      context: withExternalId('strongroom-wrong-external-id'),
    };
    expect((await simulate({ ...request, resourcePolicy: trust })).result).toBe('ImplicitlyDenied');
    expect(await simulate({ ...request, resourcePolicy: withoutCondition('StringEquals') })).toEqual({
      result: 'Allowed',
      because: trusted,
      blockedBy: [],
    });
  });
});
