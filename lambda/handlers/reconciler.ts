import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { once, parseReconcilerEnv, type ReconcilerEnv } from '../adapters/env';
import { NotAvailableError } from '../core/errors';
import { parseInput, ScheduledEventSchema } from './input';

/*
 * Reconciler: on a schedule, re-lists the sources and enqueues for the copier what the vault lacks;
 * when a bucket outgrows one invocation it re-invokes itself asynchronously with a checkpoint. The
 * listing and comparison belong to the copy engine; until it lands every run fails loudly.
 */

/** The schedule's event, or a continuation carrying the checkpoint of an earlier run. */
const EXPECTED = 'an EventBridge "Scheduled Event", or a continuation {checkpoint: {...}} from an earlier run';
export const ReconcilerInputSchema = z.union(
  [
    ScheduledEventSchema,
    z.strictObject({ checkpoint: z.looseObject({}, { error: 'a checkpoint object' }) }, { error: EXPECTED }),
  ],
  { error: EXPECTED },
);

export interface ReconcilerDependencies {
  readonly env: () => ReconcilerEnv;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const defaultDependencies: ReconcilerDependencies = {
  env: once(() => parseReconcilerEnv()),
  logger: new Logger(),
  metrics: new Metrics(),
};

export async function reconcile(input: unknown, context: Context, deps = defaultDependencies): Promise<never> {
  deps.logger.addContext(context);
  try {
    deps.env();
    parseInput(ReconcilerInputSchema, input, 'reconciler input');
    throw new NotAvailableError('reconciler');
  } catch (error: unknown) {
    deps.logger.error('reconciliation did not run', error as Error);
    throw error;
  } finally {
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}

export const handler = (input: unknown, context: Context): Promise<never> => reconcile(input, context);
