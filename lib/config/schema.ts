import { z } from 'zod';
import {
  accountIdSchema as accountId,
  bucketNameSchema as bucketName,
  deploymentNameSchema,
  externalIdSchema,
  iamRoleNameSchema as iamRoleName,
  keyPrefixSchema,
  SourceSchema,
} from '../../contract/names';

/*
 * The one schema for a Strongroom deployment. Every object is strict: an unknown key is an
 * error, because a typo ("retentionDay") must never silently drop a protection.
 * Custom messages state what was expected; ConfigError adds the path and the value received.
 */

const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/, { error: 'an AWS region name such as "eu-west-1"' });

/** A whole number of days; the immutability linter, not the schema, decides how few are too few. */
const days = () =>
  z
    .number({ error: 'a whole number of days' })
    .int({ error: 'a whole number of days' })
    .min(0, { error: 'a whole number of days >= 0' })
    .max(36500, { error: 'at most 36500 days (100 years, the Object Lock maximum)' });

/** An integer in a range; `why`, when given, says what the range protects. */
const integerIn = (min: number, max: number, why?: string) => {
  const expected = { error: `an integer from ${min} to ${max}${why ? ` (${why})` : ''}` };
  return z.number(expected).int(expected).min(min, expected).max(max, expected);
};

/**
 * The copier's floor: its SQS event source needs a maximum concurrency of at least 2, and that maximum
 * is the reserved concurrency (a poller the function cannot serve still burns a receive).
 */
export const MIN_COPIER_RESERVED_CONCURRENCY = 2;

/** Periods (minutes) a change-rate alarm may sum over: CloudWatch periods of whole minutes up to an hour. */
export const CHANGE_RATE_INTERVALS = [1, 5, 10, 15, 30, 60] as const;

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/;

/** The forms a schedule may take, each with what is expected of a value in neither: EventBridge rules take both, AWS Backup plans cron only. */
const SCHEDULE_FORMS = {
  'rate or cron': 'a schedule expression: "cron(m h dom mon dow year)" with six fields, or "rate(N unit)"',
  cron: 'a schedule expression: "cron(m h dom mon dow year)" with six fields (AWS Backup accepts no rate(...))',
} as const;
type ScheduleForms = keyof typeof SCHEDULE_FORMS;

/**
 * What the service would refuse at deploy time in a schedule expression, or undefined when it is
 * valid: a rate of at least 1 whose unit agrees with it; six cron fields with "?" in exactly one of
 * the two day fields.
 */
function scheduleProblem(expression: string, forms: ScheduleForms): string | undefined {
  const rate = forms === 'rate or cron' ? RATE.exec(expression) : null;
  if (rate) {
    const value = Number(rate[1]);
    const singular = !(rate[2] ?? '').endsWith('s');
    return value >= 1 && (value === 1) === singular
      ? undefined
      : 'a rate of at least 1 whose unit agrees with it ("rate(1 hour)", "rate(6 hours)")';
  }
  const cron = CRON.exec(expression);
  if (cron) {
    return (cron[3] === '?') !== (cron[5] === '?')
      ? undefined
      : '"?" in exactly one of day-of-month and day-of-week (e.g. "cron(0 3 * * ? *)")';
  }
  return SCHEDULE_FORMS[forms];
}

const scheduleExpression = (forms: ScheduleForms) =>
  z.string({ error: SCHEDULE_FORMS[forms] }).superRefine((expression, ctx) => {
    const problem = scheduleProblem(expression, forms);
    if (problem) ctx.addIssue({ code: 'custom', input: expression, message: problem });
  });

/** Characters IAM reads as wildcards or policy variables inside a Resource or a StringLike value. */
const IAM_SPECIAL = /[*?]|\$\{/;

/** A source whose prefixes IAM reads literally: each becomes a Resource and an s3:prefix condition of the functions' roles. */
const ConfigSourceSchema = SourceSchema.superRefine((source, ctx) => {
  source.prefixes?.forEach((prefix, k) => {
    if (IAM_SPECIAL.test(prefix)) {
      ctx.addIssue({
        code: 'custom',
        path: ['prefixes', k],
        input: prefix,
        message:
          'a prefix without "*", "?" or "${" (IAM would read them as wildcards or variables and grant more than the prefix)',
      });
    }
  });
});

export { SourceSchema };

export const PrimaryAccountSchema = z.strictObject({
  accountId,
  /** Short label used in resource names, alarms and reports. */
  name: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,19}$/, { error: 'a short label: 1-20 characters of a-z, 0-9 and "-", starting with a letter' }),
  sources: z.array(ConfigSourceSchema).min(1, { error: 'at least one source bucket' }),
  /** Buckets the restore function may write to. The source buckets are NOT implicitly included. */
  restoreTargets: z.array(bucketName).default([]),
  /**
   * The restore drill run with every verify: a sample of keys restored as of `asOfMinutesAgo` into a scratch
   * prefix of `targetBucket` (one of restoreTargets), hashed against the journal, then removed.
   * @default no drill (the drill.restore check is then SKIPPED)
   */
  drill: z
    .strictObject({
      targetBucket: bucketName,
      prefix: keyPrefixSchema.default('.strongroom/drills/'),
      sampleSize: integerIn(1, 1000).default(20),
      asOfMinutesAgo: integerIn(0, 10080).default(60),
    })
    .optional(),
});

export const VaultEncryptionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('SSE_S3') }),
    z.strictObject({
      type: z.literal('SSE_KMS'),
      /**
       * The key Strongroom creates gets a key policy denying kms:ScheduleKeyDeletion and kms:DisableKey
       * to every principal. Must be true; the immutability linter refuses false.
       */
      denyKeyDeletion: z.boolean({ error: 'true or false' }),
    }),
  ],
  { error: 'an encryption setting: {"type": "SSE_S3"} or {"type": "SSE_KMS", "denyKeyDeletion": true}' },
);

export const StrongroomConfigSchema = z
  .strictObject({
    /** Prefix of every resource name (roles, buckets, functions). Change it to run two deployments side by side. */
    name: deploymentNameSchema.default('strongroom'),
    region,
    /** Shared secret-free token the vault roles require in sts:ExternalId (confused-deputy protection). */
    externalId: externalIdSchema,
    backupAccount: z.strictObject({
      accountId,
      /** The only principal exempt from the vault's denies. Create it yourself, protected by MFA and alerting. */
      breakGlassRoleName: iamRoleName,
      /**
       * Role CloudFormation runs as when deploying VaultStack; exempt from the deny on s3:PutBucketPolicy so that
       * later deploys can update the vault bucket's policy.
       * @default the CDK bootstrap's execution role, "cdk-hnb659fds-cfn-exec-role-<account>-<region>"
       */
      deployRoleName: iamRoleName.optional(),
    }),
    primaryAccounts: z.array(PrimaryAccountSchema).min(1, { error: 'at least one primary account' }),
    vault: z.strictObject({
      objectLock: z.strictObject({
        /** Must be COMPLIANCE; GOVERNANCE is accepted by the schema only so the linter can explain why it is refused. */
        mode: z.enum(['COMPLIANCE', 'GOVERNANCE'], { error: '"COMPLIANCE"' }),
        /** Default retention of every vault version. Nobody, root included, can delete a version or shorten this. */
        retentionDays: days(),
      }),
      encryption: VaultEncryptionSchema.default({ type: 'SSE_S3' }),
    }),
    backupVault: z.strictObject({
      lock: z.strictObject({
        minRetentionDays: days(),
        maxRetentionDays: days(),
        /** Grace period before the compliance-mode lock becomes immutable. AWS requires at least 3. */
        changeableForDays: days(),
      }),
    }),
    backupPlan: z.strictObject({
      /** When AWS Backup starts the plan's backups (UTC). */
      schedule: scheduleExpression('cron'),
      /** Retention of the copies in the backup account's vault; must lie within the vault lock's range. */
      retentionDays: days(),
      /** Retention of the recovery points in the primary account's local vault. */
      localRetentionDays: integerIn(1, 36500).default(7),
      resourceTag: z
        .strictObject({
          key: z.string().regex(/^[\w.:/=+@ -]{1,128}$/, { error: 'a tag key of 1-128 characters' }),
          value: z.string().regex(/^[\w.:/=+@ -]{0,256}$/, { error: 'a tag value of at most 256 characters' }),
        })
        .default({ key: 'strongroom:backup', value: 'true' }),
    }),
    alerts: z.strictObject({
      email: z.email({ error: 'an e-mail address' }),
      /**
       * The change-rate alarms, two per source bucket, on the copier's per-source counts: a burst of deletions
       * (a wipe) or of writes (ransomware overwriting everything) within one interval.
       */
      changeRate: z
        .strictObject({
          /** The alarms' period: counts are summed over this many minutes. */
          intervalMinutes: z
            .union(
              CHANGE_RATE_INTERVALS.map((m) => z.literal(m)) as unknown as [
                z.ZodLiteral<number>,
                z.ZodLiteral<number>,
                ...z.ZodLiteral<number>[],
              ],
              { error: `a CloudWatch alarm period in minutes: one of ${CHANGE_RATE_INTERVALS.join(', ')}` },
            )
            .default(5),
          /** Alarm when more source deletions than this happen in one interval. */
          deletionsPerInterval: integerIn(1, 1_000_000_000).default(100),
          /** Alarm when more source writes (new keys and overwrites alike) than this happen in one interval. */
          writesPerInterval: integerIn(1, 1_000_000_000).default(10_000),
        })
        .prefault({}),
    }),
    /** Tuning of the primary-account pipeline. */
    pipeline: z
      .strictObject({
        copierTimeoutSeconds: integerIn(10, 900).default(300),
        copierMemoryMb: integerIn(256, 10240).default(1024),
        /** Caps how much of the account's Lambda concurrency a burst of source writes can take. */
        copierReservedConcurrency: integerIn(
          MIN_COPIER_RESERVED_CONCURRENCY,
          1000,
          'the SQS event source needs a maximum concurrency of 2 or more, and a poller throttled by a lower reserved concurrency would push healthy messages into the DLQ',
        ).default(10),
        queueBatchSize: integerIn(1, 100).default(10),
        /** Deliveries of one message before it moves to the dead-letter queue. */
        maxReceiveCount: integerIn(1, 100).default(5),
        /** Alarm when the newest successful copy is older than this (recovery point objective). */
        rpoMinutes: integerIn(5, 10080).default(60),
        reconcileSchedule: scheduleExpression('rate or cron').default('rate(6 hours)'),
        verifySchedule: scheduleExpression('rate or cron').default('cron(0 5 * * ? *)'),
        /** When the sealer closes the journal segments written since the last seal (chains and indexes them). */
        sealSchedule: scheduleExpression('rate or cron').default('rate(1 hour)'),
        /** Segments younger than this stay unsealed: a copier batch may still be writing them. */
        sealSettleSeconds: integerIn(60, 3600).default(300),
        /** Batches of a large restore (Step Functions Distributed Map) running at once, each one restore function invocation. */
        restoreMapConcurrency: integerIn(1, 1000).default(10),
        logRetentionDays: z
          .union(
            [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653].map((d) =>
              z.literal(d),
            ) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>, ...z.ZodLiteral<number>[]],
            {
              error:
                'a CloudWatch Logs retention: one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
            },
          )
          .default(365),
      })
      // Absent, it is read as {}: every field takes its own default, written once above.
      .prefault({}),
    /** Immutability guardrails. They can be raised, never lowered below the built-in floor. */
    guardrails: z
      .strictObject({
        minRetentionDays: days().default(1),
      })
      .prefault({}),
  })
  .superRefine((config, ctx) => {
    // Cross-field validity (not immutability: that is the linter's job, see immutability-linter.ts).
    const seenAccounts = new Map<string, number>();
    config.primaryAccounts.forEach((account, i) => {
      const first = seenAccounts.get(account.accountId);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryAccounts', i, 'accountId'],
          input: account.accountId,
          message: `each primary account listed once (already listed at primaryAccounts[${first}])`,
        });
      } else seenAccounts.set(account.accountId, i);
    });
    const seenNames = new Map<string, number>();
    config.primaryAccounts.forEach((account, i) => {
      const first = seenNames.get(account.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryAccounts', i, 'name'],
          input: account.name,
          message: `a name unique among primary accounts (already used by primaryAccounts[${first}])`,
        });
      } else seenNames.set(account.name, i);
    });
    // Bucket names are global in S3: one bucket can be a source of one account only, and once.
    const seenBuckets = new Map<string, string>();
    config.primaryAccounts.forEach((account, i) => {
      account.sources.forEach((source, j) => {
        const here = `primaryAccounts[${i}].sources[${j}]`;
        const first = seenBuckets.get(source.bucket);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['primaryAccounts', i, 'sources', j, 'bucket'],
            input: source.bucket,
            message: `each source bucket listed once (already listed at ${first})`,
          });
        } else seenBuckets.set(source.bucket, here);
      });
    });
    config.primaryAccounts.forEach((account, i) => {
      if (account.drill && !account.restoreTargets.includes(account.drill.targetBucket)) {
        ctx.addIssue({
          code: 'custom',
          path: ['primaryAccounts', i, 'drill', 'targetBucket'],
          input: account.drill.targetBucket,
          message: `one of this account's restoreTargets (${account.restoreTargets.join(', ') || 'none are configured'}): the drill writes as the restore function`,
        });
      }
    });
    const { minRetentionDays, maxRetentionDays } = config.backupVault.lock;
    if (maxRetentionDays < minRetentionDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['backupVault', 'lock', 'maxRetentionDays'],
        input: maxRetentionDays,
        message: `a number of days >= backupVault.lock.minRetentionDays (${minRetentionDays})`,
      });
    }
  });

/** The raw config as written in the JSON file. */
export type StrongroomConfigInput = z.input<typeof StrongroomConfigSchema>;
/** The validated config, defaults applied. */
export type StrongroomConfig = z.output<typeof StrongroomConfigSchema>;
export type PrimaryAccountConfig = StrongroomConfig['primaryAccounts'][number];
export type SourceConfig = PrimaryAccountConfig['sources'][number];
