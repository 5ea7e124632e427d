import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { once, parseRestoreEnv, type RestoreEnv } from '../adapters/env';
import { NotAvailableError } from '../core/errors';
import { bucketName, parseInput } from './input';

/*
 * Restore: put a source back as it was at `asOf` into one of the configured restore targets. The
 * request is validated here; the planner and writer belong to the restore engine, and until it
 * lands the function refuses every valid request with NotAvailableError.
 */

export function restoreRequestSchema(restoreTargets: readonly string[]) {
  const targets = restoreTargets.length > 0 ? restoreTargets.join(', ') : 'none are configured';
  return z.strictObject(
    {
      /** The source bucket whose vault timeline is read; it may be one no longer configured. */
      sourceBucket: bucketName,
      prefix: z
        .string({ error: 'a key prefix such as "invoices/"' })
        .min(1, { error: 'a non-empty key prefix, or no "prefix" for the whole bucket' })
        .max(1024, { error: 'a key prefix of at most 1024 characters' })
        .optional(),
      asOf: z.iso.datetime({ offset: true, error: 'an ISO-8601 date-time with a zone, such as "2024-05-01T12:00:00Z"' }),
      targetBucket: bucketName.refine((bucket) => restoreTargets.includes(bucket), {
        error: `one of the configured restore targets, RESTORE_TARGETS (${targets})`,
      }),
      dryRun: z.boolean({ error: 'true or false' }).optional(),
    },
    { error: 'a restore request {sourceBucket, prefix?, asOf, targetBucket, dryRun?}' },
  );
}

export type RestoreRequest = z.output<ReturnType<typeof restoreRequestSchema>>;

export interface RestoreDependencies {
  readonly env: () => RestoreEnv;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const defaultDependencies: RestoreDependencies = {
  env: once(() => parseRestoreEnv()),
  logger: new Logger(),
  metrics: new Metrics(),
};

export async function restore(input: unknown, context: Context, deps = defaultDependencies): Promise<never> {
  deps.logger.addContext(context);
  try {
    const env = deps.env();
    const request = parseInput(restoreRequestSchema(env.restoreTargets), input, 'restore request');
    deps.logger.appendKeys({ sourceBucket: request.sourceBucket, targetBucket: request.targetBucket, asOf: request.asOf });
    throw new NotAvailableError('restore');
  } catch (error: unknown) {
    deps.logger.error('restore refused', error as Error);
    throw error;
  } finally {
    // The logger outlives the invocation in a warm container: this request's keys must not tag the next one's lines.
    deps.logger.resetKeys();
    if (deps.metrics.hasStoredMetrics()) deps.metrics.publishStoredMetrics();
  }
}

export const handler = (input: unknown, context: Context): Promise<never> => restore(input, context);
