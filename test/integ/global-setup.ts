/**
 * Starts ONE local S3 (Ceph RGW) for the whole integ run, or reuses the one a previous run left with
 * STRONGROOM_KEEP_LOCAL_S3=1 (tests use unique bucket names, so leftovers do not matter).
 *
 * Jest runs this in the parent process before it creates the test workers, and workers inherit the parent's
 * process.env: exporting the env lines here is how test files learn the endpoint and keys (support/env.ts).
 */
import { localS3ToEnv, startLocalS3 } from '../../local/local-s3';
import { integS3Port } from './support/ports';

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const localS3 = await startLocalS3({ port: integS3Port() });
  Object.assign(process.env, localS3ToEnv(localS3));
  console.error(`\nlocal S3 for integ tests: ${localS3.endpoint} (state in ${localS3.dir}, ready in ${Date.now() - started} ms)`);
}
