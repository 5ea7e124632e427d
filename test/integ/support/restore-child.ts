/**
 * Runs one pass of a planned restore in a process of its own, so its memory can be measured and it can be
 * killed mid-way. Input (argv[2]): JSON {deploymentFile, targetBucket, restoreId, tuning?, concurrency?,
 * batchLines?, endpoint?} (endpoint: talk to S3 there instead, e.g. through a proxy).
 * Output: one JSON line on stdout with the restore's status and the process's peak resident memory.
 */
import type { RestoreTuning } from '../../../lambda/core/restore-execute';
import { runRestore } from '../../../lambda/core/restore-service';
import { loadLocalDeployment } from '../../../local/deployment-file';
import { assumeVaultRole, clientAs } from '../../../local/sessions';
import { residentBytes } from './memory';

interface ChildInput {
  readonly deploymentFile: string;
  readonly targetBucket: string;
  readonly restoreId: string;
  readonly tuning?: RestoreTuning;
  readonly concurrency?: number;
  readonly batchLines?: number;
  readonly endpoint?: string;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.argv[2] ?? '{}') as ChildInput;
  const startRssBytes = residentBytes('VmRSS');
  const saved = await loadLocalDeployment(input.deploymentFile);
  const deployment = input.endpoint ? { ...saved, endpoint: input.endpoint } : saved;
  const reader = await assumeVaultRole(deployment, 'restoreReader');
  const target = clientAs(deployment, deployment.primary.functions.restore);
  const status = await runRestore(
    {
      vault: { client: reader.s3, bucket: deployment.vault.address },
      account: deployment.primary.tenant,
      target,
      restoreTargets: [input.targetBucket],
      now: () => new Date(),
      ...(input.tuning ? { tuning: input.tuning } : {}),
      concurrency: input.concurrency ?? 1,
    },
    input.targetBucket,
    input.restoreId,
    { batchLines: input.batchLines ?? 1 },
  );
  reader.s3.destroy();
  target.destroy();
  process.stdout.write(
    `${JSON.stringify({ state: status.state, progress: status.progress, failures: status.failures, peakRssBytes: residentBytes('VmHWM'), startRssBytes })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`restore-child failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
  process.exit(1);
});
