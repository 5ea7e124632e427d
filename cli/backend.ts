import type { ActivityApiRequest, PlanApiRequest, RestoreProgress, RestoreStatusResponse } from '../contract/restore-api';
import type { ActivityReport } from '../lambda/core/activity';
import type { TrustedEntry } from '../lambda/core/journal-trust';
import type { PlanResponse } from '../lambda/core/restore-service';

/*
 * Where a restore runs: on a saved local deployment (the restore service in this process, with the restore
 * function's stand-in credentials and the restore-reader role), or in AWS (the deployed restore Lambda,
 * through the restore API). The commands see only this interface.
 */

/** A bucket as the responder named it and as the backend addresses it (locally, the deployment's own name). */
export interface BucketName {
  /** As configured (`acme-invoices`): what the responder typed, or the configured name of a local one. */
  readonly shown: string;
  /** What the restore API is sent. */
  readonly actual: string;
}

export interface RestoreBackend {
  /** Where the restore runs, for people: "local deployment demo-x at http://127.0.0.1:7480". */
  readonly where: string;
  /** The source bucket named `name` (configured or actual). */
  source(name: string): BucketName;
  /** The restore target named `name`, or the first configured one; throws CliUsageError for one not allowed. */
  target(name: string | undefined): BucketName;
  plan(request: PlanApiRequest): Promise<PlanResponse>;
  /** Runs a planned restore to its end, reporting progress as it goes. */
  start(targetBucket: string, restoreId: string, onProgress: (progress: RestoreProgress) => void): Promise<RestoreStatusResponse>;
  close(): void;
}

export interface TimelineBackend {
  readonly where: string;
  source(name: string): BucketName;
  /** Every journal entry of one key, in source order (nothing set aside: the command marks distrusted ones). */
  timeline(bucket: string, key: string): Promise<readonly TrustedEntry[]>;
  close(): void;
}

export interface ActivityBackend {
  readonly where: string;
  source(name: string): BucketName;
  /** The restore API's activity request: a source's changes per interval, from the journal. */
  activity(request: ActivityApiRequest): Promise<ActivityReport>;
  close(): void;
}
