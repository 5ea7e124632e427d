/**
 * npx tsx local/local-s3-cli.ts start|stop|env
 *   start  start the local S3 (or find the running one) and print its KEY=VALUE env lines
 *   env    print the env lines of the running local S3; exit 3 if none is running
 *   stop   stop it and delete its state
 * Settings come from the same variables as scripts/local-s3/*.sh: LOCAL_S3_PORT (default 7480),
 * LOCAL_S3_MON_PORT, LOCAL_S3_DIR, LOCAL_S3_MEMSTORE_BYTES, LOCAL_S3_TIMEOUT.
 * Usage from a shell: eval "$(npx tsx local/local-s3-cli.ts start)"
 */
import { findLocalS3, type LocalS3Options, localS3ToEnv, startLocalS3, stopLocalS3 } from './local-s3';

function optionsFromEnv(env: NodeJS.ProcessEnv): LocalS3Options {
  const int = (key: string): number | undefined => {
    const value = env[key];
    if (value === undefined || value === '') return undefined;
    if (!/^\d+$/.test(value)) throw new Error(`${key} must be a whole number, got '${value}'`);
    return Number(value);
  };
  const port = int('LOCAL_S3_PORT');
  const monPort = int('LOCAL_S3_MON_PORT');
  const memstoreBytes = int('LOCAL_S3_MEMSTORE_BYTES');
  const stepTimeoutSeconds = int('LOCAL_S3_TIMEOUT');
  return {
    ...(port !== undefined ? { port } : {}),
    ...(monPort !== undefined ? { monPort } : {}),
    ...(env.LOCAL_S3_DIR ? { dir: env.LOCAL_S3_DIR } : {}),
    ...(memstoreBytes !== undefined ? { memstoreBytes } : {}),
    ...(stepTimeoutSeconds !== undefined ? { stepTimeoutSeconds } : {}),
  };
}

function printEnv(env: Record<string, string>): void {
  process.stdout.write(
    `${Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n')}\n`,
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const options = optionsFromEnv(process.env);
  switch (argv[0]) {
    case 'start': {
      printEnv(localS3ToEnv(await startLocalS3({ ...options, onProgress: (line) => console.error(line) })));
      return 0;
    }
    case 'env': {
      const running = await findLocalS3(options);
      if (!running) {
        console.error(`local S3 is not running on port ${options.port ?? 7480}: start it with 'start'`);
        return 3;
      }
      printEnv(localS3ToEnv(running));
      return 0;
    }
    case 'stop': {
      await stopLocalS3({ ...options, onProgress: (line) => console.error(line) });
      return 0;
    }
    default:
      console.error('usage: npx tsx local/local-s3-cli.ts start|stop|env');
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
    process.exitCode = 1;
  },
);
