import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import type { Context } from 'aws-lambda';
import { once, onceWith, parseSealerEnv, type SealerEnv } from '../adapters/env';
import { createVaultClient } from '../adapters/s3-client';
import { type SealResult, sealJournal } from '../core/journal-seal';
import { parseInput, ScheduledEventSchema } from './input';

/*
 * Sealer: on a schedule (hourly by default), closes the journal's interval since the last seal into sorted,
 * block-indexed files per source bucket and the next link of the seal chain (lambda/core/journal-seal.ts).
 * It reads the journal as the auditor role, which cannot read backed-up bytes, and appends as the ingest
 * role, which can only write under objects/ and journal/ of this account.
 */

export interface SealerClients {
  readonly reader: S3Client;
  readonly writer: S3Client;
}

export interface SealerRuntime {
  readonly env: () => SealerEnv;
  readonly clients: (env: SealerEnv) => SealerClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

export function buildSealerClients(env: SealerEnv, region = process.env.AWS_REGION ?? 'us-east-1'): SealerClients {
  const sts = new STSClient({ region });
  return {
    reader: createVaultClient(env, { roleArn: env.auditorRoleArn, caller: 'sealer' }, { region, maxSockets: 16, sts }),
    writer: createVaultClient(env, { roleArn: env.ingestRoleArn, caller: 'sealer' }, { region, maxSockets: 4, sts }),
  };
}

const defaultRuntime: SealerRuntime = {
  env: once(() => parseSealerEnv()),
  clients: onceWith((env: SealerEnv) => buildSealerClients(env)),
  logger: new Logger(),
  metrics: new Metrics(),
  now: () => new Date(),
};

export async function seal(input: unknown, context: Context, runtime: SealerRuntime = defaultRuntime): Promise<SealResult> {
  runtime.logger.addContext(context);
  try {
    const env = runtime.env();
    parseInput(ScheduledEventSchema, input, 'sealer input');
    const clients = runtime.clients(env);
    const result = await sealJournal({
      reader: { client: clients.reader, bucket: env.vaultBucket },
      writer: { client: clients.writer, bucket: env.vaultBucket },
      account: env.sourceAccountId,
      now: runtime.now,
      settleMs: env.sealSettleSeconds * 1000,
    });
    if (result.sealed) {
      runtime.metrics.addMetric('SealedSegments', MetricUnit.Count, result.record.segments.length);
      runtime.logger.info('journal sealed', {
        seal: result.key,
        sequence: result.record.sequence,
        segments: result.record.segments.length,
        intervalEnd: result.record.intervalEnd,
      });
    } else {
      runtime.logger.info('nothing to seal', { reason: result.reason });
    }
    return result;
  } catch (error: unknown) {
    runtime.logger.error('sealing failed', error as Error);
    throw error;
  } finally {
    runtime.metrics.publishStoredMetrics();
  }
}

export const handler = (input: unknown, context: Context): Promise<SealResult> => seal(input, context);
