/**
 * Starts ONE local S3 (Ceph RGW) for the whole integ run, or reuses the one a previous run left with
 * STRONGROOM_KEEP_LOCAL_S3=1 (tests use unique bucket names, so leftovers do not matter).
 *
 * Jest runs this in the parent process before it creates the test workers, and workers inherit the parent's
 * process.env: exporting the env lines here is how test files learn the endpoint and keys (support/env.ts).
 */
import { localS3ToEnv, startLocalS3 } from '../../local/local-s3';
import { integS3Port } from './support/ports';

/** Room for everything the integ run writes (RAM is only used as data arrives). */
const INTEG_MEMSTORE_BYTES = 10 * 1024 ** 3;

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  // Memstore keeps every byte in RAM and a locked vault frees nothing: the whole run (faults, crashes, the 10,000-event
  // load and the 1 GiB streaming copies) writes about 5 GiB, above the 4 GiB default at which RGW stops accepting writes.
  const localS3 = await startLocalS3({ port: integS3Port(), memstoreBytes: INTEG_MEMSTORE_BYTES });
  Object.assign(process.env, localS3ToEnv(localS3));
  console.error(`\nlocal S3 for integ tests: ${localS3.endpoint} (state in ${localS3.dir}, ready in ${Date.now() - started} ms)`);
}
