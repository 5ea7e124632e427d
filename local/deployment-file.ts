/**
 * The deployment file: what provisionLocalVault made, saved beside the local S3 it was made on, so that a
 * later process (a CLI, a benchmark, someone looking around after `npm run demo -- --keep`) can reach it.
 *
 *   <LocalS3 dir>/deployments/<deployment name>.json   one per deployment, mode 0600 (it holds access keys)
 *   <LocalS3 dir>/deployments/latest.json              symlink to the last one saved
 *
 * The files live and die with the local S3: stopping it deletes its state dir, deployments included. The
 * content is the LocalDeployment as JSON (without `model`, rebuilt from `config` and `mapping` on load, and
 * `primary`, the first of `primaries`), under a `format` name and a `formatVersion`. loadLocalDeployment
 * validates all of it and names every field that is wrong, what it holds and what was expected.
 */
import { randomBytes } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, readlink, rename, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { describeProblem, describeValue, formatPath, type Problem, ProblemsError, valueAt } from '../contract/errors';
import { StrongroomConfigSchema } from '../lib/config/schema';
import type { PolicyDocument, PolicyStatement } from '../lib/policy/document';
import { PRIMARY_ROLE_KINDS } from '../lib/policy/primary-roles';
import { VAULT_ROLE_KINDS } from '../lib/policy/vault-roles';
import { describeError } from './outcome';
import { assertDeploymentName, DEPLOYMENT_NAME } from './provision/names';
import type { LocalDeployment } from './provision/types';
import { localVaultPolicyModel, RGW_ADAPTATIONS } from './rgw-policy-mapping';

export const DEPLOYMENT_FILE_FORMAT = 'strongroom-local-deployment';
/** Bump on any change to the content's shape; a loader refuses every other version. */
export const DEPLOYMENT_FILE_VERSION = 1;

/** A deployment file that cannot be used: unreadable, not JSON, another format version, or a field that is wrong. */
export class LocalDeploymentFileError extends ProblemsError {
  override readonly name: string = 'LocalDeploymentFileError';
  constructor(
    readonly file: string,
    message: string,
    problems: readonly Problem[] = [],
    options?: ErrorOptions,
  ) {
    super(message, problems, options);
  }
}

/** No deployment file where one was looked for (none provisioned on this local S3 yet, or it was stopped). */
export class LocalDeploymentFileMissingError extends LocalDeploymentFileError {
  override readonly name: string = 'LocalDeploymentFileMissingError';
}

/** Where the deployments made on a local S3 are saved: `<LocalS3 dir>/deployments`. */
export function deploymentsDir(localS3Dir: string): string {
  return path.resolve(localS3Dir, 'deployments');
}

/** The file deployment `name` is saved in. */
export function deploymentFilePath(localS3Dir: string, name: string): string {
  assertDeploymentName(name);
  return path.join(deploymentsDir(localS3Dir), `${name}.json`);
}

/** The symlink to the deployment saved last on this local S3. */
export function latestDeploymentFile(localS3Dir: string): string {
  return path.join(deploymentsDir(localS3Dir), 'latest.json');
}

/**
 * Saves `deployment` in its file under `localS3Dir` (mode 0600, written whole or not at all) and points
 * latest.json at it; returns the file's path. provisionLocalVault calls it; call it again to re-save.
 */
export async function saveLocalDeployment(
  localS3Dir: string,
  deployment: Omit<LocalDeployment, 'deploymentFile'>,
): Promise<string> {
  const file = deploymentFilePath(localS3Dir, deployment.name);
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await replaceAtomically(file, (temp) =>
    writeFile(temp, `${JSON.stringify(deploymentFileContent(deployment), null, 2)}\n`, { mode: 0o600, flag: 'wx' }).then(() =>
      chmod(temp, 0o600),
    ),
  );
  await replaceAtomically(latestDeploymentFile(localS3Dir), (temp) => symlink(path.basename(file), temp));
  return file;
}

/**
 * Loads a deployment file (or latest.json), validated: throws LocalDeploymentFileMissingError when there is
 * none, LocalDeploymentFileError naming the field, the value found and the one expected when it is not
 * usable. The result's `deploymentFile` is the file itself (latest.json resolved).
 */
export async function loadLocalDeployment(file: string): Promise<LocalDeployment> {
  const deploymentFile = await resolveLatest(file);
  let text: string;
  try {
    text = await readFile(deploymentFile, 'utf8');
  } catch (cause: unknown) {
    if (isNotFound(cause)) {
      throw new LocalDeploymentFileMissingError(
        file,
        `no local deployment file at ${file}: provision a deployment on this local S3 first (npm run demo -- --keep, or provisionLocalVault)`,
        [],
        { cause },
      );
    }
    throw new LocalDeploymentFileError(file, `cannot read the local deployment file ${file}: ${describeError(cause)}`, [], {
      cause,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause: unknown) {
    // Without the text V8 quotes around the error: it may be a secret key.
    const reason = describeError(cause).replace(/,\s*(\.\.\.)?".*"(\.\.\.)?\s+is not valid JSON$/s, '');
    throw invalid(deploymentFile, [{ field: '(file)', received: `invalid JSON (${reason})`, expected: 'a JSON object' }]);
  }
  const envelope = ENVELOPE.safeParse(raw);
  if (!envelope.success) throw invalid(deploymentFile, problemsOf(envelope.error.issues, raw));
  const parsed = DEPLOYMENT_FILE.safeParse(raw);
  if (!parsed.success) throw invalid(deploymentFile, problemsOf(parsed.error.issues, raw));
  const { format: _format, formatVersion: _version, ...saved } = parsed.data;
  if (saved.config.name !== saved.name) {
    throw invalid(deploymentFile, [
      {
        field: 'config.name',
        received: describeValue(saved.config.name),
        expected: `${JSON.stringify(saved.name)} (the deployment name)`,
      },
    ]);
  }
  let model: LocalDeployment['model'];
  try {
    model = localVaultPolicyModel(saved.config, saved.mapping);
  } catch (cause: unknown) {
    throw invalid(deploymentFile, [
      {
        field: 'mapping',
        received: describeValue(saved.mapping),
        expected: `a mapping of the config (${describeError(cause)})`,
      },
    ]);
  }
  return { ...saved, model, primary: saved.primaries[0], deploymentFile };
}

/** The file's content for `deployment`: what is saved, in the order a reader wants it. */
export function deploymentFileContent(deployment: Omit<LocalDeployment, 'deploymentFile'>) {
  return {
    format: DEPLOYMENT_FILE_FORMAT,
    formatVersion: DEPLOYMENT_FILE_VERSION,
    name: deployment.name,
    endpoint: deployment.endpoint,
    region: deployment.region,
    externalId: deployment.externalId,
    vault: deployment.vault,
    backup: deployment.backup,
    primaries: deployment.primaries,
    bucketPolicy: deployment.bucketPolicy,
    adaptations: deployment.adaptations,
    timings: deployment.timings,
    config: deployment.config,
    mapping: deployment.mapping,
  };
}

const SECRET_FIELDS: ReadonlySet<string> = new Set(['secretAccessKey', 'sessionToken']);
export const REDACTED = '(redacted)';

/** JSON of `value` with every secret key (secretAccessKey, sessionToken) replaced by "(redacted)": safe to print. */
export function redactedJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (key, field: unknown) => (SECRET_FIELDS.has(key) && typeof field === 'string' ? REDACTED : field),
    indent,
  );
}

function redacted(value: unknown): unknown {
  const text = redactedJson(value);
  return text === undefined ? undefined : JSON.parse(text);
}

// ---- the schema ---------------------------------------------------------------------------------------------

const text = z.string().min(1, { error: 'a non-empty string' });
const stringOrList = z.union([z.string(), z.array(z.string())], { error: 'a string or a list of strings' });

const statement: z.ZodType<PolicyStatement> = z.strictObject({
  Sid: z.string().optional(),
  Effect: z.enum(['Allow', 'Deny']),
  Principal: z
    .union([z.literal('*'), z.strictObject({ AWS: stringOrList.optional(), Service: stringOrList.optional() })], {
      error: '"*" or {"AWS": ..., "Service": ...}',
    })
    .optional(),
  Action: stringOrList,
  Resource: stringOrList.optional(),
  NotResource: stringOrList.optional(),
  Condition: z
    .record(
      z.string(),
      z.record(z.string(), z.union([z.string(), z.array(z.string()), z.boolean()], { error: 'a condition value' })),
    )
    .optional(),
});
const policyDocument: z.ZodType<PolicyDocument> = z.strictObject({
  Version: z.literal('2012-10-17'),
  Statement: z.array(statement),
});
const appliedAdaptation = z.strictObject({
  adaptation: z.enum(RGW_ADAPTATIONS.map((a) => a.id)),
  statement: z.string(),
  detail: z.string(),
});
const rgwDocument = z.strictObject({ document: policyDocument, applied: z.array(appliedAdaptation) });
const documents = z.strictObject({ policy: policyDocument, applied: rgwDocument });

const credentials = { accessKeyId: text, secretAccessKey: text, sessionToken: text.optional() };
const tenantAdmin = z.strictObject({ tenant: text, user: text, userArn: text, ...credentials });
const localUser = z.strictObject({ tenant: text, user: text, arn: text, standsInFor: text, ...credentials, policy: rgwDocument });
const bucket = { configured: text, name: text, tenant: text, address: text };
const vaultRole = z.strictObject({
  kind: z.enum(VAULT_ROLE_KINDS),
  name: text,
  arn: text,
  trust: documents,
  permissions: documents,
});
const primaryAccount = z.strictObject({
  accountId: text,
  tenant: text,
  name: text,
  admin: tenantAdmin,
  sources: z.array(z.strictObject({ ...bucket, prefixes: z.array(z.string()).optional() })),
  restoreTargets: z.array(z.strictObject(bucket)),
  vaultRoles: z.record(z.enum(VAULT_ROLE_KINDS), vaultRole),
  functions: z.record(z.enum(PRIMARY_ROLE_KINDS), localUser),
  vaultPrefixes: z.strictObject({ objects: text, journal: text, reports: text }),
});

const ENVELOPE = z.object({
  format: z.literal(DEPLOYMENT_FILE_FORMAT, { error: `"${DEPLOYMENT_FILE_FORMAT}" (a file written by saveLocalDeployment)` }),
  formatVersion: z.literal(DEPLOYMENT_FILE_VERSION, {
    error: (issue) =>
      `${DEPLOYMENT_FILE_VERSION}: this file was written by ${
        typeof issue.input === 'number' && issue.input > DEPLOYMENT_FILE_VERSION ? 'a newer' : 'an older'
      } local provisioner; provision a new deployment with this checkout`,
  }),
});

const DEPLOYMENT_FILE = z.strictObject({
  ...ENVELOPE.shape,
  name: z.string().regex(DEPLOYMENT_NAME, { error: 'a deployment name: 2-20 of a-z, 0-9 and "-", starting with a letter' }),
  endpoint: z.url({ error: 'the local S3 endpoint URL' }),
  region: text,
  externalId: text,
  vault: z.strictObject({ ...bucket, mode: z.literal('COMPLIANCE'), retentionDays: z.int().positive() }),
  backup: z.strictObject({ tenant: text, admin: tenantAdmin, breakGlass: localUser }),
  primaries: z.tuple([primaryAccount], primaryAccount),
  bucketPolicy: documents,
  adaptations: z.array(appliedAdaptation),
  timings: z.record(z.string(), z.number()),
  config: StrongroomConfigSchema,
  mapping: z.strictObject({ tenants: z.record(z.string(), z.string()), buckets: z.record(z.string(), z.string()) }),
});

// ---- errors -------------------------------------------------------------------------------------------------

function invalid(file: string, problems: readonly Problem[]): LocalDeploymentFileError {
  const count = `${problems.length} problem${problems.length === 1 ? '' : 's'}`;
  return new LocalDeploymentFileError(
    file,
    `${file} is not a usable local deployment file (${count}):\n${problems.map((p) => `  - ${describeProblem(p)}`).join('\n')}`,
    problems,
  );
}

/** Each issue as path, value found (secrets redacted) and what was expected. */
function problemsOf(issues: readonly z.core.$ZodIssue[], raw: unknown): Problem[] {
  const safe = redacted(raw);
  return issues.flatMap((issue): Problem[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: formatPath([...issue.path, key]),
        received: describeValue(valueAt(safe, [...issue.path, key])),
        expected: `no such field in format version ${DEPLOYMENT_FILE_VERSION}`,
      }));
    }
    return [{ field: formatPath(issue.path), received: describeValue(valueAt(safe, issue.path)), expected: expectation(issue) }];
  });
}

/** Our schema's own messages say what is expected; zod's generic ones are rephrased. */
function expectation(issue: z.core.$ZodIssue): string {
  if (!/^(Invalid input|Invalid option|Too small|Too big)/.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return `a value of type ${issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return issue.origin === 'array' ? `at least ${String(issue.minimum)} items` : `>= ${String(issue.minimum)}`;
    default:
      return issue.message;
  }
}

// ---- files --------------------------------------------------------------------------------------------------

/** Writes `target` through a temporary file beside it, renamed over it: readers see the old one or the new one. */
async function replaceAtomically(target: string, write: (temp: string) => Promise<void>): Promise<void> {
  const temp = `${target}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await write(temp);
    await rename(temp, target);
  } catch (error: unknown) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** latest.json is a symlink: the deployment file it points at, so the result names the deployment. */
async function resolveLatest(file: string): Promise<string> {
  const absolute = path.resolve(file);
  try {
    if (!(await lstat(absolute)).isSymbolicLink()) return absolute;
    return path.resolve(path.dirname(absolute), await readlink(absolute));
  } catch {
    return absolute; // missing: reading it reports that
  }
}

/** Not `instanceof Error`: errors from another realm (a jest sandbox, say) are not instances of this one's. */
function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT';
}
