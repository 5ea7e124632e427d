/**
 * Acting as someone on a local deployment: a tenant admin, a stand-in user, or a vault role reached the way
 * the deployed functions reach it — real STS AssumeRole from the stand-in of the function role that the
 * vault trusts, with the external id.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleError } from '../lambda/adapters/credentials';
import type { PrimaryRoleKind } from '../lib/policy/primary-roles';
import { assumingRoleName, type VaultRoleKind } from '../lib/policy/vault-roles';
import { type LocalS3Credentials, rgwClientConfig, s3ClientFor } from './local-s3';
import type { LocalDeployment, LocalPrimaryAccount } from './provision';

export { AssumeRoleError };

export interface VaultSession {
  readonly roleArn: string;
  /** Who assumed the role (normally the stand-in of the function role the trust names). */
  readonly caller: LocalS3Credentials;
  readonly credentials: Required<LocalS3Credentials>;
  /** An S3 client signed with the session; call destroy() when done. */
  readonly s3: S3Client;
}

export interface AssumeOptions {
  /** @default the deployment's first primary account */
  readonly primary?: LocalPrimaryAccount;
  /** Who calls AssumeRole. @default the stand-in of the (first) function role the trust names */
  readonly caller?: LocalS3Credentials;
  /** @default the deployment's external id (RGW accepts any: adaptation trust-conditions) */
  readonly externalId?: string;
  /** @default 'strongroom-local' */
  readonly sessionName?: string;
}

/** The function role whose stand-in assumes this vault role (copier -> ingest, restore -> restore reader, verify -> auditor). */
export function assumingFunction(deployment: LocalDeployment, kind: VaultRoleKind): PrimaryRoleKind {
  const [roleName] = assumingRoleName(deployment.model, kind);
  const found = (Object.keys(deployment.primary.functions) as PrimaryRoleKind[]).find(
    (k) => deployment.model.roleNames[k] === roleName,
  );
  if (!found) throw new AssumeRoleError(`no function role of ${deployment.name} assumes the ${kind} role`);
  return found;
}

/** Assumes a vault role through STS and returns the session (credentials and an S3 client). */
export async function assumeVaultRole(
  deployment: LocalDeployment,
  kind: VaultRoleKind,
  options: AssumeOptions = {},
): Promise<VaultSession> {
  const primary = options.primary ?? deployment.primary;
  const role = primary.vaultRoles[kind];
  const caller = options.caller ?? primary.functions[assumingFunction(deployment, kind)];
  const credentials = await assumeRole(deployment.endpoint, caller, role.arn, {
    externalId: options.externalId ?? deployment.externalId,
    sessionName: options.sessionName ?? 'strongroom-local',
  });
  return { roleArn: role.arn, caller, credentials, s3: s3ClientFor(credentials, deployment.endpoint) };
}

/** STS AssumeRole as `caller`; throws the SDK error (name, HTTP status) when the trust refuses it. */
export async function assumeRole(
  endpoint: string,
  caller: LocalS3Credentials,
  roleArn: string,
  options: { readonly externalId?: string; readonly sessionName: string },
): Promise<Required<LocalS3Credentials>> {
  const sts = new STSClient(rgwClientConfig(caller, endpoint, 4));
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: options.sessionName,
        ...(options.externalId !== undefined ? { ExternalId: options.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
      throw new AssumeRoleError(`AssumeRole ${roleArn} returned no credentials`);
    }
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
  } finally {
    sts.destroy();
  }
}

/** An S3 client acting as a user (a tenant admin or a stand-in); call destroy() when done. */
export function clientAs(deployment: LocalDeployment, who: LocalS3Credentials): S3Client {
  return s3ClientFor(who, deployment.endpoint);
}
