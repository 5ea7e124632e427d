/**
 * A LocalDeployment as provisionLocalVault would return it, built without a server: the real plan, lib/policy's
 * documents, made-up keys (secrets recognisable as `secret-of-<user>`).
 */
import { loadConfig } from '../../../../lib/config/load';
import { policy } from '../../../../lib/policy/document';
import { arns } from '../../../../lib/policy/model';
import { primaryRoleStatements } from '../../../../lib/policy/primary-roles';
import { vaultBucketPolicy } from '../../../../lib/policy/vault-bucket';
import { accountPrefix, vaultRolePermissions, vaultRoleTrust } from '../../../../lib/policy/vault-roles';
import type { TenantAdmin } from '../../../../local/local-s3';
import type { LocalDeployment, LocalUser, LocalVaultRole } from '../../../../local/provision';
import { planLocalDeployment } from '../../../../local/provision/plan';
import { forEachFunctionRole, forEachVaultRole } from '../../../../local/provision/step';
import { standInUserArn, toRgwBucketPolicy, toRgwIdentityPolicy, toRgwTrust } from '../../../../local/rgw-policy-mapping';

const CONFIG = `${__dirname}/../../../../config/strongroom.local.json`;

function admin(tenant: string): TenantAdmin {
  return {
    tenant,
    user: 'admin',
    userArn: `arn:aws:iam::${tenant}:user/admin`,
    accessKeyId: `AK-${tenant}-admin`,
    secretAccessKey: `secret-of-${tenant}-admin`,
  };
}

export async function fakeDeployment(name = 'unit-abc'): Promise<Omit<LocalDeployment, 'deploymentFile'>> {
  const tenants = { primary: admin('primary'), backup: admin('backup') };
  const plan = planLocalDeployment({ tenants }, loadConfig(CONFIG), name);
  const m = plan.model;
  const user = (tenant: string, uid: string, standsInFor: string, doc: LocalUser['policy']): LocalUser => ({
    tenant,
    user: uid,
    arn: standInUserArn(tenant, uid),
    standsInFor,
    accessKeyId: `AK-${uid}`,
    secretAccessKey: `secret-of-${uid}`,
    policy: doc,
  });
  const functions = await forEachFunctionRole(async (kind) =>
    user(
      'primary',
      m.roleNames[kind],
      arns.role(m, 'primary', m.roleNames[kind]),
      toRgwIdentityPolicy(policy(...primaryRoleStatements(m, plan.primaryLocal, kind, name))),
    ),
  );
  const breakGlass = user(
    'backup',
    `${name}-break-glass`,
    arns.breakGlass(m),
    toRgwIdentityPolicy(policy({ Sid: 'BreakGlassVaultAdministration', Effect: 'Allow', Action: 's3:*', Resource: '*' })),
  );
  const standIns: Record<string, string> = { [breakGlass.standsInFor]: breakGlass.arn };
  for (const f of Object.values(functions)) standIns[f.standsInFor] = f.arn;
  const vaultRoles = await forEachVaultRole(async (kind): Promise<LocalVaultRole> => {
    const trust = vaultRoleTrust(m, kind, 'primary');
    const permissions = vaultRolePermissions(m, kind, 'primary');
    return {
      kind,
      name: m.roleNames[kind]('primary'),
      arn: arns.role(m, 'backup', m.roleNames[kind]('primary')),
      trust: { policy: trust, applied: toRgwTrust(trust, standIns) },
      permissions: { policy: permissions, applied: toRgwIdentityPolicy(permissions) },
    };
  });
  const bucketPolicy = vaultBucketPolicy(m);
  const applied = toRgwBucketPolicy(bucketPolicy, {
    wholeTenants: ['primary'],
    principals: [tenants.backup.userArn, breakGlass.arn, ...Object.values(vaultRoles).map((r) => r.arn)],
    standIns,
  });
  const primary = {
    accountId: plan.primaryConfig.accountId,
    tenant: 'primary',
    name: plan.primaryConfig.name,
    admin: tenants.primary,
    sources: plan.sources,
    restoreTargets: plan.restoreTargets,
    vaultRoles,
    functions,
    vaultPrefixes: {
      objects: accountPrefix('objects', 'primary'),
      journal: accountPrefix('journal', 'primary'),
      reports: accountPrefix('reports', 'primary'),
    },
  };
  return {
    name,
    endpoint: 'http://127.0.0.1:7999',
    region: 'us-east-1',
    externalId: plan.config.externalId,
    config: plan.config,
    mapping: plan.mapping,
    model: m,
    backup: { tenant: 'backup', admin: tenants.backup, breakGlass },
    vault: plan.vault,
    bucketPolicy: { policy: bucketPolicy, applied },
    primaries: [primary],
    primary,
    adaptations: [...applied.applied, ...Object.values(functions).flatMap((f) => f.policy.applied)],
    timings: { users: 120, identity: 80, buckets: 60, 'bucket policy': 10 },
  };
}
