import * as z from 'zod';
import { bucketNameSchema, keyPrefixSchema } from './names';

/*
 * The restore API: what the restore Lambda accepts and answers, and what the `strongroom` CLI sends it.
 * Each request is validated here on both sides; an error names the field, the value and what was expected.
 *   plan    dry run: the plan's summary, and the full plan written as a manifest (one JSON line per key)
 *   start   execute a planned restore (inline with checkpoints, or on Step Functions when it is large)
 *   status  progress: objects and bytes done, failures, ETA
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

export const RestoreRequestSchema = z.discriminatedUnion('action', [PlanRequestSchema, StartRequestSchema, StatusRequestSchema], {
  error: 'a restore request with action "plan", "start" or "status"',
});

export type PlanRequestInput = z.input<typeof PlanRequestSchema>;
export type RestoreRequest = z.output<typeof RestoreRequestSchema>;
export type PlanApiRequest = z.output<typeof PlanRequestSchema>;

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
