/**
 * The copier running against a local deployment, wired the way the Lambda handler wires it: the
 * source read with the copier role's (stand-in) credentials, the vault written through the ingest
 * role reached by real STS AssumeRole with the external id (the production credentials module), and
 * the production S3 client factory. Tests, the demo and benchmarks share it.
 *
 * One difference, forced by the server: Ceph RGW pacific ignores If-None-Match, which is how AWS
 * makes every vault write happen once. Here the copier runs in its `client` write-once mode and asks
 * whether a vault key exists first; the question is answered by the vault's owner (the backup
 * tenant's admin) listing that exact key, standing in for the check AWS S3 makes itself. The
 * ingest role gets no read or list permission for it.
 */
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../lambda/adapters/credentials';
import { createS3Client } from '../lambda/adapters/s3-client';
import { type BatchResult, type CopierDependencies, type CopierLog, copyBatch, type QueuedRecord } from '../lambda/core/copier';
import { type CopyTuning, DEFAULT_TUNING } from '../lambda/core/copy-version';
import type { JournalEntry } from '../lambda/core/journal';
import { readJournal } from '../lambda/core/journal-store';
import type { LocalDeployment } from './provision';

/** Everything the copier needs of a local deployment, as plain JSON (a child process can take it). */
export interface LocalCopierTarget {
  readonly name: string;
  readonly endpoint: string;
  readonly region: string;
  readonly externalId: string;
  /** The primary account as the copier knows it (locally: the primary tenant). */
  readonly account: string;
  readonly sources: ReadonlyArray<{ readonly bucket: string; readonly prefixes?: readonly string[] }>;
  readonly copier: { readonly accessKeyId: string; readonly secretAccessKey: string; readonly arn: string };
  readonly ingestRoleArn: string;
  readonly vault: { readonly name: string; readonly address: string };
  /** The vault's owner (backup tenant admin): answers the write-once check RGW cannot make. */
  readonly owner: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export function copierTarget(deployment: LocalDeployment): LocalCopierTarget {
  const { primary } = deployment;
  const { accessKeyId, secretAccessKey, arn } = primary.functions.copier;
  return {
    name: deployment.name,
    endpoint: deployment.endpoint,
    region: deployment.region,
    externalId: deployment.externalId,
    account: primary.tenant,
    sources: primary.sources.map((s) => ({ bucket: s.name, ...(s.prefixes ? { prefixes: s.prefixes } : {}) })),
    copier: { accessKeyId, secretAccessKey, arn },
    ingestRoleArn: primary.vaultRoles.ingest.arn,
    vault: { name: deployment.vault.name, address: deployment.vault.address },
    owner: { accessKeyId: deployment.backup.admin.accessKeyId, secretAccessKey: deployment.backup.admin.secretAccessKey },
  };
}

export interface LocalCopierOptions {
  readonly tuning?: CopyTuning;
  readonly concurrency?: number;
  /**
   * @default 'client': RGW ignores If-None-Match, so the copier asks the vault's owner first. 'server' runs the
   * AWS mode (no check: there S3 refuses the duplicate itself); here it enforces nothing, so only benchmarks
   * that write every key once use it, to measure the copier as it runs on AWS.
   */
  readonly writeOnce?: 'server' | 'client';
  readonly log?: CopierLog;
  /** Malformed records land here (the deployed copier forwards them to its DLQ). */
  readonly deadLetter?: (record: QueuedRecord, reason: string) => Promise<void>;
}

export interface LocalCopier {
  /** Copy one batch of queued records; `segmentId` names its journal segment. */
  copy(records: readonly QueuedRecord[], segmentId?: string): Promise<BatchResult>;
  /** Every journal entry of the primary account, read as the vault's owner would audit it. */
  journal(): Promise<JournalEntry[]>;
  /** The dependencies as built, for tests that drive copyBatch themselves. */
  readonly dependencies: (segmentId: string) => CopierDependencies;
  close(): void;
}

const quiet: CopierLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function localCopier(deployment: LocalDeployment | LocalCopierTarget, options: LocalCopierOptions = {}): LocalCopier {
  const target = 'primary' in deployment ? copierTarget(deployment) : deployment;
  const { region, endpoint } = target;
  const copierUser = { accessKeyId: target.copier.accessKeyId, secretAccessKey: target.copier.secretAccessKey };
  const tuning = options.tuning ?? DEFAULT_TUNING;
  const concurrency = options.concurrency ?? 8;
  const maxSockets = concurrency * (tuning.partsInFlight + 1);

  const source = createS3Client({ region, endpoint, maxSockets, credentials: copierUser });
  const sts = new STSClient({ region, endpoint, credentials: copierUser });
  const vault = createS3Client({
    region,
    endpoint,
    maxSockets,
    credentials: assumedRoleCredentials(sts, {
      roleArn: target.ingestRoleArn,
      externalId: target.externalId,
      sessionName: `${target.name}-copier`,
    }),
  });
  const owner: S3Client = createS3Client({ region, endpoint, maxSockets: 8, credentials: target.owner });

  const exists = async (vaultKey: string): Promise<boolean> => {
    const listed = await owner.send(new ListObjectsV2Command({ Bucket: target.vault.name, Prefix: vaultKey, MaxKeys: 1 }));
    return (listed.Contents ?? []).some((o) => o.Key === vaultKey);
  };

  const dependencies = (segmentId: string): CopierDependencies => ({
    copy: {
      sourceAccount: target.account,
      source,
      sourceRole: `the copier stand-in ${target.copier.arn}`,
      vault: {
        client: vault,
        bucket: target.vault.address,
        writerRole: `the ingest role ${target.ingestRoleArn}`,
        writeOnce: options.writeOnce ?? 'client',
        exists,
      },
      tuning,
      now: () => new Date(),
    },
    scope: { account: target.account, sources: target.sources },
    log: options.log ?? quiet,
    count: () => undefined,
    ...(options.deadLetter ? { deadLetter: options.deadLetter } : {}),
    concurrency,
    segmentId,
  });

  let batches = 0;
  return {
    copy: (records, segmentId) => copyBatch(dependencies(segmentId ?? `local-${Date.now().toString(36)}-${++batches}`), records),
    journal: () => readJournal({ client: owner, bucket: target.vault.name }, target.account),
    dependencies,
    close: () => {
      for (const client of [source, vault, owner]) client.destroy();
      sts.destroy();
    },
  };
}
