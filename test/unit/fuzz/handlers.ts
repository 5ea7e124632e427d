import '../handlers/powertools-env';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { parseCopierEnv, parseReconcilerEnv, parseRestoreEnv } from '../../../lambda/adapters/env';
import type { CopierClients } from '../../../lambda/handlers/copier';
import type { ReconcilerClients } from '../../../lambda/handlers/reconciler';
import type { RestoreDependencies } from '../../../lambda/handlers/restore';
import { MemoryVault } from '../core/memory-vault';
import { COMMON_ENV, lambdaContext, observability } from '../handlers/fixtures';

/*
 * The functions as the fuzz suites and found-bugs.test.ts run them: each one's environment (as the stack sets it
 * for primary account 222222222222) and clients whose mocks record every request.
 */

const ROLE = (name: string) => `arn:aws:iam::111111111111:role/strongroom-${name}-222222222222`;

export const copierEnv = parseCopierEnv({
  ...COMMON_ENV,
  INGEST_ROLE_ARN: ROLE('ingest'),
  DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events-dlq',
});

/** The copier's three clients, and their mocks (reset them before each run). */
export function copierClients() {
  const clients: CopierClients = {
    source: new S3Client({ region: 'eu-west-1' }),
    vault: new S3Client({ region: 'eu-west-1' }),
    sqs: new SQSClient({ region: 'eu-west-1' }),
  };
  return { clients, source: mockClient(clients.source), vault: mockClient(clients.vault), sqs: mockClient(clients.sqs) };
}

export const reconcilerEnv = parseReconcilerEnv({
  ...COMMON_ENV,
  AUDITOR_ROLE_ARN: ROLE('auditor'),
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/222222222222/strongroom-events',
  RECONCILER_FUNCTION_NAME: 'strongroom-reconciler',
});

/** The reconciler's clients over mocks; the vault is an in-memory one (its journal starts empty). */
export function reconcilerClients() {
  const vault = new MemoryVault();
  const clients: ReconcilerClients = {
    source: new S3Client({ region: 'eu-west-1' }),
    vault: vault.client,
    sqs: new SQSClient({ region: 'eu-west-1' }),
    lambda: new LambdaClient({ region: 'eu-west-1' }),
  };
  return {
    clients,
    vault,
    source: mockClient(clients.source),
    sqs: mockClient(clients.sqs),
    lambda: mockClient(clients.lambda),
  };
}

export const RESTORE_TARGET = 'acme-prod-restore';
export const restoreEnv = parseRestoreEnv({
  ...COMMON_ENV,
  RESTORE_READER_ROLE_ARN: ROLE('restore-reader'),
  RESTORE_TARGETS: JSON.stringify([RESTORE_TARGET]),
  RESTORE_FUNCTION_NAME: 'strongroom-restore',
  RESTORE_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:222222222222:stateMachine:strongroom-restore',
});
/** A context with ten minutes left. */
export const restoreContext = { ...lambdaContext('strongroom-restore'), getRemainingTimeInMillis: () => 600_000 };

/** The restore function's world: an in-memory vault and target (HeadObject included), Lambda and Step Functions mocked. */
export function restoreWorld(now = new Date('2026-12-01T12:00:00Z')) {
  const vault = new MemoryVault();
  const target = new MemoryVault();
  target.mock.on(HeadObjectCommand).callsFake((input) => {
    const stored = target.objects.get(input.Key as string);
    if (!stored) throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    return { ContentLength: stored.body.length, Metadata: stored.metadata };
  });
  const lambda = mockClient(new LambdaClient({ region: 'eu-west-1' }));
  const sfn = mockClient(new SFNClient({ region: 'eu-west-1' }));
  sfn
    .on(StartExecutionCommand)
    .resolves({ executionArn: 'arn:aws:states:eu-west-1:222222222222:execution:strongroom-restore:r-1' });
  const deps = (): RestoreDependencies => {
    const o = observability('restore');
    return {
      env: () => restoreEnv,
      clients: () => ({
        vault: vault.client,
        target: target.client,
        lambda: lambda as unknown as LambdaClient,
        sfn: sfn as unknown as SFNClient,
      }),
      logger: o.logger,
      metrics: o.metrics,
      now: () => now,
    };
  };
  return { vault, target, lambda, sfn, deps };
}
