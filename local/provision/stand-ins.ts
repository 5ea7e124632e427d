/**
 * The stand-in users: one per primary function role (copier, reconciler, restore, verify, sealer) in the primary
 * tenant and one for break-glass in the backup tenant, each created with an access key and then given the
 * role's identity statements as a user policy (RGW has no Lambda to hold the roles: adaptation stand-in-users).
 */
import { type IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { type PolicyDocument, policy } from '../../lib/policy/document';
import { arns } from '../../lib/policy/model';
import { type PrimaryRoleKind, primaryRoleStatements } from '../../lib/policy/primary-roles';
import { type LocalS3, radosgwAdmin } from '../local-s3';
import { standInUserArn, toRgwIdentityPolicy } from '../rgw-policy-mapping';
import type { DeploymentPlan } from './plan';
import { forEachFunctionRole, ProvisionError, step } from './step';
import type { LocalUser, StandInUser } from './types';

export interface StandIns {
  readonly functions: Readonly<Record<PrimaryRoleKind, StandInUser>>;
  readonly breakGlass: StandInUser;
  /** AWS role ARN (as the local documents name it) -> ARN of its stand-in: what the trust and bucket-policy mappings use. */
  readonly byRole: Readonly<Record<string, string>>;
}

/** Creates the stand-in users (first: the vault role trusts and the bucket policy name them). */
export async function createStandInUsers(localS3: LocalS3, plan: DeploymentPlan): Promise<StandIns> {
  const { model: m, primaryTenant } = plan;
  const creatingFunctions = forEachFunctionRole((kind) =>
    createUser(localS3, primaryTenant, m.roleNames[kind], arns.role(m, primaryTenant, m.roleNames[kind])),
  );
  const creatingBreakGlass = createUser(localS3, plan.backupTenant, `${plan.name}-break-glass`, arns.breakGlass(m));
  await Promise.all([creatingFunctions, creatingBreakGlass]);
  const functions = await creatingFunctions;
  const breakGlass = await creatingBreakGlass;
  const byRole: Record<string, string> = { [breakGlass.standsInFor]: breakGlass.arn };
  for (const user of Object.values(functions)) byRole[user.standsInFor] = user.arn;
  return { functions, breakGlass, byRole };
}

/** Gives each function stand-in its role's identity statements (lib/policy/primary-roles.ts, RGW-mapped). */
export function attachFunctionPolicies(
  iam: IAMClient,
  plan: DeploymentPlan,
  users: Readonly<Record<PrimaryRoleKind, StandInUser>>,
): Promise<Record<PrimaryRoleKind, LocalUser>> {
  return forEachFunctionRole(async (kind) => {
    const user = users[kind];
    const doc = toRgwIdentityPolicy(policy(...primaryRoleStatements(plan.model, plan.primaryLocal, kind, plan.name)));
    await putUserPolicy(iam, user.tenant, user.user, `strongroom-${kind}`, doc.document);
    return { ...user, policy: doc };
  });
}

/**
 * The break-glass role is the customer's own, with administrator rights: its stand-in may do anything to the
 * vault that the policy's exemptions and Object Lock leave possible.
 */
export async function attachBreakGlassPolicy(iam: IAMClient, plan: DeploymentPlan, user: StandInUser): Promise<LocalUser> {
  const m = plan.model;
  const doc = toRgwIdentityPolicy(
    policy({
      Sid: 'BreakGlassVaultAdministration',
      Effect: 'Allow',
      Action: 's3:*',
      Resource: [arns.bucket(m, m.vaultBucket), arns.objects(m, m.vaultBucket)],
    }),
  );
  await putUserPolicy(iam, user.tenant, user.user, 'strongroom-break-glass', doc.document);
  return { ...user, policy: doc };
}

interface RadosgwUserInfo {
  readonly keys?: readonly { readonly access_key: string; readonly secret_key: string }[];
}

async function createUser(localS3: LocalS3, tenant: string, user: string, standsInFor: string): Promise<StandInUser> {
  const info = await step('create stand-in user', `user ${tenant}$${user}`, () =>
    radosgwAdmin<RadosgwUserInfo>(localS3, [
      'user',
      'create',
      '--tenant',
      tenant,
      '--uid',
      user,
      '--display-name',
      `stand-in for ${standsInFor}`,
    ]),
  );
  const key = info?.keys?.[0];
  if (!key)
    throw new ProvisionError('create stand-in user', `user ${tenant}$${user}`, new Error('radosgw-admin returned no access key'));
  return {
    tenant,
    user,
    arn: standInUserArn(tenant, user),
    standsInFor,
    accessKeyId: key.access_key,
    secretAccessKey: key.secret_key,
  };
}

/** RGW's IAM API names a user of a tenant `tenant$uid`; a bare uid is looked up outside any tenant (404). */
function putUserPolicy(iam: IAMClient, tenant: string, user: string, policyName: string, doc: PolicyDocument) {
  return step('attach user policy', `user ${tenant}$${user} (policy ${policyName})`, () =>
    iam.send(
      new PutUserPolicyCommand({ UserName: `${tenant}$${user}`, PolicyName: policyName, PolicyDocument: JSON.stringify(doc) }),
    ),
  );
}
