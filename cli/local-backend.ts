import type { S3Client } from '@aws-sdk/client-s3';
import { activityOf } from '../lambda/core/activity';
import { openJournal, readTimelines } from '../lambda/core/journal-reader';
import type { TrustedEntry } from '../lambda/core/journal-trust';
import { createPlan, type RestoreServiceDependencies, runRestore } from '../lambda/core/restore-service';
import { latestDeploymentFile, loadLocalDeployment } from '../local/deployment-file';
import { DEFAULT_LOCAL_S3_PORT, findLocalS3 } from '../local/local-s3';
import type { LocalBucket, LocalDeployment } from '../local/provision';
import { assumeVaultRole, clientAs } from '../local/sessions';
import type { ActivityBackend, BucketName, RestoreBackend, TimelineBackend } from './backend';
import { CliUsageError } from './errors';

/*
 * --local: the restore service (lambda/core/restore-service.ts) run in this process against a saved local
 * deployment, wired as the restore Lambda is: the journal and vault versions read through the restore-reader
 * role (real STS AssumeRole by the restore function's stand-in), the target written as that stand-in, with the
 * permissions lib/policy gives the restore role.
 */

/** Manifest lines per pass of the executor: progress (and the saved state) advance this often. */
const LOCAL_BATCH_LINES = 50;

/** The deployment file to use: --deployment, or the latest one saved on the local S3 at LOCAL_S3_PORT (default 7480). */
export async function deploymentFileFor(given: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (given !== undefined) return given;
  const port = Number(env.LOCAL_S3_PORT ?? DEFAULT_LOCAL_S3_PORT);
  const running = Number.isInteger(port)
    ? await findLocalS3({ port, ...(env.LOCAL_S3_DIR ? { dir: env.LOCAL_S3_DIR } : {}) })
    : undefined;
  if (!running) {
    throw CliUsageError.of(
      '--deployment',
      '(missing)',
      `a local deployment file: no local S3 runs on port ${env.LOCAL_S3_PORT ?? '7480'} (LOCAL_S3_PORT) to take the latest from; ` +
        'print one with `npm run local-s3 -- deployment`',
    );
  }
  return latestDeploymentFile(running.dir);
}

/** A bucket of the deployment by its configured or its local name; undefined when it is neither. */
function findBucket(buckets: readonly LocalBucket[], name: string): LocalBucket | undefined {
  return buckets.find((b) => b.configured === name || b.name === name);
}

const describeBuckets = (buckets: readonly LocalBucket[]) =>
  buckets.length === 0 ? 'none are configured' : buckets.map((b) => `${b.configured} (locally ${b.name})`).join(', ');

export function localBucketNames(deployment: LocalDeployment) {
  const { sources, restoreTargets } = deployment.primary;
  return {
    /** A configured source maps to its local name; any other name is sent as typed (a bucket no longer configured). */
    source(name: string): BucketName {
      const found = findBucket(sources, name);
      return found ? { shown: found.configured, actual: found.name } : { shown: name, actual: name };
    },
    target(name: string | undefined): BucketName {
      const found = name === undefined ? restoreTargets[0] : findBucket(restoreTargets, name);
      if (!found) {
        throw CliUsageError.of(
          '--target',
          name === undefined ? '(missing)' : JSON.stringify(name),
          `one of the restore targets of deployment ${deployment.name}: ${describeBuckets(restoreTargets)}`,
        );
      }
      return { shown: found.configured, actual: found.name };
    },
  };
}

export interface LocalBackend extends RestoreBackend, TimelineBackend, ActivityBackend {
  readonly deployment: LocalDeployment;
}

export async function openLocalBackend(deploymentFile: string): Promise<LocalBackend> {
  const deployment = await loadLocalDeployment(deploymentFile);
  const reader = await assumeVaultRole(deployment, 'restoreReader', { sessionName: 'strongroom-cli' });
  const target: S3Client = clientAs(deployment, deployment.primary.functions.restore);
  const vault = { client: reader.s3, bucket: deployment.vault.address };
  const service: RestoreServiceDependencies = {
    vault,
    account: deployment.primary.tenant,
    target,
    restoreTargets: deployment.primary.restoreTargets.map((t) => t.name),
    now: () => new Date(),
  };
  return {
    deployment,
    where: `local deployment ${deployment.name} at ${deployment.endpoint}`,
    ...localBucketNames(deployment),
    plan: (request) => createPlan(service, request),
    start: (targetBucket, restoreId, onProgress) =>
      runRestore(service, targetBucket, restoreId, { batchLines: LOCAL_BATCH_LINES, onProgress }),
    activity: (request) => activityOf(vault, deployment.primary.tenant, request),
    async timeline(bucket, key): Promise<readonly TrustedEntry[]> {
      const view = await openJournal(vault, deployment.primary.tenant);
      // Keys come in order: the first timeline under the key as prefix is the key's own, if it has one.
      for await (const timeline of readTimelines(view, { bucket, prefix: key }))
        return timeline.key === key ? timeline.entries : [];
      return [];
    },
    close() {
      reader.s3.destroy();
      target.destroy();
    },
  };
}
