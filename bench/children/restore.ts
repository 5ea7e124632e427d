/**
 * A point-in-time restore as the CLI's --local backend runs it (the restore service, with the restore-reader
 * role reached by STS and the restore function's stand-in writing the target): plan, then run the plan.
 */
import { openLocalBackend } from '../../cli/local-backend';
import { answer, childInput, residentBytes } from './io';

export interface RestoreChildInput {
  readonly deploymentFile: string;
  readonly sourceBucket: string;
  readonly prefix?: string;
  readonly asOf: string;
  readonly targetBucket: string;
  readonly targetPrefix: string;
  /** Plan only (row 4): no objects written. */
  readonly planOnly?: boolean;
}

answer(async () => {
  const input = childInput<RestoreChildInput>();
  const startRssBytes = residentBytes('VmRSS');
  const backend = await openLocalBackend(input.deploymentFile);
  const started = performance.now();
  const plan = await backend.plan({
    action: 'plan',
    sourceBucket: input.sourceBucket,
    ...(input.prefix ? { prefix: input.prefix } : {}),
    asOf: input.asOf,
    targetBucket: input.targetBucket,
    targetPrefix: input.targetPrefix,
  });
  const planSeconds = (performance.now() - started) / 1000;
  const status = input.planOnly ? undefined : await backend.start(input.targetBucket, plan.restoreId, () => undefined);
  const seconds = (performance.now() - started) / 1000;
  backend.close();
  return {
    counts: plan.summary.counts,
    planSeconds,
    seconds,
    state: status?.state ?? 'planned',
    objectsDone: status?.progress.objectsDone ?? 0,
    failed: status?.progress.failed ?? 0,
    startRssBytes,
    peakRssBytes: residentBytes('VmHWM'),
  };
});
