/**
 * The vault roles in the backup tenant, one set per primary account: ingest, restore reader and auditor,
 * each with lib/policy's trust (naming the stand-ins of the function roles it trusts) and permissions.
 */
import { CreateRoleCommand, type IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { arns } from '../../lib/policy/model';
import { type VaultRoleKind, vaultRolePermissions, vaultRoleTrust } from '../../lib/policy/vault-roles';
import { toRgwIdentityPolicy, toRgwTrust } from '../rgw-policy-mapping';
import type { DeploymentPlan } from './plan';
import { forEachVaultRole, ProvisionError, step } from './step';
import type { LocalVaultRole } from './types';

/** Creates the primary account's vault roles; `standIns` maps each trusted AWS role to its stand-in's ARN. */
export function createVaultRoles(
  iam: IAMClient,
  plan: DeploymentPlan,
  standIns: Readonly<Record<string, string>>,
): Promise<Record<VaultRoleKind, LocalVaultRole>> {
  return forEachVaultRole((kind) => createVaultRole(iam, plan, kind, standIns));
}

async function createVaultRole(
  iam: IAMClient,
  plan: DeploymentPlan,
  kind: VaultRoleKind,
  standIns: Readonly<Record<string, string>>,
): Promise<LocalVaultRole> {
  const { model: m, primaryTenant } = plan;
  const roleName = m.roleNames[kind](primaryTenant);
  const trustPolicy = vaultRoleTrust(m, kind, primaryTenant);
  const permissionsPolicy = vaultRolePermissions(m, kind, primaryTenant);
  const trust = toRgwTrust(trustPolicy, standIns);
  const permissions = toRgwIdentityPolicy(permissionsPolicy);
  const created = await step('create vault role', `role ${m.backupAccount}/${roleName}`, () =>
    iam.send(new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trust.document) })),
  );
  await step('attach vault role permissions', `role ${m.backupAccount}/${roleName}`, () =>
    iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: 'strongroom',
        PolicyDocument: JSON.stringify(permissions.document),
      }),
    ),
  );
  const arn = arns.role(m, m.backupAccount, roleName);
  if (created.Role?.Arn !== arn) {
    throw new ProvisionError(
      'create vault role',
      `role ${roleName}`,
      new Error(`RGW returned ARN ${created.Role?.Arn}, expected ${arn}`),
    );
  }
  return {
    kind,
    name: roleName,
    arn,
    trust: { policy: trustPolicy, applied: trust },
    permissions: { policy: permissionsPolicy, applied: permissions },
  };
}
