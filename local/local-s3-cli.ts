/**
 * npx tsx local/local-s3-cli.ts start|stop|env|deployment [--json]     (or: npm run local-s3 -- <command>)
 *   start       start the local S3 (or find the running one) and print its KEY=VALUE env lines
 *   env         print the env lines of the running local S3; exit 3 if none is running
 *   deployment  print the path of the latest deployment's file (local/deployment-file.ts: endpoint, vault,
 *               buckets, roles, the stand-in users' keys; mode 0600); exit 3 if no local S3 is running, 4 if
 *               no deployment was provisioned on it, 1 if the file is not usable
 *     --json    print the file's content instead, every secret key redacted
 *   stop        stop it and delete its state (deployment files included)
 * Settings come from the same variables as scripts/local-s3/*.sh: LOCAL_S3_PORT (default 7480),
 * LOCAL_S3_MON_PORT, LOCAL_S3_DIR, LOCAL_S3_MEMSTORE_BYTES, LOCAL_S3_TIMEOUT.
 * Usage from a shell: eval "$(npx tsx local/local-s3-cli.ts start)"
 */
import {
  deploymentFileContent,
  LocalDeploymentFileError,
  LocalDeploymentFileMissingError,
  latestDeploymentFile,
  loadLocalDeployment,
  redactedJson,
} from './deployment-file';
import { DEFAULT_LOCAL_S3_PORT, findLocalS3, type LocalS3Options, localS3ToEnv, startLocalS3, stopLocalS3 } from './local-s3';

export const USAGE = `usage: npx tsx local/local-s3-cli.ts start|stop|env|deployment [--json]   (or: npm run local-s3 -- <command>)
  start             start the local S3 (or find the running one) and print its KEY=VALUE env lines
  env               print the env lines of the running local S3; exit 3 if none is running
  deployment        print the path of the latest deployment's file (endpoint, vault, buckets, roles and the
                    stand-in users' keys; mode 0600); exit 3 if no local S3 is running, 4 if no deployment
                    was provisioned on it, 1 if the file is not usable
  deployment --json print that file's content instead, every secret key redacted
  stop              stop it and delete its state (deployment files included)
settings: LOCAL_S3_PORT (default 7480), LOCAL_S3_MON_PORT, LOCAL_S3_DIR, LOCAL_S3_MEMSTORE_BYTES, LOCAL_S3_TIMEOUT`;

/** Where a command writes: one call per line or block, without the trailing newline. */
export interface CliOutput {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

const consoleOutput: CliOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => console.error(text),
};

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

function printEnv(env: Record<string, string>, output: CliOutput): void {
  output.out(
    Object.entries(env)
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
  );
}

/**
 * `deployment [--json]` for the local S3 whose state dir is `localS3Dir`: the latest deployment file's path,
 * or its content with secret keys redacted. Validates the file either way. Returns the exit code.
 */
export async function deploymentCommand(localS3Dir: string, args: readonly string[], output: CliOutput): Promise<number> {
  const unknown = args.find((arg) => arg !== '--json');
  if (unknown !== undefined) {
    output.err(`unknown argument '${unknown}' for deployment\n${USAGE}`);
    return 2;
  }
  try {
    const deployment = await loadLocalDeployment(latestDeploymentFile(localS3Dir));
    output.out(args.includes('--json') ? redactedJson(deploymentFileContent(deployment), 2) : deployment.deploymentFile);
    return 0;
  } catch (err: unknown) {
    if (!(err instanceof LocalDeploymentFileError)) throw err;
    output.err(err.message);
    return err instanceof LocalDeploymentFileMissingError ? 4 : 1;
  }
}

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, output: CliOutput = consoleOutput): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    output.out(USAGE);
    return 0;
  }
  const options = optionsFromEnv(env);
  const running = async () => {
    const found = await findLocalS3(options);
    if (!found) output.err(`local S3 is not running on port ${options.port ?? DEFAULT_LOCAL_S3_PORT}: start it with 'start'`);
    return found;
  };
  switch (command) {
    case 'start': {
      printEnv(localS3ToEnv(await startLocalS3({ ...options, onProgress: output.err })), output);
      return 0;
    }
    case 'env': {
      const found = await running();
      if (!found) return 3;
      printEnv(localS3ToEnv(found), output);
      return 0;
    }
    case 'deployment': {
      const found = await running();
      if (!found) return 3;
      return deploymentCommand(found.dir, args, output);
    }
    case 'stop': {
      await stopLocalS3({ ...options, onProgress: output.err });
      return 0;
    }
    default:
      output.err(USAGE);
      return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2), process.env).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
      process.exitCode = 1;
    },
  );
}
