import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import {
  ActivityRequestSchema,
  type PlanApiRequest,
  PlanRequestSchema,
  type RestoreProgress,
  type RestoreStatusResponse,
  StartRequestSchema,
  StatusRequestSchema,
} from '../contract/restore-api';
import type { ActivityReport } from '../lambda/core/activity';
import type { PlanResponse } from '../lambda/core/restore-service';
import type { ActivityBackend, BucketName, RestoreBackend } from './backend';
import { CliUsageError, RestoreFunctionError } from './errors';

/*
 * Without --local: the deployed restore Lambda, invoked with the restore API's requests (contract/restore-api.ts):
 * `plan`, then `start` (which runs the restore, inline with checkpoints or handed on) while `status` is polled
 * for the progress bar, until the restore has succeeded or failed. Credentials come from the SDK's default chain
 * (--profile picks a profile of the shared config; AWS_* variables, SSO and instance roles work as usual).
 */

export interface LambdaBackendOptions {
  readonly functionName: string;
  readonly region?: string;
  readonly profile?: string;
  /** Milliseconds between two status requests. */
  readonly pollMs: number;
  /** The restore targets of the config (--config), for the default --target; none: --target is required. */
  readonly restoreTargets?: readonly string[];
  readonly sleep?: (ms: number) => Promise<void>;
  /** Told what a responder should know while watching (a restore handed to Step Functions, say). */
  readonly onNote?: (text: string) => void;
}

/** A start runs inline for up to Lambda's 15 minutes: the socket must outlast it. */
const START_TIMEOUT_MS = 16 * 60_000;

const TERMINAL = new Set(['succeeded', 'failed']);

export function lambdaClient(options: Pick<LambdaBackendOptions, 'region' | 'profile'>, maxAttempts?: number): LambdaClient {
  return new LambdaClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(maxAttempts ? { maxAttempts } : {}),
    requestHandler: new NodeHttpHandler({ requestTimeout: START_TIMEOUT_MS, connectionTimeout: 10_000 }),
  });
}

/** Invokes the function with a JSON request and returns its JSON answer; a function error becomes RestoreFunctionError. */
async function invokeFunction<T>(lambda: LambdaClient, functionName: string, request: unknown): Promise<T> {
  const out = await lambda.send(
    new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify(request), 'utf8') }),
  );
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    throw new RestoreFunctionError(
      functionName,
      'InvalidResponse',
      `answered with a payload that is not JSON: ${text.slice(0, 200)}`,
    );
  }
  if (out.FunctionError) {
    const error = (body ?? {}) as { errorType?: string; errorMessage?: string };
    throw new RestoreFunctionError(functionName, error.errorType ?? out.FunctionError, error.errorMessage ?? text);
  }
  return body as T;
}

/** `strongroom activity` without --local: the restore function's activity request (it reads the journal as the restore reader). */
export function lambdaActivityBackend(
  options: Pick<LambdaBackendOptions, 'functionName' | 'region' | 'profile'>,
): ActivityBackend {
  const client = lambdaClient(options);
  const { functionName } = options;
  return {
    where: `restore function ${functionName}${options.region ? ` in ${options.region}` : ''}`,
    source: (name): BucketName => ({ shown: name, actual: name }),
    async activity(request) {
      const report = await invokeFunction<ActivityReport>(client, functionName, ActivityRequestSchema.parse(request));
      if (
        !report ||
        typeof report.intervalSeconds !== 'number' ||
        !Array.isArray(report.intervals) ||
        !Array.isArray(report.bursts)
      ) {
        throw new RestoreFunctionError(
          functionName,
          'InvalidResponse',
          `answered an activity request with ${JSON.stringify(report)?.slice(0, 200)}, expected {intervals, bursts, suggestedAsOf, ...}`,
        );
      }
      return report;
    },
    close: () => client.destroy(),
  };
}

export function lambdaBackend(options: LambdaBackendOptions): RestoreBackend {
  const client = lambdaClient(options);
  // A start is never retried by the SDK: a second start of the same restore would run beside the first.
  const starter = lambdaClient(options, 1);
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { functionName } = options;

  const invoke = <T>(lambda: LambdaClient, request: unknown) => invokeFunction<T>(lambda, functionName, request);

  async function status(restoreId: string): Promise<RestoreStatusResponse> {
    return expectStatus(await invoke(client, StatusRequestSchema.parse({ action: 'status', restoreId })));
  }

  function expectStatus(value: unknown): RestoreStatusResponse {
    const s = value as RestoreStatusResponse | undefined;
    if (!s || typeof s.state !== 'string' || typeof s.progress !== 'object' || s.progress === null) {
      throw new RestoreFunctionError(
        functionName,
        'InvalidResponse',
        `answered a status with ${JSON.stringify(value)?.slice(0, 200)}, expected {restoreId, state, progress, ...}`,
      );
    }
    return s;
  }

  return {
    where: `restore function ${functionName}${options.region ? ` in ${options.region}` : ''}`,
    source: (name): BucketName => ({ shown: name, actual: name }),
    target(name): BucketName {
      const chosen = name ?? options.restoreTargets?.[0];
      if (chosen === undefined) {
        throw CliUsageError.of(
          '--target',
          '(missing)',
          options.restoreTargets
            ? 'a restore target: the config lists none (primaryAccounts[].restoreTargets)'
            : 'the restore target bucket (or --config <file> to take the first configured one)',
        );
      }
      return { shown: chosen, actual: chosen };
    },
    async plan(request: PlanApiRequest): Promise<PlanResponse> {
      const response = await invoke<PlanResponse>(client, PlanRequestSchema.parse(request));
      if (!response || typeof response.restoreId !== 'string' || typeof response.summary !== 'object') {
        throw new RestoreFunctionError(
          functionName,
          'InvalidResponse',
          `answered a plan with ${JSON.stringify(response)?.slice(0, 200)}, expected {restoreId, summary, manifest}`,
        );
      }
      return response;
    },
    async start(_targetBucket, restoreId, onProgress: (progress: RestoreProgress) => void) {
      let settled = false;
      const starting = invoke(starter, StartRequestSchema.parse({ action: 'start', restoreId })).then(
        (value) => {
          settled = true;
          return value;
        },
        (error: unknown) => {
          settled = true;
          throw error;
        },
      );
      // Watch while the start runs inline; a failed start ends the watch with its error.
      starting.catch(() => undefined);
      let last: RestoreStatusResponse | undefined;
      while (!settled) {
        await Promise.race([sleep(options.pollMs), starting.catch(() => undefined)]);
        if (settled) break;
        last = await status(restoreId);
        onProgress(last.progress);
      }
      last = expectStatus(await starting);
      onProgress(last.progress);
      const handedTo = (last as { executionArn?: string }).executionArn;
      if (handedTo && !TERMINAL.has(last.state))
        options.onNote?.(`the restore runs on the Step Functions Distributed Map: ${handedTo}`);
      // Handed on (Step Functions, or a continuation): watch until it ends.
      while (!TERMINAL.has(last.state)) {
        await sleep(options.pollMs);
        last = await status(restoreId);
        onProgress(last.progress);
      }
      return last;
    },
    close() {
      client.destroy();
      starter.destroy();
    },
  };
}
