import * as z from 'zod';
import { ProblemsError, problemsFromIssues } from '../../contract/errors';
import {
  accountIdSchema,
  bucketNameSchema,
  deploymentNameSchema,
  externalIdSchema,
  SourceSchema,
  type SourceSpec,
} from '../../contract/names';
import { type VerifyExpectations, VerifyExpectationsSchema } from '../../contract/verify-report';
import { EnvironmentError } from '../core/errors';
import { parseAwsCron } from '../core/verify/aws-checks-schedule';

/*
 * Reads the functions' environment, once, against the contract in contract/environment.ts (which the
 * stack types its environment objects with). A bad variable is a deployment fault: EnvironmentError.
 */

export {
  COMMON_ENV_VARS,
  type EnvironmentOf,
  FUNCTION_ENV_VARS,
  FUNCTION_KINDS,
  type FunctionKind,
} from '../../contract/environment';
export type { SourceSpec };

export interface CommonEnv {
  readonly strongroomName: string;
  /** The primary account this function runs in and backs up. */
  readonly sourceAccountId: string;
  /** The backup account holding the vault. */
  readonly vaultAccountId: string;
  readonly vaultBucket: string;
  /** Sent as sts:ExternalId on every AssumeRole into the vault account. */
  readonly externalId: string;
  /** This account's sources, exactly as configured. */
  readonly sources: readonly SourceSpec[];
}

export interface CopierEnv extends CommonEnv {
  readonly ingestRoleArn: string;
  /** Records that can never be processed go straight here, kept for a human, instead of being retried. */
  readonly deadLetterQueueUrl: string;
}

export interface ReconcilerEnv extends CommonEnv {
  readonly auditorRoleArn: string;
  /** The event queue the copier consumes; the reconciler enqueues what the vault lacks. */
  readonly queueUrl: string;
  /** Its own name, to re-invoke itself asynchronously with a checkpoint. */
  readonly reconcilerFunctionName: string;
}

export interface RestoreEnv extends CommonEnv {
  readonly restoreReaderRoleArn: string;
  /** The only buckets a restore may write to. */
  readonly restoreTargets: readonly string[];
  /** Its own name, to continue a long inline restore in a fresh invocation. */
  readonly restoreFunctionName: string;
  /** The Distributed Map that runs restores too large for inline passes. */
  readonly restoreStateMachineArn: string;
}

export interface SealerEnv extends CommonEnv {
  /** Reads the journal (never object bytes). */
  readonly auditorRoleArn: string;
  /** Appends seals and indexes under journal/<account>/. */
  readonly ingestRoleArn: string;
  /** Segments younger than this stay in the tail: their writes may still be in flight. */
  readonly sealSettleSeconds: number;
}

export interface VerifyEnv extends CommonEnv {
  readonly auditorRoleArn: string;
  /** Files the verify report under reports/<account>/ (PutObject there and nothing else). */
  readonly evidenceWriterRoleArn: string;
  /** The AWS Backup vault (under Vault Lock) in the backup account. */
  readonly backupVaultArn: string;
  readonly rpoMinutes: number;
  /** The backup plan's selection tag: the resources whose recovery points verify looks for. */
  readonly backupPlanTag: { readonly key: string; readonly value: string };
  /** The backup plan's cron(...) schedule, from which verify derives the interval recovery points must be fresh within. */
  readonly backupPlanSchedule: string;
  /** The vault key (its alias ARN) when the vault encrypts with SSE-KMS; null with SSE-S3. */
  readonly vaultKeyArn: string | null;
  /** What the checks are measured against: retention, the policy's denies, the Backup vault lock, the drill. */
  readonly expectations: VerifyExpectations;
}

type Environment = Readonly<Record<string, string | undefined>>;

const text = (expected: string) => z.string({ error: expected }).min(1, { error: expected, abort: true });
const matching = (pattern: RegExp, expected: string) => text(expected).regex(pattern, { error: expected });

const roleArn = matching(
  /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@-]{1,64}$/,
  'an IAM role ARN such as "arn:aws:iam::111122223333:role/strongroom-ingest-222222222222"',
);

/** A variable holding JSON; the decoded value is validated with `schema`, its issues keep their path. */
function json<T extends z.ZodType>(schema: T, expected: string) {
  return text(`${expected}, encoded as JSON`)
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: `${expected}, encoded as JSON`, input: value });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

const common = {
  STRONGROOM_NAME: deploymentNameSchema,
  SOURCE_ACCOUNT_ID: accountIdSchema,
  VAULT_ACCOUNT_ID: accountIdSchema,
  VAULT_BUCKET: bucketNameSchema,
  EXTERNAL_ID: externalIdSchema,
  SOURCES: json(
    z.array(SourceSchema, { error: 'a JSON array of sources {bucket, prefixes?, kmsKeyArn?}' }).min(1, {
      error: 'at least one source',
    }),
    'a non-empty array of sources {bucket, prefixes?, kmsKeyArn?}',
  ),
};

/** A role or vault ARN must live in the vault account the function was told about. */
function inVaultAccount(variable: string, arn: string, vaultAccountId: string, ctx: z.RefinementCtx): void {
  const account = arn.split(':')[4];
  if (account !== vaultAccountId) {
    ctx.addIssue({
      code: 'custom',
      path: [variable],
      input: arn,
      message: `an ARN in the vault account VAULT_ACCOUNT_ID (${vaultAccountId})`,
    });
  }
}

function parse<T extends z.ZodType>(schema: T, env: Environment): z.output<T> {
  const result = schema.safeParse(env, { reportInput: true });
  if (!result.success) throw new EnvironmentError(problemsFromIssues(result.error.issues, env));
  return result.data;
}

function commonOf(e: z.output<z.ZodObject<typeof common>>): CommonEnv {
  return {
    strongroomName: e.STRONGROOM_NAME,
    sourceAccountId: e.SOURCE_ACCOUNT_ID,
    vaultAccountId: e.VAULT_ACCOUNT_ID,
    vaultBucket: e.VAULT_BUCKET,
    externalId: e.EXTERNAL_ID,
    sources: e.SOURCES,
  };
}

const queueUrl = matching(/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[\w-]{1,80}$/, 'an SQS queue URL');

const CopierSchema = z.object({ ...common, INGEST_ROLE_ARN: roleArn, DEAD_LETTER_QUEUE_URL: queueUrl }).superRefine((e, ctx) => {
  inVaultAccount('INGEST_ROLE_ARN', e.INGEST_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
});

export function parseCopierEnv(env: Environment = process.env): CopierEnv {
  const e = parse(CopierSchema, env);
  return { ...commonOf(e), ingestRoleArn: e.INGEST_ROLE_ARN, deadLetterQueueUrl: e.DEAD_LETTER_QUEUE_URL };
}

const ReconcilerSchema = z
  .object({
    ...common,
    AUDITOR_ROLE_ARN: roleArn,
    QUEUE_URL: queueUrl,
    RECONCILER_FUNCTION_NAME: matching(/^[\w-]{1,64}$/, 'a Lambda function name'),
  })
  .superRefine((e, ctx) => {
    inVaultAccount('AUDITOR_ROLE_ARN', e.AUDITOR_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
  });

export function parseReconcilerEnv(env: Environment = process.env): ReconcilerEnv {
  const e = parse(ReconcilerSchema, env);
  return {
    ...commonOf(e),
    auditorRoleArn: e.AUDITOR_ROLE_ARN,
    queueUrl: e.QUEUE_URL,
    reconcilerFunctionName: e.RECONCILER_FUNCTION_NAME,
  };
}

const RestoreSchema = z
  .object({
    ...common,
    RESTORE_READER_ROLE_ARN: roleArn,
    // May be empty: a deployment without restore targets can plan restores (dry run) but write nowhere.
    RESTORE_TARGETS: json(z.array(bucketNameSchema, { error: 'a JSON array of bucket names' }), 'an array of bucket names'),
    RESTORE_FUNCTION_NAME: matching(/^[\w-]{1,64}$/, 'a Lambda function name'),
    RESTORE_STATE_MACHINE_ARN: matching(
      /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[\w-]{1,80}$/,
      'a Step Functions state machine ARN such as "arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore"',
    ),
  })
  .superRefine((e, ctx) => {
    inVaultAccount('RESTORE_READER_ROLE_ARN', e.RESTORE_READER_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
  });

export function parseRestoreEnv(env: Environment = process.env): RestoreEnv {
  const e = parse(RestoreSchema, env);
  return {
    ...commonOf(e),
    restoreReaderRoleArn: e.RESTORE_READER_ROLE_ARN,
    restoreTargets: e.RESTORE_TARGETS,
    restoreFunctionName: e.RESTORE_FUNCTION_NAME,
    restoreStateMachineArn: e.RESTORE_STATE_MACHINE_ARN,
  };
}

const SealerSchema = z
  .object({
    ...common,
    AUDITOR_ROLE_ARN: roleArn,
    INGEST_ROLE_ARN: roleArn,
    SEAL_SETTLE_SECONDS: matching(/^[1-9]\d{0,4}$/, 'a whole number of seconds >= 1').transform(Number),
  })
  .superRefine((e, ctx) => {
    inVaultAccount('AUDITOR_ROLE_ARN', e.AUDITOR_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
    inVaultAccount('INGEST_ROLE_ARN', e.INGEST_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
  });

export function parseSealerEnv(env: Environment = process.env): SealerEnv {
  const e = parse(SealerSchema, env);
  return {
    ...commonOf(e),
    auditorRoleArn: e.AUDITOR_ROLE_ARN,
    ingestRoleArn: e.INGEST_ROLE_ARN,
    sealSettleSeconds: e.SEAL_SETTLE_SECONDS,
  };
}

const VerifySchema = z
  .object({
    ...common,
    AUDITOR_ROLE_ARN: roleArn,
    EVIDENCE_WRITER_ROLE_ARN: roleArn,
    BACKUP_VAULT_ARN: matching(
      /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[\w.-]{2,50}$/,
      'an AWS Backup vault ARN such as "arn:aws:backup:eu-west-1:111111111111:backup-vault:strongroom-vault"',
    ),
    RPO_MINUTES: matching(/^[1-9]\d{0,5}$/, 'a whole number of minutes >= 1').transform(Number),
    BACKUP_PLAN_TAG: json(
      z.strictObject(
        { key: z.string({ error: 'a tag key' }).min(1, { error: 'a tag key' }), value: z.string({ error: 'a tag value' }) },
        { error: 'a tag {key, value}' },
      ),
      "the backup plan's selection tag {key, value}",
    ),
    BACKUP_PLAN_SCHEDULE: text('the backup plan\'s schedule, "cron(m h dom mon dow year)"').superRefine((value, ctx) => {
      try {
        parseAwsCron(value, 'BACKUP_PLAN_SCHEDULE');
      } catch (error: unknown) {
        if (!(error instanceof ProblemsError)) throw error;
        ctx.addIssue({ code: 'custom', input: value, message: error.problems[0]?.expected ?? error.message });
      }
    }),
    // Empty with SSE-S3 (no customer key). z.string, not text(): the empty value is meaningful.
    VERIFY_EXPECTATIONS: json(
      VerifyExpectationsSchema,
      'the verify expectations {retentionDays, denies, tlsSid, backupVaultLock, drill}',
    ),
    VAULT_KEY_ARN: z
      .string({ error: "the vault key's ARN or alias ARN, or empty with SSE-S3" })
      .regex(/^$|^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key\/[\w-]+|alias\/[\w/-]+)$/, {
        error:
          'a KMS key ARN or alias ARN such as "arn:aws:kms:eu-west-1:111111111111:alias/strongroom-vault", or empty with SSE-S3',
      }),
  })
  .superRefine((e, ctx) => {
    inVaultAccount('AUDITOR_ROLE_ARN', e.AUDITOR_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
    inVaultAccount('EVIDENCE_WRITER_ROLE_ARN', e.EVIDENCE_WRITER_ROLE_ARN, e.VAULT_ACCOUNT_ID, ctx);
    inVaultAccount('BACKUP_VAULT_ARN', e.BACKUP_VAULT_ARN, e.VAULT_ACCOUNT_ID, ctx);
    // Only an ARN (the pattern above refuses anything else): empty means SSE-S3.
    if (e.VAULT_KEY_ARN.startsWith('arn:')) inVaultAccount('VAULT_KEY_ARN', e.VAULT_KEY_ARN, e.VAULT_ACCOUNT_ID, ctx);
  });

export function parseVerifyEnv(env: Environment = process.env): VerifyEnv {
  const e = parse(VerifySchema, env);
  return {
    ...commonOf(e),
    auditorRoleArn: e.AUDITOR_ROLE_ARN,
    evidenceWriterRoleArn: e.EVIDENCE_WRITER_ROLE_ARN,
    backupVaultArn: e.BACKUP_VAULT_ARN,
    rpoMinutes: e.RPO_MINUTES,
    backupPlanTag: e.BACKUP_PLAN_TAG,
    backupPlanSchedule: e.BACKUP_PLAN_SCHEDULE,
    vaultKeyArn: e.VAULT_KEY_ARN === '' ? null : e.VAULT_KEY_ARN,
    expectations: e.VERIFY_EXPECTATIONS,
  };
}

/** Memoize a parser: the environment is read once per execution environment (cold start), not per event. */
export function once<T>(parser: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= parser();
    return value;
  };
}

/** Build once per execution environment from the first argument given (clients from the parsed environment). */
export function onceWith<A, T>(build: (argument: A) => T): (argument: A) => T {
  let value: T | undefined;
  return (argument) => {
    value ??= build(argument);
    return value;
  };
}
