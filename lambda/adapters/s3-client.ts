import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { assumedRoleCredentials } from './credentials';

export interface S3ClientOptions {
  readonly region: string;
  /** Credentials or a provider; default: the function's own role. */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** An S3-compatible endpoint (the local Ceph RGW); default AWS. */
  readonly endpoint?: string;
  /** Sockets kept open: at least the number of requests in flight (changes x parts). */
  readonly maxSockets: number;
  /** @default 5: throttling (503 SlowDown) is retried with exponential backoff and jitter by the SDK. */
  readonly maxAttempts?: number;
}

/**
 * One S3 client per set of credentials, built once per container and reused: keep-alive sockets
 * sized for the concurrency, the SDK's standard retry strategy for throttling, and no automatic
 * request checksums: Strongroom computes Content-MD5 and SHA-256 itself on every write (the SDK's
 * default streaming CRC trailer would duplicate that work, and Ceph RGW refuses it).
 */
export function createS3Client(options: S3ClientOptions): S3Client {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets };
  return new S3Client({
    region: options.region,
    credentials: options.credentials,
    ...(options.endpoint ? { endpoint: options.endpoint, forcePathStyle: true } : {}),
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'standard',
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 5_000,
      requestTimeout: 120_000,
    }),
  });
}

/**
 * An S3 client for the vault, signed as one of the vault roles (assumed with the deployment's external id,
 * cached until near expiry). The session name says which function of which account is calling, for the
 * vault account's CloudTrail.
 */
export function createVaultClient(
  env: { readonly strongroomName: string; readonly sourceAccountId: string; readonly externalId: string },
  as: { readonly roleArn: string; readonly caller: string },
  options: { readonly region: string; readonly maxSockets: number; readonly sts?: STSClient },
): S3Client {
  return createS3Client({
    region: options.region,
    maxSockets: options.maxSockets,
    credentials: assumedRoleCredentials(options.sts ?? new STSClient({ region: options.region }), {
      roleArn: as.roleArn,
      externalId: env.externalId,
      sessionName: `${env.strongroomName}-${as.caller}-${env.sourceAccountId}`,
    }),
  });
}
