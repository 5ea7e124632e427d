import type { S3Client } from '@aws-sdk/client-s3';
import type { CheckId, VerifyReport } from '../../../contract/verify-report';
import type { AwsServiceClients } from './aws-clients';
import type { DrillResult } from './drill';

/*
 * What every check reads: the settings it is measured against (from the function's environment on AWS,
 * from the deployment file locally) and the clients, each holding the credentials of the least-privileged
 * role that can prove its checks.
 */

export interface SourceSetting {
  readonly bucket: string;
  /** Empty: the whole bucket. */
  readonly prefixes: readonly string[];
}

/** What the vault bucket's policy must hold: each deny statement Strongroom writes, by Sid, as a digest. */
export interface ExpectedPolicy {
  /** Sid -> SHA-256 of the statement's canonical form (contract/policy-digest.ts). */
  readonly denies: Readonly<Record<string, string>>;
  /** The Sid of the statement refusing requests without TLS. */
  readonly tlsSid: string;
}

export interface VerifySettings {
  readonly deploymentName: string;
  /** "account 222222222222 (eu-west-1)", "local deployment demo-x at http://127.0.0.1:7480". */
  readonly where: string;
  readonly primaryAccount: string;
  readonly backupAccount: string;
  readonly vaultBucket: string;
  readonly retentionDays: number;
  readonly rpoMinutes: number;
  readonly sources: readonly SourceSetting[];
  readonly encryption: { readonly type: 'SSE_S3' } | { readonly type: 'SSE_KMS'; readonly keyArn: string };
  readonly expectedPolicy: ExpectedPolicy;
  /** The AWS Backup vault and its lock as configured; null where there is no AWS Backup (a local S3). */
  readonly backupVault: {
    readonly arn: string;
    readonly name: string;
    readonly minRetentionDays: number;
    readonly maxRetentionDays: number;
    readonly changeableForDays: number;
  } | null;
  /** The backup plan's selection tag and its schedule; null where there is no AWS Backup. */
  readonly backupPlan: { readonly tagKey: string; readonly tagValue: string; readonly schedule: string } | null;
  /** "full" or a sample size for versions.retention. */
  readonly retention: 'full' | number;
  /** Whether the source buckets are EventBridge-enabled S3 (false on a local S3, where events are simulated). */
  readonly sourceEventsObservable: boolean;
  readonly drill: { readonly targetBucket: string; readonly prefix: string; readonly sampleSize: number } | null;
  /**
   * Checks this server cannot evaluate, each with why (a local S3 without AWS Backup, or an RGW adaptation):
   * reported SKIPPED with that reason, never run. Empty on AWS, where every check runs.
   */
  readonly unavailable: Readonly<Partial<Record<CheckId, string>>>;
}

export interface VerifyClients {
  /** The vault, as the auditor role: settings, listings, retention, journal; never backed-up bytes. */
  readonly auditorVault: S3Client;
  /** The source buckets, as the verify function's own role: listings, settings, and reads for the SHA-256 sample. */
  readonly source: S3Client;
  /** AWS services with no local server (AWS Backup, KMS, tagging); null on a local S3. */
  readonly aws: AwsServiceClients | null;
}

export interface VerifyContext {
  readonly settings: VerifySettings;
  readonly clients: VerifyClients;
  readonly now: () => Date;
  /** A uniform random number in [0, 1): injected so a sample can be reproduced in tests. */
  readonly random: () => number;
  /**
   * Runs the restore drill with the restore function's credentials (on AWS: invokes the restore function;
   * locally: the drill core as its stand-in); null when no drill target is configured.
   */
  readonly drill: (() => Promise<DrillResult>) | null;
}

export type VerifyConfigSummary = VerifyReport['config'];
