import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { StrongroomError } from '../../contract/errors';

/*
 * The one way Strongroom crosses into the vault account: STS AssumeRole with the external id and a
 * session name that says who and why, cached until shortly before the credentials expire, with
 * concurrent callers sharing one request.
 */

export interface AssumeRoleParams {
  readonly roleArn: string;
  readonly externalId: string;
  /** Shows in the vault account's CloudTrail: e.g. `strongroom-copier-<request id>`. 2-64 characters. */
  readonly sessionName: string;
  /** @default 3600 (the vault roles' maximum session) */
  readonly durationSeconds?: number;
}

/** Refresh this long before expiry, so no request starts with credentials about to lapse. */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60 * 1000;

export class AssumeRoleError extends StrongroomError {
  public override readonly name = 'AssumeRoleError';
}

export function assumedRoleCredentials(
  sts: STSClient,
  params: AssumeRoleParams,
  now: () => number = Date.now,
): AwsCredentialIdentityProvider {
  const sessionName = params.sessionName
    .replace(/[^\w+=,.@-]/g, '-')
    .slice(0, 64)
    .padEnd(2, '-');
  let cached: AwsCredentialIdentity | undefined;
  let inFlight: Promise<AwsCredentialIdentity> | undefined;

  const fresh = () => cached?.expiration !== undefined && cached.expiration.getTime() - REFRESH_BEFORE_EXPIRY_MS > now();

  return async () => {
    if (cached && fresh()) return cached;
    inFlight ??= (async () => {
      try {
        const { Credentials } = await sts.send(
          new AssumeRoleCommand({
            RoleArn: params.roleArn,
            RoleSessionName: sessionName,
            ExternalId: params.externalId,
            DurationSeconds: params.durationSeconds ?? 3600,
          }),
        );
        if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken || !Credentials.Expiration) {
          throw new AssumeRoleError(`AssumeRole ${params.roleArn} returned incomplete credentials`);
        }
        cached = {
          accessKeyId: Credentials.AccessKeyId,
          secretAccessKey: Credentials.SecretAccessKey,
          sessionToken: Credentials.SessionToken,
          expiration: Credentials.Expiration,
        };
        return cached;
      } catch (error) {
        if (error instanceof AssumeRoleError) throw error;
        const code = (error as { name?: string }).name ?? 'Error';
        throw new AssumeRoleError(
          `could not assume ${params.roleArn} (${code}): check the role exists, trusts this function's role, and the external id matches`,
          { cause: error },
        );
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };
}
