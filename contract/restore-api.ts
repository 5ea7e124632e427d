import * as z from 'zod';
import { bucketNameSchema, keyPrefixSchema } from './names';

/*
 * The restore API: what the restore Lambda accepts and answers, and what the `strongroom` CLI sends it.
 * Each request is validated here on both sides; an error names the field, the value and what was expected.
 *   plan    dry run: the plan's summary, and the full plan written as a manifest (one JSON line per key)
 *   start   execute a planned restore (inline with checkpoints, or on Step Functions when it is large)
 *   status  progress: objects and bytes done, failures, ETA
 *   activity writes, overwrites and deletions of a source bucket per interval, from the journal; bursts marked,
 *            and the instant just before the latest burst, to restore to
 */

const instant = (what: string) =>
  z.iso.datetime({ offset: true, error: `${what}: an ISO-8601 date-time with a zone, such as "2026-11-30T14:00:00Z"` });

export const RESTORE_ID_PATTERN = /^r-[0-9a-z]{8,40}$/;
const restoreId = z.string({ error: 'a restore id such as "r-4gmu3cyxrx0a"' }).regex(RESTORE_ID_PATTERN, {
  error: 'a restore id such as "r-4gmu3cyxrx0a" (what plan returned)',
});

export const PlanRequestSchema = z.strictObject(
  {
    action: z.literal('plan'),
    /** The source bucket whose vault timeline is read; it may be one no longer configured. */
    sourceBucket: bucketNameSchema,
    prefix: keyPrefixSchema.optional(),
    asOf: instant('the instant to restore to'),
    /** Entries and vault objects the server wrote after this instant are set aside (the intruder's writes). */
    distrustWritesAfter: instant('the instant after which writes are distrusted').optional(),
    targetBucket: bucketNameSchema,
    /** Write under this prefix of the target (e.g. a drill's scratch prefix). */
    targetPrefix: keyPrefixSchema.optional(),
    mode: z.enum(['state', 'changed-since'], { error: '"state" (the whole state at asOf) or "changed-since"' }).optional(),
    /** Remove keys that did not exist at asOf (only in a versioned target: a delete marker). */
    removeExtraneous: z.boolean({ error: 'true or false' }).optional(),
  },
  {
    error:
      'a plan request {action: "plan", sourceBucket, prefix?, asOf, distrustWritesAfter?, targetBucket, targetPrefix?, mode?, removeExtraneous?}',
  },
);

export const StartRequestSchema = z.strictObject(
  { action: z.literal('start'), restoreId },
  { error: 'a start request {action: "start", restoreId}' },
);

export const StatusRequestSchema = z.strictObject(
  { action: z.literal('status'), restoreId },
  { error: 'a status request {action: "status", restoreId}' },
);

/** Interval lengths an activity request may ask for: from one second to 7 days. */
export const ACTIVITY_INTERVAL_MAX_SECONDS = 7 * 86_400;

export const ActivityRequestSchema = z.strictObject(
  {
    action: z.literal('activity'),
    sourceBucket: bucketNameSchema,
    prefix: keyPrefixSchema.optional(),
    /** Count changes at or after this instant (source times). */
    since: instant('the first instant to count changes from').optional(),
    /** Count changes at or before this instant. */
    until: instant('the last instant to count changes to').optional(),
    /** The interval's length; default chosen from the span of the changes. */
    intervalSeconds: z
      .number({ error: `a whole number of seconds from 1 to ${ACTIVITY_INTERVAL_MAX_SECONDS}` })
      .int({ error: `a whole number of seconds from 1 to ${ACTIVITY_INTERVAL_MAX_SECONDS}` })
      .min(1, { error: `a whole number of seconds from 1 to ${ACTIVITY_INTERVAL_MAX_SECONDS}` })
      .max(ACTIVITY_INTERVAL_MAX_SECONDS, { error: `a whole number of seconds from 1 to ${ACTIVITY_INTERVAL_MAX_SECONDS}` })
      .optional(),
  },
  { error: 'an activity request {action: "activity", sourceBucket, prefix?, since?, until?, intervalSeconds?}' },
);

export const RestoreRequestSchema = z.discriminatedUnion(
  'action',
  [PlanRequestSchema, StartRequestSchema, StatusRequestSchema, ActivityRequestSchema],
  { error: 'a restore request with action "plan", "start", "status" or "activity"' },
);

export type PlanRequestInput = z.input<typeof PlanRequestSchema>;
export type RestoreRequest = z.output<typeof RestoreRequestSchema>;
export type PlanApiRequest = z.output<typeof PlanRequestSchema>;
export type ActivityApiRequest = z.output<typeof ActivityRequestSchema>;

export type RestoreState = 'planned' | 'running' | 'succeeded' | 'failed';

export interface RestoreProgress {
  readonly objects: number;
  readonly bytes: number;
  readonly objectsDone: number;
  readonly bytesDone: number;
  readonly skipped: number;
  /** Extraneous keys removed (delete markers), when the plan asked for it. */
  readonly removed: number;
  readonly failed: number;
  /** Seconds to go at the rate so far; null before any object is done. */
  readonly etaSeconds: number | null;
}

/** The progress of a restore before its first object. */
export function notStarted(objects: number, bytes: number): RestoreProgress {
  return { objects, bytes, objectsDone: 0, bytesDone: 0, skipped: 0, removed: 0, failed: 0, etaSeconds: null };
}

export interface RestoreStatusResponse {
  readonly restoreId: string;
  readonly state: RestoreState;
  readonly request: PlanApiRequest;
  readonly progress: RestoreProgress;
  /** Up to 100 failures: key and reason. */
  readonly failures: ReadonlyArray<{ readonly key: string; readonly reason: string }>;
  readonly startedAt: string | null;
  readonly updatedAt: string;
}
