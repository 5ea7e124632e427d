/**
 * The local S3 for tests, the demo and benchmarks: a throwaway Ceph RADOS Gateway started by
 * scripts/local-s3/start.sh, with two tenants standing in for two AWS accounts (`primary`, `backup`).
 * This module runs those scripts and gives their output a type; the scripts stay the single source of
 * truth for ports, keys and layout, so shell users and TypeScript users get the same cluster.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const LOCAL_S3_SCRIPTS_DIR = path.resolve(__dirname, '..', 'scripts', 'local-s3');
/** The demo's and the CLI's local S3 (scripts/local-s3/lib.sh has the same default); tests use their own. */
export const DEFAULT_LOCAL_S3_PORT = 7480;
export const TENANT_NAMES = ['primary', 'backup'] as const;
export type TenantName = (typeof TENANT_NAMES)[number];

export interface LocalS3Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** The admin user of one tenant (one stand-in AWS account). */
export interface TenantAdmin extends LocalS3Credentials {
  readonly tenant: string;
  readonly user: string;
  /** How bucket and trust policies name this user: arn:aws:iam::<tenant>:user/<user>. */
  readonly userArn: string;
}

export interface LocalS3 {
  readonly endpoint: string;
  readonly region: string;
  /** ceph.conf of the cluster, for radosgw-admin (-c). */
  readonly cephConf: string;
  /** State dir: config, keys, logs and PID files; deleted by stop. */
  readonly dir: string;
  readonly port: number;
  readonly monPort: number;
  readonly tenants: Readonly<Record<TenantName, TenantAdmin>>;
}

export interface LocalS3Options {
  /** radosgw port on 127.0.0.1 (default 7480). */
  readonly port?: number;
  /** ceph-mon port (default port + 10000). */
  readonly monPort?: number;
  /** State dir (default ${TMPDIR:-/tmp}/strongroom-local-s3-<port>). */
  readonly dir?: string;
  /** RAM cap of the in-memory OSD (default 4 GiB). */
  readonly memstoreBytes?: number;
  /** Seconds the scripts wait for each step (default 60). */
  readonly stepTimeoutSeconds?: number;
  /** Receives the scripts' progress lines (stderr); by default they are only kept for error messages. */
  readonly onProgress?: (line: string) => void;
}

export class LocalS3Error extends Error {
  override name = 'LocalS3Error';
}
export class LocalS3StartError extends LocalS3Error {
  override name = 'LocalS3StartError';
}
export class LocalS3StopError extends LocalS3Error {
  override name = 'LocalS3StopError';
}
/** The env lines (or process.env) lack a key or hold a malformed value. */
export class LocalS3EnvError extends LocalS3Error {
  override name = 'LocalS3EnvError';
}
export class RadosgwAdminError extends LocalS3Error {
  override name = 'RadosgwAdminError';
  constructor(
    message: string,
    readonly args: readonly string[],
    readonly stderr: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

// Installing the Ceph packages on a fresh machine (start.sh does it as root) takes a while.
const SCRIPT_TIMEOUT_MS = 10 * 60_000;
const RADOSGW_ADMIN_TIMEOUT_MS = 60_000;

/** Starts the local S3, or returns the running one with the same settings (idempotent, ~30 ms then). */
export async function startLocalS3(options: LocalS3Options = {}): Promise<LocalS3> {
  const run = await runScript('start.sh', [], options);
  if (run.code !== 0) {
    throw new LocalS3StartError(`local S3 failed to start (${describeExit(run)}):\n${withLogTails(run, options)}`, {
      cause: run.error,
    });
  }
  return localS3FromEnv(parseEnvLines(run.stdout));
}

/** The running local S3 with these settings, or undefined if none is healthy. Never starts one. */
export async function findLocalS3(options: LocalS3Options = {}): Promise<LocalS3 | undefined> {
  const run = await runScript('start.sh', ['--print-env'], options);
  if (run.code === 3) return undefined;
  if (run.code !== 0) {
    throw new LocalS3Error(`could not query the local S3 (${describeExit(run)}):\n${tail(run.stderr, 40)}`, { cause: run.error });
  }
  return localS3FromEnv(parseEnvLines(run.stdout));
}

/**
 * Stops a local S3 (its own daemons only, by recorded PID) and deletes its state dir. The target is the
 * instance, its state dir, or the settings it was started with. Stopping one that is not running is a no-op.
 */
export async function stopLocalS3(
  target: LocalS3 | string | LocalS3Options,
  options: { readonly keepData?: boolean } = {},
): Promise<void> {
  const extraEnv: Record<string, string> = options.keepData ? { LOCAL_S3_KEEP_DATA: '1' } : {};
  const run =
    typeof target === 'string' || 'cephConf' in target
      ? await runScript('stop.sh', [typeof target === 'string' ? target : target.dir], { extraEnv })
      : await runScript('stop.sh', [], { ...target, extraEnv });
  if (run.code !== 0) {
    throw new LocalS3StopError(`local S3 failed to stop (${describeExit(run)}):\n${tail(run.stderr, 40)}`, {
      cause: run.error,
    });
  }
}

/**
 * Options every SDK client needs against RGW (S3, IAM, STS): endpoint, the region RGW accepts, the
 * credentials, bounded retries, and a keep-alive agent so benchmarks do not pay a TCP handshake per request.
 */
export function rgwClientConfig(credentials: LocalS3Credentials, endpoint: string, maxSockets = 64) {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    },
    maxAttempts: 3,
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true, maxSockets }),
      connectionTimeout: 5_000,
    }),
  };
}

/**
 * An S3 client for RGW: path-style addressing (no wildcard DNS here, and `tenant:bucket` names are not
 * DNS names), and checksums only where an operation requires them: the SDK's default aws-chunked
 * trailing checksums get 411 MissingContentLength from RGW pacific. Call destroy() when done (keep-alive).
 */
export function s3ClientFor(credentials: LocalS3Credentials, endpoint: string, maxSockets = 64): S3Client {
  return new S3Client({
    ...rgwClientConfig(credentials, endpoint, maxSockets),
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** How a caller names another tenant's bucket (a bare name means the caller's own tenant). */
export function tenantBucket(tenant: string, bucket: string): string {
  if (!/^[a-z0-9_]+$/.test(tenant)) throw new LocalS3Error(`invalid tenant name '${tenant}'`);
  if (bucket === '' || bucket.includes(':')) throw new LocalS3Error(`invalid bucket name '${bucket}'`);
  return `${tenant}:${bucket}`;
}

/**
 * Runs radosgw-admin against the cluster and returns its JSON output (undefined when it prints nothing).
 * Example: radosgwAdmin(s3, ['user', 'info', '--tenant', 'backup', '--uid', 'admin']).
 */
export async function radosgwAdmin<T = unknown>(localS3: Pick<LocalS3, 'cephConf'>, args: readonly string[]): Promise<T> {
  const fullArgs = ['-c', localS3.cephConf, '--format=json', ...args];
  const { stdout, stderr, error } = await new Promise<{ stdout: string; stderr: string; error: Error | null }>((resolve) => {
    execFile('radosgw-admin', fullArgs, { timeout: RADOSGW_ADMIN_TIMEOUT_MS, maxBuffer: 256 * 1024 * 1024 }, (err, out, errOut) =>
      resolve({ stdout: out, stderr: errOut, error: err }),
    );
  });
  const command = `radosgw-admin ${args.join(' ')}`;
  if (error) {
    throw new RadosgwAdminError(`${command} failed: ${error.message.split('\n')[0]}\n${tail(stderr, 20)}`, args, stderr, {
      cause: error,
    });
  }
  if (stdout.trim() === '') return undefined as T;
  try {
    return JSON.parse(stdout) as T;
  } catch (cause) {
    throw new RadosgwAdminError(`${command} printed no JSON: ${tail(stdout, 5)}`, args, stderr, { cause });
  }
}

/** Parses KEY=VALUE lines (start.sh's stdout); other lines are ignored. */
export function parseEnvLines(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

/** Builds the typed LocalS3 from env values: start.sh's output, or process.env after `eval $(start.sh)`. */
export function localS3FromEnv(env: Readonly<Record<string, string | undefined>>): LocalS3 {
  const missing: string[] = [];
  const get = (key: string): string => {
    const value = env[key];
    if (value === undefined || value === '') missing.push(key);
    return value ?? '';
  };
  const tenant = (name: TenantName): TenantAdmin => {
    const prefix = `LOCAL_S3_${name.toUpperCase()}`;
    const tenantId = get(`${prefix}_TENANT`);
    const user = get(`${prefix}_USER`);
    return {
      tenant: tenantId,
      user,
      accessKeyId: get(`${prefix}_ACCESS_KEY_ID`),
      secretAccessKey: get(`${prefix}_SECRET_ACCESS_KEY`),
      userArn: `arn:aws:iam::${tenantId}:user/${user}`,
    };
  };
  const localS3: LocalS3 = {
    endpoint: get('S3_ENDPOINT'),
    region: get('AWS_REGION'),
    cephConf: get('CEPH_CONF'),
    dir: get('LOCAL_S3_DIR'),
    port: Number(get('LOCAL_S3_PORT')),
    monPort: Number(get('LOCAL_S3_MON_PORT')),
    tenants: { primary: tenant('primary'), backup: tenant('backup') },
  };
  if (missing.length > 0) throw new LocalS3EnvError(`local S3 env is missing ${missing.join(', ')}`);
  if (!Number.isInteger(localS3.port) || !Number.isInteger(localS3.monPort)) {
    throw new LocalS3EnvError(`local S3 env has non-numeric ports: ${env.LOCAL_S3_PORT}, ${env.LOCAL_S3_MON_PORT}`);
  }
  return localS3;
}

/** The env lines of a LocalS3 (the inverse of localS3FromEnv), e.g. to hand it to child processes. */
export function localS3ToEnv(localS3: LocalS3): Record<string, string> {
  const env: Record<string, string> = {
    S3_ENDPOINT: localS3.endpoint,
    AWS_REGION: localS3.region,
    CEPH_CONF: localS3.cephConf,
    LOCAL_S3_DIR: localS3.dir,
    LOCAL_S3_PORT: String(localS3.port),
    LOCAL_S3_MON_PORT: String(localS3.monPort),
  };
  for (const name of TENANT_NAMES) {
    const prefix = `LOCAL_S3_${name.toUpperCase()}`;
    const admin = localS3.tenants[name];
    env[`${prefix}_TENANT`] = admin.tenant;
    env[`${prefix}_USER`] = admin.user;
    env[`${prefix}_ACCESS_KEY_ID`] = admin.accessKeyId;
    env[`${prefix}_SECRET_ACCESS_KEY`] = admin.secretAccessKey;
  }
  return env;
}

interface ScriptRun {
  readonly script: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly error?: Error;
}

interface RunOptions extends LocalS3Options {
  readonly extraEnv?: Readonly<Record<string, string>>;
}

function runScript(script: string, args: readonly string[], options: RunOptions): Promise<ScriptRun> {
  // Settings come from the options only: a LOCAL_S3_* left in the environment (e.g. by `eval $(start.sh)` or by
  // the integ global setup) must not silently redirect an instance started with other options.
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('LOCAL_S3_')) env[key] = value;
  const settings: Record<string, number | string | undefined> = {
    LOCAL_S3_PORT: options.port,
    LOCAL_S3_MON_PORT: options.monPort,
    LOCAL_S3_DIR: options.dir,
    LOCAL_S3_MEMSTORE_BYTES: options.memstoreBytes,
    LOCAL_S3_TIMEOUT: options.stepTimeoutSeconds,
    ...options.extraEnv,
  };
  for (const [key, value] of Object.entries(settings)) if (value !== undefined) env[key] = String(value);

  const file = path.join(LOCAL_S3_SCRIPTS_DIR, script);
  return new Promise((resolve) => {
    const child = spawn('bash', [file, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: SCRIPT_TIMEOUT_MS });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let spawnError: Error | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (!options.onProgress) return;
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) options.onProgress(line);
    });
    child.on('error', (err) => {
      spawnError = err;
    });
    child.on('close', (code, signal) => {
      if (partial && options.onProgress) options.onProgress(partial);
      resolve({ script, code, signal, stdout, stderr, ...(spawnError ? { error: spawnError } : {}) });
    });
  });
}

function describeExit(run: ScriptRun): string {
  if (run.error) return `${run.script}: ${run.error.message}`;
  return run.signal ? `${run.script} killed by ${run.signal}` : `${run.script} exited with ${run.code}`;
}

/** start.sh prints the daemon log tails itself when it fails; if it was killed before that, read them here. */
function withLogTails(run: ScriptRun, options: LocalS3Options): string {
  const text = tail(run.stderr, 80);
  if (text.includes('--- tail of ')) return text;
  // the same default as lib.sh
  const dir =
    options.dir ?? path.join(process.env.TMPDIR || '/tmp', `strongroom-local-s3-${options.port ?? DEFAULT_LOCAL_S3_PORT}`);
  return `${text}\n${readLogTails(dir)}`;
}

/** The last lines of the daemons' logs in a state dir (empty if there are none). */
export function readLogTails(dir: string, lines = 10): string {
  const parts: string[] = [];
  for (const name of ['setup', 'daemons', 'mon.a', 'osd.0', 'client.rgw.a']) {
    const file = path.join(dir, 'log', `${name}.log`);
    try {
      parts.push(`--- tail of ${file}\n${tail(readFileSync(file, 'utf8'), lines)}`);
    } catch {
      // a daemon that never started has no log
    }
  }
  return parts.join('\n');
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
