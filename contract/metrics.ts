/*
 * Names shared by the functions that publish metrics (through Powertools, as EMF in their logs) and
 * the stack that alarms on them. A CloudWatch alarm matches a metric only with the exact same
 * namespace, name and dimensions, so both sides import them from here.
 */

/** Set as POWERTOOLS_METRICS_NAMESPACE on every function. */
export const METRICS_NAMESPACE = 'Strongroom';

/** Published by verify: 1 when a run could not prove the backups complete, fresh and locked, else 0. */
export const VERIFY_FAILURES_METRIC = 'VerifyFailures';

/** Published by the copier: records of a batch handed back to the queue for another attempt. */
export const COPY_FAILURES_METRIC = 'CopyFailures';

/**
 * Powertools Metrics adds the service name (POWERTOOLS_SERVICE_NAME) as the `service` dimension of
 * every metric; an alarm must name it too.
 */
export function serviceDimension(service: string): { service: string } {
  return { service };
}

/**
 * Published by the copier once per source bucket and invocation, with the SOURCE_BUCKET_DIMENSION beside
 * `service`: source changes the copier recorded in the vault for the first time (a redelivered event
 * writes nothing and counts nothing), as announced by S3 events. Writes are new versions (a new key or an
 * overwrite: an S3 event does not say which); deletions are delete markers, destroyed versions and
 * unversioned deletes. The change-rate alarms sum them per interval.
 */
export const SOURCE_WRITES_METRIC = 'SourceWrites';
export const SOURCE_DELETIONS_METRIC = 'SourceDeletions';
export const SOURCE_BUCKET_DIMENSION = 'sourceBucket';

/** The dimensions of a per-source change-rate metric, as the copier publishes it and an alarm must name it. */
export function sourceDimensions(bucket: string): { service: string; [SOURCE_BUCKET_DIMENSION]: string } {
  return { ...serviceDimension('copier'), [SOURCE_BUCKET_DIMENSION]: bucket };
}
