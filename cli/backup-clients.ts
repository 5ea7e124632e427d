import { BackupClient } from '@aws-sdk/client-backup';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

/*
 * AWS Backup clients for `strongroom recovery-points`: one for the backup account (--profile, or --role-arn
 * assumed from it with --external-id), one for the primary account (--primary-profile). Credentials otherwise
 * come from the SDK's default chain.
 */

export interface BackupAccountAccess {
  readonly profile?: string;
  readonly region?: string;
  readonly roleArn?: string;
  readonly externalId?: string;
}

export async function backupAccountClient(access: BackupAccountAccess): Promise<BackupClient> {
  const base = {
    ...(access.region ? { region: access.region } : {}),
    ...(access.profile ? { profile: access.profile } : {}),
  };
  if (!access.roleArn) return new BackupClient(base);
  const sts = new STSClient(base);
  try {
    const out = await sts.send(
      new AssumeRoleCommand({
        RoleArn: access.roleArn,
        RoleSessionName: 'strongroom-recovery-points',
        ...(access.externalId ? { ExternalId: access.externalId } : {}),
      }),
    );
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole of ${access.roleArn} returned no credentials`);
    return new BackupClient({
      ...(access.region ? { region: access.region } : {}),
      credentials: {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      },
    });
  } finally {
    sts.destroy();
  }
}

export function primaryAccountClient(options: { readonly profile?: string; readonly region?: string }): BackupClient {
  return new BackupClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
  });
}
