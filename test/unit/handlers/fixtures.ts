import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

/** The environment ProtectedAccountStack gives every function, for primary account 222222222222. */
export const COMMON_ENV = {
  STRONGROOM_NAME: 'strongroom',
  SOURCE_ACCOUNT_ID: '222222222222',
  VAULT_ACCOUNT_ID: '111111111111',
  VAULT_BUCKET: 'strongroom-vault-111111111111-eu-west-1',
  EXTERNAL_ID: 'strongroom-example-7f3c9a1e5b2d',
  SOURCES: JSON.stringify([{ bucket: 'acme-prod-invoices' }, { bucket: 'acme-prod-uploads', prefixes: ['customer/'] }]),
};

export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-1:222222222222:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2024/05/01/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Powertools with output captured instead of printed: log lines as objects, published EMF blobs. */
export function observability(service: string) {
  const logger = new Logger({ serviceName: service, logLevel: 'SILENT' });
  const errors: unknown[][] = [];
  jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
  const metrics = new Metrics({ namespace: 'Strongroom', serviceName: service });
  const published: Array<Record<string, unknown>> = [];
  jest.spyOn(metrics, 'publishStoredMetrics').mockImplementation(function (this: Metrics) {
    if (this.hasStoredMetrics()) published.push(this.serializeMetrics() as unknown as Record<string, unknown>);
    // As Powertools does: a published blob's metrics and (non-default) dimensions are gone.
    this.clearMetrics();
    this.clearDimensions();
    return this;
  });
  return { logger, metrics, errors, published };
}

/** Run `fn`, expecting it to reject; return what it rejected with. */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error: unknown) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but it resolved');
}
