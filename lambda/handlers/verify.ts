import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { VERIFY_FAILURES_METRIC } from '../../contract/metrics';
import { once, parseVerifyEnv, type VerifyEnv } from '../adapters/env';
import { NotAvailableError } from '../core/errors';
import { parseInput, ScheduledEventSchema } from './input';

/*
 * Verify: daily, on a schedule; takes no input. It publishes VerifyFailures (1 when the run could
 * not prove the backups complete, fresh and locked) and the stack alarms on it. The verifier itself
 * belongs to a later version: until then every run fails loudly and counts as a verify failure,
 * because an unverified backup must never look like a verified one.
 */

/** The schedule's event, or `{}` when invoked by hand. */
const EXPECTED = 'an EventBridge "Scheduled Event", or {} when invoked by hand (verify takes no input)';
export const VerifyInputSchema = z.union([ScheduledEventSchema, z.strictObject({}, { error: EXPECTED })], { error: EXPECTED });

export interface VerifyDependencies {
  readonly env: () => VerifyEnv;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const defaultDependencies: VerifyDependencies = {
  env: once(() => parseVerifyEnv()),
  logger: new Logger(),
  metrics: new Metrics(),
};

export async function verify(input: unknown, context: Context, deps = defaultDependencies): Promise<never> {
  deps.logger.addContext(context);
  try {
    deps.env();
    parseInput(VerifyInputSchema, input, 'verify input');
    throw new NotAvailableError('verify');
  } catch (error: unknown) {
    deps.logger.error('verification did not run', error as Error);
    deps.metrics.addMetric(VERIFY_FAILURES_METRIC, MetricUnit.Count, 1);
    throw error;
  } finally {
    deps.metrics.publishStoredMetrics();
  }
}

export const handler = (input: unknown, context: Context): Promise<never> => verify(input, context);
