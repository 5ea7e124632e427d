/** The integ run's local S3, as exported to process.env by test/integ/global-setup.ts. */
import { type LocalS3, LocalS3EnvError, localS3FromEnv } from '../../../local/local-s3';

let cached: LocalS3 | undefined;

export function integLocalS3(): LocalS3 {
  if (cached) return cached;
  try {
    cached = localS3FromEnv(process.env);
  } catch (err) {
    throw new LocalS3EnvError(
      `${(err as Error).message}: integ tests need the local S3 that their global setup starts; ` +
        'run them via `npx jest --selectProjects integ` (or npm run test:integ)',
      { cause: err },
    );
  }
  return cached;
}
