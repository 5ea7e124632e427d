/**
 * The reconciler running against a local deployment, wired the way the Lambda handler wires it: the
 * sources listed with the reconciler role's (stand-in) credentials, the journal read through the auditor
 * role reached by real STS AssumeRole with the external id, and the production S3 client factory.
 * There is no SQS here: what it would enqueue is returned, for a test or the demo to hand to the copier.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../lambda/adapters/credentials';
import { createS3Client } from '../lambda/adapters/s3-client';
import { openJournal } from '../lambda/core/journal-reader';
import { type ReconcileCheckpoint, type ReconcileResult, reconcile } from '../lambda/core/reconciler';
import { copierTarget } from './local-copier';
import type { LocalDeployment } from './provision';

export interface LocalReconcileRun {
  readonly result: ReconcileResult;
  /** The message bodies the pass would have put on the copier's queue, in order. */
  readonly enqueued: string[];
}

export interface LocalReconciler {
  /** One invocation: from the start, or from a checkpoint; `remainingMs` stands in for the Lambda's clock. */
  run(options?: { from?: ReconcileCheckpoint; remainingMs?: () => number; now?: () => Date }): Promise<LocalReconcileRun>;
  close(): void;
}

export function localReconciler(deployment: LocalDeployment): LocalReconciler {
  const { primary, region, endpoint } = deployment;
  // The copier's view of the account and its sources is the reconciler's too.
  const target = copierTarget(deployment);
  const caller = {
    accessKeyId: primary.functions.reconciler.accessKeyId,
    secretAccessKey: primary.functions.reconciler.secretAccessKey,
  };
  const source = createS3Client({ region, endpoint, maxSockets: 4, credentials: caller });
  const sts = new STSClient({ region, endpoint, credentials: caller });
  const vault = createS3Client({
    region,
    endpoint,
    maxSockets: 16,
    credentials: assumedRoleCredentials(sts, {
      roleArn: primary.vaultRoles.auditor.arn,
      externalId: deployment.externalId,
      sessionName: `${deployment.name}-reconciler`,
    }),
  });
  let runs = 0;
  return {
    run: async (options = {}) => {
      const enqueued: string[] = [];
      const result = await reconcile(
        {
          scope: { account: target.account, sources: target.sources },
          source,
          openJournal: () => openJournal({ client: vault, bucket: deployment.vault.address }, target.account),
          enqueue: async (bodies) => {
            enqueued.push(...bodies);
          },
          remainingMs: options.remainingMs ?? (() => 15 * 60_000),
          marginMs: 60_000,
          newRunId: () => `local-${++runs}`,
          now: options.now ?? (() => new Date()),
        },
        options.from,
      );
      return { result, enqueued };
    },
    close: () => {
      source.destroy();
      vault.destroy();
      sts.destroy();
    },
  };
}
