import { readFileSync } from 'node:fs';
import { closest as closestMatch, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { describeValue, formatPath, valueAt } from '../../contract/errors';
import { vaultPolicyModel } from '../policy/model';
import { vaultBucketPolicy } from '../policy/vault-bucket';
import { ConfigError, type ConfigProblem } from './errors';
import { lintImmutability } from './immutability-linter';
import { type StrongroomConfig, StrongroomConfigSchema } from './schema';

/**
 * Read, validate and lint a config file. Throws ConfigError listing every problem; returns a
 * config that is both well-formed and at least as strong as the guardrails promise.
 */
export function loadConfig(file: string): StrongroomConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [{ field: '(file)', received: describeValue(file), expected: 'a readable JSON config file' }], {
      cause: error,
    });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(file, [{ field: '(file)', received: `invalid JSON (${reason})`, expected: 'a JSON object' }], {
      cause: error,
    });
  }
  return parseConfig(raw, file);
}

/** Validate an already-parsed config object; `source` names it in error messages. */
export function parseConfig(raw: unknown, source = 'config'): StrongroomConfig {
  const parsed = StrongroomConfigSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    throw new ConfigError(
      source,
      parsed.error.issues.flatMap((issue) => toProblems(issue, raw)),
    );
  }
  const findings = lintImmutability(parsed.data);
  if (findings.length > 0) throw new ConfigError(source, findings);
  const tooLarge = vaultPolicySizeProblem(parsed.data);
  if (tooLarge) throw new ConfigError(source, [tooLarge]);
  return parsed.data;
}

/** S3's limit on a bucket policy's size. */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/**
 * The vault's bucket policy grows with every primary account (each account's roles and prefix denies), and
 * S3 refuses one over 20 KB at deploy time: say so at synth, as a config problem, with how many fit.
 */
function vaultPolicySizeProblem(config: StrongroomConfig): ConfigProblem | undefined {
  const size = (c: StrongroomConfig) => Buffer.byteLength(JSON.stringify(vaultBucketPolicy(vaultPolicyModel(c))));
  const bytes = size(config);
  if (bytes <= BUCKET_POLICY_MAX_BYTES) return undefined;
  let fit = config.primaryAccounts.length - 1;
  while (fit > 1 && size({ ...config, primaryAccounts: config.primaryAccounts.slice(0, fit) }) > BUCKET_POLICY_MAX_BYTES) fit--;
  return {
    field: 'primaryAccounts',
    received: `${config.primaryAccounts.length} accounts (a vault bucket policy of ${bytes} bytes)`,
    expected: `at most ${fit} primary accounts per vault: S3 refuses a bucket policy over ${BUCKET_POLICY_MAX_BYTES} bytes (deploy another Strongroom, with its own name, for the others)`,
  };
}

type Issue = z.core.$ZodIssue;

function toProblems(issue: Issue, raw: unknown): ConfigProblem[] {
  if (issue.code === 'unrecognized_keys') {
    const allowed = allowedKeysAt(issue.path, raw);
    return issue.keys.map((key) => ({
      field: formatPath([...issue.path, key]),
      received: describeValue(valueAt(raw, [...issue.path, key])),
      expected: unknownKeyExpectation(key, allowed),
    }));
  }
  // The raw value at the issue's path: for unions zod reports the whole object, users want the field.
  const received = valueAt(raw, issue.path);
  return [{ field: formatPath(issue.path), received: describeValue(received), expected: expectation(issue, received) }];
}

/** Our schema's custom messages already say what is expected; zod's defaults get rephrased. */
function expectation(issue: Issue, received: unknown): string {
  const generic = /^(Invalid input|Invalid option|Too small|Too big|Invalid discriminator)/.test(issue.message);
  if (!generic) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return received === undefined
        ? `a value of type ${issue.expected} (this field is required)`
        : `a value of type ${issue.expected}`;
    case 'invalid_value':
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'too_small':
      return `${issue.origin === 'array' ? 'at least' : '>='} ${String(issue.minimum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'too_big':
      return `${issue.origin === 'array' ? 'at most' : '<='} ${String(issue.maximum)}${issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_union':
      return 'note' in issue && issue.note === 'No matching discriminator' && 'options' in issue
        ? `one of ${(issue.options as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`
        : 'one of the documented forms of this field';
    default:
      return issue.message;
  }
}

function unknownKeyExpectation(key: string, allowed: readonly string[]): string {
  const suggestion = closest(key, allowed);
  const hint = suggestion ? `; did you mean "${suggestion}"?` : '';
  return allowed.length > 0 ? `no such key (allowed here: ${allowed.join(', ')})${hint}` : 'no such key';
}

/** The keys a strict object accepts at a path, found by walking the schema alongside the raw value. */
function allowedKeysAt(path: readonly PropertyKey[], raw: unknown): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walking zod's internal definitions
  let schema: any = StrongroomConfigSchema;
  let value: unknown = raw;
  const unwrap = () => {
    while (['default', 'optional', 'nullable', 'readonly', 'pipe', 'prefault'].includes(schema._zod.def.type)) {
      schema = schema._zod.def.innerType ?? schema._zod.def.in;
    }
    if (schema._zod.def.type === 'union') {
      // A discriminated union: pick the option whose literal matches the raw value's discriminator.
      const options: unknown[] = schema._zod.def.options;
      const discriminator: string | undefined = schema._zod.def.discriminator;
      const wanted = discriminator ? (value as Record<string, unknown> | undefined)?.[discriminator] : undefined;
      schema =
        options.find((o) => {
          // biome-ignore lint/suspicious/noExplicitAny: zod internals
          const literal = (o as any)._zod.def.shape?.[discriminator ?? '']?._zod.def.values;
          return Array.isArray(literal) && literal.includes(wanted);
        }) ?? options[0];
    }
  };
  unwrap();
  for (const part of path) {
    value = (value as Record<PropertyKey, unknown> | undefined)?.[part];
    if (schema._zod.def.type === 'array') schema = schema._zod.def.element;
    else if (schema._zod.def.type === 'object') schema = schema._zod.def.shape[part as string];
    if (!schema) return [];
    unwrap();
  }
  return schema._zod.def.type === 'object' ? Object.keys(schema._zod.def.shape) : [];
}

/** The allowed key within edit distance 2 of a typo, if there is one. */
function closest(key: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const suggestion = closestMatch(key, [...candidates]);
  return distance(key.toLowerCase(), suggestion.toLowerCase()) <= 2 ? suggestion : undefined;
}
