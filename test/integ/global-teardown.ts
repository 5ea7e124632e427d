/** Stops the integ run's local S3, unless STRONGROOM_KEEP_LOCAL_S3=1 keeps it for inspection or the next run. */
import { stopLocalS3 } from '../../local/local-s3';
import { integS3Port } from './support/ports';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.LOCAL_S3_DIR;
  if (process.env.STRONGROOM_KEEP_LOCAL_S3 === '1') {
    console.error(`local S3 kept running: ${process.env.S3_ENDPOINT} (stop: scripts/local-s3/stop.sh ${dir ?? ''})`);
    return;
  }
  await stopLocalS3(dir ?? { port: integS3Port() });
}
