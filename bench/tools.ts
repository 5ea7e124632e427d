/**
 * The peers (rclone and aws-cli from Debian) and how they are run: each as its own process, timed from spawn
 * to exit, its peak resident memory sampled from /proc (VmHWM is a high-water mark, so the last sample before
 * exit is the peak up to 50 ms). Credentials go through the environment only, never the command line or a log.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export const AWS_CLI = '/usr/bin/aws';
export const RCLONE = '/usr/bin/rclone';

/** Samples a process's VmHWM until stopped. */
export class PeakMemory {
  public peak = 0;
  private readonly timer: NodeJS.Timeout | undefined;

  public constructor(private readonly pid: number | undefined) {
    this.sample();
    this.timer = setInterval(() => this.sample(), 50);
  }

  public stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    if (this.pid === undefined) return;
    try {
      const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (match) this.peak = Math.max(this.peak, Number(match[1]) * 1024);
    } catch {
      // The process has exited between two samples: the last sample stands.
    }
  }
}

export class ToolError extends Error {
  public override readonly name = 'ToolError';
}

/**
 * Installs rclone and awscli from Debian when missing and this runs as root; otherwise fails naming the
 * command to run. Returns their versions.
 */
export function ensurePeers(log: (line: string) => void): { rclone: string; awscli: string } {
  const missing = [
    ['rclone', RCLONE],
    ['awscli', AWS_CLI],
  ].filter(([, bin]) => !existsSync(bin as string));
  if (missing.length > 0) {
    const packages = missing.map(([p]) => p as string);
    if (process.getuid?.() !== 0) {
      throw new ToolError(
        `the benchmark's peers are missing (${packages.join(', ')}): run \`sudo apt-get install -y ${packages.join(' ')}\`, or run the benchmark as root`,
      );
    }
    log(`installing ${packages.join(' ')} from Debian (apt-get)`);
    execFileSync('apt-get', ['install', '-y', '--no-install-recommends', ...packages], {
      stdio: ['ignore', 'ignore', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  }
  const rclone =
    execFileSync(RCLONE, ['version'], { encoding: 'utf8', env: rcloneEnv({}) })
      .split('\n')[0]
      ?.trim() ?? '';
  const awscli = execFileSync(AWS_CLI, ['--version'], { encoding: 'utf8', env: awsEnv(undefined) }).trim();
  return { rclone, awscli };
}

export interface S3Access {
  readonly endpoint: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** rclone only: read the versions current at this instant (`version_at` of this remote alone). */
  readonly versionAt?: string;
}

/** The process environment without anything AWS-shaped (this harness's own callers' keys never reach a peer). */
function cleanEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !/^(AWS_|RCLONE_)/.test(entry[0]),
    ),
  );
}

/** rclone remotes defined in the environment (RCLONE_CONFIG_<NAME>_*): no config file. AWS_CA_BUNDLE stays unset (rclone 1.60 fails on it). */
export function rcloneEnv(remotes: Readonly<Record<string, S3Access>>): Record<string, string> {
  const env: Record<string, string> = { ...cleanEnv(), RCLONE_CONFIG: '/dev/null' };
  for (const [name, access] of Object.entries(remotes)) {
    const prefix = `RCLONE_CONFIG_${name.toUpperCase()}_`;
    Object.assign(env, {
      [`${prefix}TYPE`]: 's3',
      [`${prefix}PROVIDER`]: 'Ceph',
      [`${prefix}ENDPOINT`]: access.endpoint,
      [`${prefix}ACCESS_KEY_ID`]: access.accessKeyId,
      [`${prefix}SECRET_ACCESS_KEY`]: access.secretAccessKey,
      [`${prefix}REGION`]: 'us-east-1',
      ...(access.versionAt ? { [`${prefix}VERSION_AT`]: access.versionAt } : {}),
    });
  }
  return env;
}

/** aws-cli v2 with one user's keys, no config or credentials file, no instance metadata. */
export function awsEnv(access: S3Access | undefined): Record<string, string> {
  return {
    ...cleanEnv(),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    ...(access ? { AWS_ACCESS_KEY_ID: access.accessKeyId, AWS_SECRET_ACCESS_KEY: access.secretAccessKey } : {}),
  };
}

export interface ToolRun {
  readonly seconds: number;
  readonly peakRssBytes: number;
}

/** Run a peer to completion; a non-zero exit is an error carrying the end of its stderr (never its env). */
export async function runTool(bin: string, args: readonly string[], env: Record<string, string>): Promise<ToolRun> {
  const started = performance.now();
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  const memory = new PeakMemory(child.pid);
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  const seconds = (performance.now() - started) / 1000;
  memory.stop();
  if (code !== 0) throw new ToolError(`${bin} ${args.join(' ')} exited ${code}: ${stderr.trim().slice(-1500)}`);
  return { seconds, peakRssBytes: memory.peak };
}

export const rcloneCopy = (
  from: string,
  to: string,
  remotes: Readonly<Record<string, S3Access>>,
  flags: readonly string[] = [],
): Promise<ToolRun> => runTool(RCLONE, ['copy', from, to, '--s3-no-check-bucket', ...flags], rcloneEnv(remotes));

/** `aws s3 cp --recursive` between two buckets of one tenant (aws-cli cannot address `tenant:bucket`). */
export const awsCopy = (from: string, to: string, access: S3Access): Promise<ToolRun> =>
  runTool(
    AWS_CLI,
    ['s3', 'cp', '--recursive', '--only-show-errors', '--endpoint-url', access.endpoint, from, to],
    awsEnv(access),
  );
