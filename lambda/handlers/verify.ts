import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { StrongroomError } from '../../contract/errors';
import { VERIFY_FAILURES_METRIC } from '../../contract/metrics';
import { DrillResultSchema, type VerifyReport, VerifyRequestSchema } from '../../contract/verify-report';
import { buildAwsServiceClients } from '../adapters/aws-service-clients';
import { once, onceWith, parseVerifyEnv, type VerifyEnv } from '../adapters/env';
import { createS3Client, createVaultClient } from '../adapters/s3-client';
import type { AwsServiceClients } from '../core/verify/aws-clients';
import type { VerifyContext, VerifySettings } from '../core/verify/context';
import { DEFAULT_RETENTION_SAMPLE } from '../core/verify/data-checks';
import { renderReportHtml } from '../core/verify/report-html';
import { fileReport, runVerify } from '../core/verify/verifier';
import { parseInput, ScheduledEventSchema } from './input';

/*
 * Verify: daily on its schedule, or on demand (`strongroom verify`) with a verify request. It runs every
 * check (lambda/core/verify) with the least-privileged role for each, files the JSON and HTML report
 * write-once under reports/<account>/ as the evidence writer, publishes VerifyFailures (1 when any check
 * FAILed or the report could not be filed) for the alarm, and returns the report.
 */

/** What the handler accepts: the schedule's event, or a verify request (fuzz tests and docs read it from here). */
export const VerifyInputSchema = z.union([ScheduledEventSchema, VerifyRequestSchema]);

/** The restore function refused or failed the drill: the drill check FAILs with this. */
export class DrillInvocationError extends StrongroomError {
  public override readonly name = 'DrillInvocationError';
}

export interface VerifyClients {
  readonly auditorVault: S3Client;
  readonly evidenceWriter: S3Client;
  readonly source: S3Client;
  readonly aws: AwsServiceClients;
  readonly lambda: LambdaClient;
}

export interface VerifyDependencies {
  readonly env: () => VerifyEnv;
  readonly clients: (env: VerifyEnv) => VerifyClients;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly now: () => Date;
}

export function buildVerifyClients(env: VerifyEnv, region = process.env.AWS_REGION ?? 'us-east-1'): VerifyClients {
  return {
    auditorVault: createVaultClient(env, { roleArn: env.auditorRoleArn, caller: 'verify' }, { region, maxSockets: 32 }),
    evidenceWriter: createVaultClient(env, { roleArn: env.evidenceWriterRoleArn, caller: 'verify' }, { region, maxSockets: 4 }),
    source: createS3Client({ region, maxSockets: 16 }),
    aws: buildAwsServiceClients(env, { region }),
    lambda: new LambdaClient({ region }),
  };
}

const defaultDependencies: VerifyDependencies = {
  env: once(() => parseVerifyEnv()),
  clients: onceWith((env: VerifyEnv) => buildVerifyClients(env)),
  logger: new Logger(),
  metrics: new Metrics(),
  now: () => new Date(),
};

/** The settings the checks are measured against, from the environment the stack wrote. */
export function verifySettings(env: VerifyEnv, region: string): VerifySettings {
  const { expectations } = env;
  const vaultName = env.backupVaultArn.split(':').pop() as string;
  return {
    deploymentName: env.strongroomName,
    where: `account ${env.sourceAccountId} (${region})`,
    primaryAccount: env.sourceAccountId,
    backupAccount: env.vaultAccountId,
    vaultBucket: env.vaultBucket,
    retentionDays: expectations.retentionDays,
    rpoMinutes: env.rpoMinutes,
    sources: env.sources.map((s) => ({ bucket: s.bucket, prefixes: [...(s.prefixes ?? [])] })),
    encryption: env.vaultKeyArn ? { type: 'SSE_KMS', keyArn: env.vaultKeyArn } : { type: 'SSE_S3' },
    expectedPolicy: { denies: expectations.denies, tlsSid: expectations.tlsSid },
    backupVault: { arn: env.backupVaultArn, name: vaultName, ...expectations.backupVaultLock },
    backupPlan: { tagKey: env.backupPlanTag.key, tagValue: env.backupPlanTag.value, schedule: env.backupPlanSchedule },
    retention: DEFAULT_RETENTION_SAMPLE,
    sourceEventsObservable: true,
    drill: expectations.drill
      ? {
          targetBucket: expectations.drill.targetBucket,
          prefix: expectations.drill.prefix,
          sampleSize: expectations.drill.sampleSize,
        }
      : null,
    unavailable: {},
  };
}

/** Asks the restore function for the drill (it holds the restore reader and the target writes; verify holds neither). */
function drillThroughRestore(env: VerifyEnv, lambda: LambdaClient): VerifyContext['drill'] {
  const drill = env.expectations.drill;
  if (!drill) return null;
  return async () => {
    const request = {
      action: 'drill',
      targetBucket: drill.targetBucket,
      prefix: drill.prefix,
      sampleSize: drill.sampleSize,
      asOfMinutesAgo: drill.asOfMinutesAgo,
    };
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: drill.restoreFunctionName, Payload: Buffer.from(JSON.stringify(request), 'utf8') }),
    );
    const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
    if (out.FunctionError)
      throw new DrillInvocationError(`the restore function failed the drill (${out.FunctionError}): ${text.slice(0, 300)}`);
    const parsed = DrillResultSchema.safeParse(JSON.parse(text || 'null'));
    if (!parsed.success)
      throw new DrillInvocationError(
        `the restore function answered something that is not a drill result: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data;
  };
}

export async function verify(input: unknown, context: Context, deps = defaultDependencies): Promise<VerifyReport> {
  deps.logger.addContext(context);
  let failed = 1;
  try {
    const env = deps.env();
    // The schedule's event is told by its detail-type; anything else is read as a request, so its errors name its fields.
    const scheduledRun = typeof input === 'object' && input !== null && 'detail-type' in input;
    if (scheduledRun) parseInput(ScheduledEventSchema, input, 'verify input');
    const request = scheduledRun ? {} : parseInput(VerifyRequestSchema, input, 'verify input');
    const clients = deps.clients(env);
    const verifyContext: VerifyContext = {
      settings: verifySettings(env, process.env.AWS_REGION ?? 'us-east-1'),
      clients: { auditorVault: clients.auditorVault, source: clients.source, aws: clients.aws },
      now: deps.now,
      random: Math.random,
      drill: drillThroughRestore(env, clients.lambda),
    };
    const report = await fileReport(
      clients.evidenceWriter,
      env.vaultBucket,
      await runVerify(verifyContext, request),
      renderReportHtml,
    );
    failed = report.summary.status === 'FAIL' || report.filingError ? 1 : 0;
    const log = failed ? deps.logger.error.bind(deps.logger) : deps.logger.info.bind(deps.logger);
    log('verify done', {
      reportId: report.reportId,
      summary: report.summary,
      filed: report.filed,
      filingError: report.filingError,
    });
    return report;
  } catch (error: unknown) {
    deps.logger.error('verification did not run', error as Error);
    throw error;
  } finally {
    // 1 when the run could not prove the backups complete, fresh, locked and restorable: the alarm fires.
    deps.metrics.addMetric(VERIFY_FAILURES_METRIC, MetricUnit.Count, failed);
    deps.metrics.publishStoredMetrics();
  }
}

export const handler = (input: unknown, context: Context): Promise<VerifyReport> => verify(input, context);
