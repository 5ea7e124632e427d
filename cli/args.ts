import type { z } from 'zod';
import type { Problem } from '../contract/errors';
import { bucketNameSchema, DEPLOYMENT_NAME_EXPECTED, DEPLOYMENT_NAME_PATTERN, keyPrefixSchema } from '../contract/names';
import type { RestoreMode } from '../lambda/core/restore-plan';
import { CliUsageError } from './errors';
import { type Instant, parseInstant } from './time';

/*
 * The commands' flags, as commander hands them over (strings and booleans), checked in one place: every problem
 * is collected, and each names the flag, the value received and what was expected (exit 2).
 */

export interface RestoreFlags {
  readonly local?: boolean;
  readonly deployment?: string;
  readonly bucket?: string;
  readonly prefix?: string;
  readonly asOf?: string;
  readonly distrustWritesAfter?: string;
  readonly target?: string;
  readonly targetPrefix?: string;
  readonly mode?: string;
  readonly removeExtraneous?: boolean;
  readonly dryRun?: boolean;
  readonly yes?: boolean;
  readonly json?: boolean;
  readonly function?: string;
  readonly name?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly config?: string;
  readonly pollSeconds?: string;
}

export interface AwsTarget {
  /** --function: the restore function's name or ARN; default `<name>-restore`. */
  readonly function?: string;
  /** --name: the deployment's name prefix; default the config's, or "strongroom". */
  readonly name?: string;
  readonly profile?: string;
  readonly region?: string;
  readonly config?: string;
  readonly pollMs: number;
}

export interface RestoreArgs {
  readonly bucket: string;
  readonly prefix?: string;
  readonly asOf: Instant;
  readonly distrustWritesAfter?: Instant;
  readonly target?: string;
  readonly targetPrefix?: string;
  readonly mode: RestoreMode;
  readonly removeExtraneous: boolean;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly json: boolean;
  /** Exactly one of the two. */
  readonly local?: { readonly deployment?: string };
  readonly aws?: AwsTarget;
}

export const MODE_EXPECTED =
  '"state" (every key as it was at --as-of; the default) or "changed-since" (only keys deleted or overwritten since)';
const FUNCTION_NAME =
  /^[A-Za-z0-9_-]{1,64}$|^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9_$-]+)?$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export class Problems {
  readonly list: Problem[] = [];

  add(field: string, received: string | undefined, expected: string): void {
    this.list.push({ field, received: received === undefined ? '(missing)' : JSON.stringify(received), expected });
  }

  /** Runs `parse`; a CliUsageError it throws joins the list instead. */
  attempt<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof CliUsageError)) throw error;
      this.list.push(...error.problems);
      return undefined;
    }
  }

  schema<T>(field: string, schema: z.ZodType<T>, value: string | undefined): T | undefined {
    if (value === undefined) return undefined;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    this.add(field, value, parsed.error.issues[0]?.message ?? 'a valid value');
    return undefined;
  }

  throwIfAny(): void {
    if (this.list.length > 0) throw new CliUsageError(this.list);
  }
}

/** The source bucket flag or argument, checked by S3's naming rules (before any mapping to a local name). */
export function checkBucket(problems: Problems, field: string, value: string | undefined): string | undefined {
  if (value === undefined) {
    problems.add(field, undefined, 'the source bucket whose backups to read, as configured (e.g. "acme-invoices")');
    return undefined;
  }
  return problems.schema(field, bucketNameSchema, value);
}

const AWS_ONLY = ['function', 'name', 'profile', 'region', 'config', 'pollSeconds'] as const;
const flagOf = (option: string) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** Checks the local/AWS flags: --deployment only with --local, the AWS flags only without it. */
export function checkWhere(problems: Problems, flags: RestoreFlags): { local?: { deployment?: string }; aws?: AwsTarget } {
  if (flags.local) {
    for (const option of AWS_ONLY) {
      const value = flags[option];
      if (value !== undefined)
        problems.add(flagOf(option), value, 'no value with --local (it is for the deployed restore Lambda)');
    }
    return { local: flags.deployment !== undefined ? { deployment: flags.deployment } : {} };
  }
  if (flags.deployment !== undefined)
    problems.add('--deployment', flags.deployment, 'only with --local (a local deployment file)');
  if (flags.function !== undefined && !FUNCTION_NAME.test(flags.function))
    problems.add('--function', flags.function, 'a Lambda function name or ARN (1-64 of letters, digits, "-" and "_")');
  checkAwsFlags(problems, flags);
  let pollMs = 5000;
  if (flags.pollSeconds !== undefined) {
    const n = Number(flags.pollSeconds);
    if (!/^\d+(\.\d+)?$/.test(flags.pollSeconds) || n < 1 || n > 60)
      problems.add('--poll-seconds', flags.pollSeconds, 'seconds between two status requests: a number from 1 to 60');
    else pollMs = Math.round(n * 1000);
  }
  return {
    aws: {
      ...(flags.function !== undefined ? { function: flags.function } : {}),
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
      ...(flags.region !== undefined ? { region: flags.region } : {}),
      ...(flags.config !== undefined ? { config: flags.config } : {}),
      pollMs,
    },
  };
}

export function parseRestoreArgs(flags: RestoreFlags, now: Date): RestoreArgs {
  const problems = new Problems();
  const bucket = checkBucket(problems, '--bucket', flags.bucket);
  const prefix = problems.schema('--prefix', keyPrefixSchema, flags.prefix);
  const targetPrefix = problems.schema('--target-prefix', keyPrefixSchema, flags.targetPrefix);
  if (flags.target !== undefined) problems.schema('--target', bucketNameSchema, flags.target);
  let asOf: Instant | undefined;
  if (flags.asOf === undefined) problems.add('--as-of', undefined, 'the instant to restore to (see --help)');
  else asOf = problems.attempt(() => parseInstant('--as-of', flags.asOf as string, now));
  const distrust =
    flags.distrustWritesAfter === undefined
      ? undefined
      : problems.attempt(() => parseInstant('--distrust-writes-after', flags.distrustWritesAfter as string, now));
  const mode = flags.mode ?? 'state';
  if (mode !== 'state' && mode !== 'changed-since') problems.add('--mode', flags.mode, MODE_EXPECTED);
  if (flags.removeExtraneous && mode === 'changed-since')
    problems.add('--remove-extraneous', 'true', 'only with --mode state (changed-since leaves keys created after --as-of alone)');
  if (flags.dryRun && flags.yes) problems.add('--yes', 'true', 'no --yes with --dry-run (a dry run writes nothing to confirm)');
  const where = checkWhere(problems, flags);
  problems.throwIfAny();
  return {
    bucket: bucket as string,
    ...(prefix !== undefined ? { prefix } : {}),
    asOf: asOf as Instant,
    ...(distrust ? { distrustWritesAfter: distrust } : {}),
    ...(flags.target !== undefined ? { target: flags.target } : {}),
    ...(targetPrefix !== undefined ? { targetPrefix } : {}),
    mode: mode as RestoreMode,
    removeExtraneous: flags.removeExtraneous === true,
    dryRun: flags.dryRun === true,
    yes: flags.yes === true,
    json: flags.json === true,
    ...where,
  };
}

export interface TimelineFlags {
  readonly local?: boolean;
  readonly deployment?: string;
  readonly distrustWritesAfter?: string;
  readonly json?: boolean;
}

export interface TimelineArgs {
  readonly bucket: string;
  readonly key: string;
  readonly deployment?: string;
  readonly distrustWritesAfter?: Instant;
  readonly json: boolean;
}

export function parseTimelineArgs(
  bucket: string | undefined,
  key: string | undefined,
  flags: TimelineFlags,
  now: Date,
): TimelineArgs {
  const problems = new Problems();
  if (!flags.local) {
    problems.add(
      '--local',
      undefined,
      '--local: the timeline reads the vault journal through the restore-reader role, which in AWS only the restore function may assume',
    );
  }
  const name = checkBucket(problems, '<bucket>', bucket);
  if (key === undefined || key === '')
    problems.add('<key>', key, 'the object key whose history to show, e.g. "invoices/2026/inv-0001.txt"');
  const distrust =
    flags.distrustWritesAfter === undefined
      ? undefined
      : problems.attempt(() => parseInstant('--distrust-writes-after', flags.distrustWritesAfter as string, now));
  problems.throwIfAny();
  return {
    bucket: name as string,
    key: key as string,
    ...(flags.deployment !== undefined ? { deployment: flags.deployment } : {}),
    ...(distrust ? { distrustWritesAfter: distrust } : {}),
    json: flags.json === true,
  };
}

/** The flags every AWS-mode command shares: the deployment's name, the region, the profile. */
export function checkAwsFlags(problems: Problems, flags: { name?: string; region?: string; profile?: string }): void {
  if (flags.name !== undefined && !DEPLOYMENT_NAME_PATTERN.test(flags.name)) {
    problems.add(
      '--name',
      flags.name,
      `the deployment's name prefix (config "name"): ${DEPLOYMENT_NAME_EXPECTED.replace(/^a name prefix: /, '')}`,
    );
  }
  if (flags.region !== undefined && !REGION.test(flags.region))
    problems.add('--region', flags.region, 'an AWS region such as "eu-west-1"');
  if (flags.profile !== undefined && flags.profile.trim() === '') {
    problems.add('--profile', flags.profile, 'a profile name of the AWS shared config');
  }
}
