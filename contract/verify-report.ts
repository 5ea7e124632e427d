import * as z from 'zod';

/*
 * The verify report: what the verify Lambda files under `reports/<account>/` and returns, what
 * `strongroom verify` prints and writes with --json, and what the HTML report renders. Its JSON Schema
 * (schema/verify-report.schema.json) is generated from this zod schema; a test keeps the two equal.
 *
 * Each check has a stable id: dashboards, alarms and an auditor's working papers refer to it, so an id is
 * never renamed or reused for a different question. A check is
 *   PASS     proven, on the evidence listed;
 *   WARN     not a failure yet, but going to be one or not fully provable (a grace period still open, a sample);
 *   FAIL     disproven: the evidence shows what is wrong, the remediation says what to do;
 *   SKIPPED  not applicable to this deployment or server (no KMS key, no AWS Backup on a local S3), with why.
 */

export const REPORT_FORMAT = 'strongroom-verify-report';
export const REPORT_FORMAT_VERSION = 1;

export const CHECK_STATUSES = ['PASS', 'WARN', 'FAIL', 'SKIPPED'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** Every check, by stable id, with the question it answers. The order is the report's. */
export const CHECKS = {
  'vault.lock.enabled': 'Object Lock is enabled on the vault bucket',
  'vault.lock.mode': 'The default retention mode is COMPLIANCE',
  'vault.lock.retention': 'The default retention is at least the configured days',
  'vault.versioning': 'Versioning is enabled on the vault bucket',
  'vault.public-access': 'All four public-access blocks are on',
  'vault.policy.tls': 'The bucket policy refuses requests without TLS',
  'vault.policy.denies': 'Every deny statement Strongroom writes is in the bucket policy, unchanged',
  'vault.encryption': 'Default encryption is on, without a customer key that can be deleted or disabled',
  'backup-vault.lock': 'The AWS Backup vault is under Vault Lock in compliance mode, within the configured retention range',
  'versions.retention': 'Every vault version is locked in COMPLIANCE mode until at least its write time plus the configured days',
  'coverage.copies': 'Every current source object has a vault copy',
  'coverage.sha256': "Each current source object's bytes hash to the SHA-256 its vault copy was journaled with",
  'freshness.rpo': 'The oldest source change not yet in the vault is younger than the RPO',
  'journal.segments': "Every journal segment's content hashes to its recorded SHA-256",
  'journal.seals': 'The seal chain is unbroken and every Merkle root recomputes',
  'journal.late-segments': 'No segment was written after its interval was sealed',
  'journal.vault-objects': 'Every journal entry has its vault object',
  'sources.events': 'Every source bucket sends its events to EventBridge',
  'backup.recovery-points': 'Every tagged resource has a recovery point in the vault newer than the plan interval',
  'drill.restore': 'A sample restored from the vault as of one hour ago matches the journal, byte for byte',
} as const;

export type CheckId = keyof typeof CHECKS;
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

/** Who ran a check: the least-privileged role that can prove it (the README lists them). */
export const CHECK_ROLES = ['auditor', 'verify', 'restore'] as const;
export type CheckRole = (typeof CHECK_ROLES)[number];

const instant = z.iso.datetime({ offset: true });

export const CheckResultSchema = z.strictObject({
  id: z.enum(CHECK_IDS as [CheckId, ...CheckId[]]),
  title: z.string(),
  status: z.enum(CHECK_STATUSES),
  /** One line: what was found (the evidence in brief). */
  summary: z.string(),
  /** What was measured, as name → value (numbers, settings, counts, sample sizes and confidence). */
  evidence: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  /** Up to FINDINGS_SHOWN concrete findings (a key, a version, a segment) behind a WARN or FAIL. */
  findings: z.array(z.string()),
  /** How many findings there were in all (findings holds the first of them). */
  findingCount: z.number().int().nonnegative(),
  /** One line: what to do about a WARN or FAIL; for a PASS, what keeps it passing. */
  remediation: z.string(),
  /** The role whose credentials ran the check. */
  ranAs: z.enum(CHECK_ROLES),
  durationMs: z.number().nonnegative(),
});
export type CheckResult = z.output<typeof CheckResultSchema>;

/** Findings kept per check in a report: enough to act on, never the whole bucket. */
export const FINDINGS_SHOWN = 20;

export const VerifyReportSchema = z.strictObject({
  format: z.literal(REPORT_FORMAT),
  formatVersion: z.literal(REPORT_FORMAT_VERSION),
  reportId: z.string().regex(/^v-[0-9a-z-]+$/),
  /** When the run started and ended (the verifier's clock; every age inside is measured on the servers'). */
  startedAt: instant,
  finishedAt: instant,
  /** The time range the evidence covers: the oldest vault write seen to the end of the run. */
  covers: z.strictObject({ from: instant.nullable(), to: instant }),
  /** Where it ran: a deployed account or a local deployment. */
  deployment: z.strictObject({
    name: z.string(),
    where: z.string(),
    primaryAccount: z.string(),
    backupAccount: z.string(),
    vaultBucket: z.string(),
  }),
  /** The configuration the checks were measured against. */
  config: z.strictObject({
    retentionDays: z.number().int().nonnegative(),
    rpoMinutes: z.number().int().positive(),
    sources: z.array(z.strictObject({ bucket: z.string(), prefixes: z.array(z.string()) })),
    backupVault: z
      .strictObject({
        name: z.string(),
        minRetentionDays: z.number().int().nonnegative(),
        maxRetentionDays: z.number().int().nonnegative(),
        changeableForDays: z.number().int().nonnegative(),
      })
      .nullable(),
    encryption: z.enum(['SSE_S3', 'SSE_KMS']),
    retentionSample: z.strictObject({ mode: z.enum(['full', 'sample']), size: z.number().int().nonnegative() }),
    drill: z.strictObject({ targetBucket: z.string(), prefix: z.string(), sampleSize: z.number().int().positive() }).nullable(),
  }),
  summary: z.strictObject({
    status: z.enum(['PASS', 'WARN', 'FAIL']),
    pass: z.number().int().nonnegative(),
    warn: z.number().int().nonnegative(),
    fail: z.number().int().nonnegative(),
    skipped: z.number().int().nonnegative(),
    /** The failing check ids, first thing an auditor or an on-call reads. */
    failing: z.array(z.enum(CHECK_IDS as [CheckId, ...CheckId[]])),
  }),
  checks: z.array(CheckResultSchema),
  /** Where the report was filed in the vault (absent until filed, or when filing failed: see filingError). */
  filed: z.strictObject({ json: z.string(), html: z.string() }).nullable(),
  filingError: z.string().nullable(),
});
export type VerifyReport = z.output<typeof VerifyReportSchema>;

/** The overall status: FAIL if any check failed, else WARN if any warned, else PASS (SKIPPED counts for nothing). */
export function overallStatus(checks: readonly Pick<CheckResult, 'status'>[]): 'PASS' | 'WARN' | 'FAIL' {
  if (checks.some((c) => c.status === 'FAIL')) return 'FAIL';
  if (checks.some((c) => c.status === 'WARN')) return 'WARN';
  return 'PASS';
}

export function summarize(checks: readonly CheckResult[]): VerifyReport['summary'] {
  const count = (status: CheckStatus) => checks.filter((c) => c.status === status).length;
  return {
    status: overallStatus(checks),
    pass: count('PASS'),
    warn: count('WARN'),
    fail: count('FAIL'),
    skipped: count('SKIPPED'),
    failing: checks.filter((c) => c.status === 'FAIL').map((c) => c.id),
  };
}

/** Where a report is filed: `reports/<account>/<yyyy>/<mm>/<dd>/<reportId>.{json,html}`. */
export function reportKeys(account: string, reportId: string, startedAt: Date): { json: string; html: string } {
  const day = startedAt.toISOString().slice(0, 10).replaceAll('-', '/');
  const base = `reports/${account}/${day}/${reportId}`;
  return { json: `${base}.json`, html: `${base}.html` };
}

/**
 * An on-demand verify request (the schedule sends its own event, read as `{}`): which checks to run (all by
 * default), and whether to check every version's retention instead of a sample.
 */
export const VerifyRequestSchema = z.strictObject(
  {
    checks: z
      .array(z.enum(CHECK_IDS as [CheckId, ...CheckId[]], { error: `a check id: one of ${CHECK_IDS.join(', ')}` }))
      .min(1, { error: 'at least one check id (omit the field to run every check)' })
      .optional(),
    /** "full": GetObjectRetention on every version; a number: a uniform random sample of that many. */
    retention: z
      .union([z.literal('full'), z.number().int().min(1).max(1_000_000)], {
        error: '"full" or a sample size from 1 to 1000000',
      })
      .optional(),
    /** Run the restore drill (default true when a drill target is configured). */
    drill: z.boolean({ error: 'true or false' }).optional(),
  },
  { error: 'a verify request {checks?, retention?, drill?}, or {} for every check' },
);
export type VerifyRequest = z.output<typeof VerifyRequestSchema>;

/**
 * What the verify function asks the restore function for (an internal action of the restore Lambda, invoked
 * by verify only): a drill into a scratch prefix of one of the restore targets.
 */
export const DrillRequestSchema = z.strictObject(
  {
    action: z.literal('drill'),
    targetBucket: z.string().min(3).max(63),
    prefix: z.string().min(1).max(512),
    sampleSize: z.number().int().min(1).max(1000),
    asOfMinutesAgo: z.number().int().min(0).max(10080),
  },
  { error: 'a drill request {action: "drill", targetBucket, prefix, sampleSize, asOfMinutesAgo}' },
);
export type DrillRequest = z.output<typeof DrillRequestSchema>;

/** What a drill found: the restore function's answer, checked by the verify function before it becomes evidence. */
export const DrillResultSchema = z.strictObject({
  drillId: z.string(),
  asOf: z.string(),
  targetBucket: z.string(),
  targetPrefix: z.string(),
  /** Keys that existed at asOf, across the sources, and how many were drawn. */
  population: z.number().int().nonnegative(),
  sampled: z.number().int().nonnegative(),
  restored: z.number().int().nonnegative(),
  bytes: z.number().nonnegative(),
  matched: z.number().int().nonnegative(),
  mismatched: z.array(z.string()),
  failed: z.array(z.strictObject({ key: z.string(), reason: z.string() })),
  /** Scratch objects removed afterwards. */
  cleanedUp: z.number().int().nonnegative(),
  durationMs: z.number().nonnegative(),
});
export type DrillResult = z.output<typeof DrillResultSchema>;

/**
 * What verify measures the deployment against, set by ProtectedAccountStack in the verify function's
 * environment (VERIFY_EXPECTATIONS, one JSON document): the vault's configured retention, one digest per deny
 * statement lib/policy writes into the vault bucket policy (contract/policy-digest.ts), the Backup vault's lock,
 * and the drill.
 */
export const VerifyExpectationsSchema = z.strictObject({
  retentionDays: z.number().int().nonnegative(),
  denies: z.record(z.string(), z.string().regex(/^[0-9a-f]{16}$/)),
  tlsSid: z.string().min(1),
  backupVaultLock: z.strictObject({
    minRetentionDays: z.number().int().nonnegative(),
    maxRetentionDays: z.number().int().nonnegative(),
    changeableForDays: z.number().int().nonnegative(),
  }),
  drill: z
    .strictObject({
      restoreFunctionName: z.string().min(1),
      targetBucket: z.string().min(3),
      prefix: z.string().min(1),
      sampleSize: z.number().int().positive(),
      asOfMinutesAgo: z.number().int().nonnegative(),
    })
    .nullable(),
});
export type VerifyExpectations = z.output<typeof VerifyExpectationsSchema>;
