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
