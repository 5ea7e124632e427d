/*
 * The contract between the restore function (lambda/handlers/restore.ts) and the restore state machine
 * that ProtectedAccountStack deploys for large restores: where a restore keeps its work in the target
 * bucket, what an execution is started with, and what each batch of its Distributed Map sends the function.
 * The state machine's role may read and write only these keys, so both sides take them from here.
 */

/** Where a restore keeps its manifest, state and results in its target bucket; never one of the target's own keys. */
export const RESTORE_WORK_PREFIX = '.strongroom/restores/';

/** `<RESTORE_WORK_PREFIX><restoreId>/manifest.jsonl`: the plan, one JSON line per key. */
export const RESTORE_MANIFEST_FILE = 'manifest.jsonl';

/** `<RESTORE_WORK_PREFIX><restoreId>/results/`: where the Distributed Map writes its run's results. */
export const RESTORE_RESULTS_DIR = 'results';

/** The input the restore function starts an execution of the restore state machine with. */
export interface RestoreExecutionInput {
  readonly restoreId: string;
  /** One of the configured restore targets: it holds the manifest, and receives the results. */
  readonly targetBucket: string;
  /** `<RESTORE_WORK_PREFIX><restoreId>/manifest.jsonl`. */
  readonly manifestKey: string;
}

/** Manifest lines per batch at most (fewer when their JSON would exceed RESTORE_BATCH_MAX_BYTES). */
export const RESTORE_BATCH_MAX_ITEMS = 100;

/**
 * Bytes of manifest lines per batch at most: a child execution's input, like every Step Functions payload,
 * must stay under 256 KiB, and the batch input and the wrapping need some of it.
 */
export const RESTORE_BATCH_MAX_BYTES = 192 * 1024;

/**
 * What each batch invokes the restore function with (synchronously): `items` are the batch's manifest lines,
 * each parsed from JSON, in manifest order. The function returns a small summary (Step Functions keeps it in
 * the run's results, and a result too is limited to 256 KiB), and throws RestoreBatchError when any object
 * of the batch could not be restored: the state machine retries the batch, and one still failing fails the
 * execution.
 */
export interface RestoreBatchRequest {
  readonly action: 'batch';
  readonly restoreId: string;
  readonly targetBucket: string;
  readonly items: readonly unknown[];
}
