import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { describeValue, ProblemsError } from '../../contract/errors';
import { notStarted, type PlanApiRequest, type RestoreProgress, type RestoreStatusResponse } from '../../contract/restore-api';
import { RESTORE_MANIFEST_FILE } from '../../contract/restore-orchestration';
import { openJournal } from './journal-reader';
import type { VaultAccess } from './journal-seal';
import { uploadMultipart } from './multipart-upload';
import { DEFAULT_RESTORE_TUNING, executeRestore, RESTORE_OBJECTS_IN_FLIGHT, type RestoreTuning } from './restore-execute';
import { type PlanItem, type PlanSummary, planRestore, RESTORE_WORK_PREFIX } from './restore-plan';
import { isNotFound } from './s3-errors';
import { getWhole } from './transient';

/*
 * A restore as a service: plan (the summary, and the full plan as a manifest of one JSON line per key),
 * then run it in as many time-boxed passes as it takes, each resuming at the manifest line where the last
 * stopped. The manifest and the restore's state live in the target bucket under `.strongroom/restores/<id>/`
 * (the restore role may write there and nowhere else), which plans never count as the target's own keys.
 * The same functions serve the restore Lambda, each batch of a Step Functions Distributed Map, and the CLI's
 * --local mode.
 */

export { RESTORE_WORK_PREFIX };

export interface RestoreServiceDependencies {
  /** The vault, read as the restore reader. */
  readonly vault: VaultAccess;
  /** The primary account whose journal is read. */
  readonly account: string;
  /** A client for the target, as the restore function's role. */
  readonly target: S3Client;
  /** Buckets a restore may write to. */
  readonly restoreTargets: readonly string[];
  readonly now: () => Date;
  readonly tuning?: RestoreTuning;
  readonly concurrency?: number;
}

/** A restore request that cannot be served as asked: the field, what was received, what is possible. */
export class RestoreRequestError extends ProblemsError {
  public override readonly name = 'RestoreRequestError';

  public constructor(field: string, received: unknown, expected: string) {
    super(`invalid restore request: ${field}: received ${describeValue(received)}, expected ${expected}`, [
      { field, received: describeValue(received), expected },
    ]);
  }
}

export interface StoredState extends RestoreStatusResponse {
  readonly summary: PlanSummary;
  readonly manifestKey: string;
  /** Manifest lines handled so far: where the next pass starts. */
  readonly cursor: number;
  /** Who runs it: this service in passes, or the Step Functions Distributed Map (its execution). */
  readonly engine: 'inline' | 'step-functions';
  readonly executionArn?: string;
}

export interface PlanResponse {
  readonly restoreId: string;
  readonly summary: PlanSummary;
  readonly manifest: { readonly bucket: string; readonly key: string; readonly lines: number };
}

const workKey = (id: string, file: string) => `${RESTORE_WORK_PREFIX}${id}/${file}`;

export function newRestoreId(now: Date): string {
  return `r-${now.getTime().toString(36)}${randomBytes(3).toString('hex')}`;
}

/** Plan a restore and store its manifest and state; nothing is written to the target's own keys. */
export async function createPlan(deps: RestoreServiceDependencies, request: PlanApiRequest): Promise<PlanResponse> {
  if (!deps.restoreTargets.includes(request.targetBucket)) {
    throw new RestoreRequestError(
      'targetBucket',
      request.targetBucket,
      `one of the configured restore targets (${deps.restoreTargets.join(', ') || 'none are configured'})`,
    );
  }
  const now = deps.now();
  const asOf = new Date(request.asOf);
  if (asOf > now)
    throw new RestoreRequestError('asOf', request.asOf, `an instant not in the future (now is ${now.toISOString()})`);
  const distrust = request.distrustWritesAfter ? new Date(request.distrustWritesAfter) : undefined;
  const view = await openJournal(deps.vault, deps.account, distrust ? { distrustWritesAfter: distrust } : {});
  const restoreId = newRestoreId(now);
  const summary: { value?: PlanSummary } = {};
  const items = planRestore(
    view,
    {
      bucket: request.sourceBucket,
      ...(request.prefix ? { prefix: request.prefix } : {}),
      asOf,
      mode: request.mode ?? 'state',
      target: { client: deps.target, bucket: request.targetBucket },
      ...(request.targetPrefix ? { targetPrefix: request.targetPrefix } : {}),
    },
    summary,
  );
  const manifestKey = workKey(restoreId, RESTORE_MANIFEST_FILE);
  // Only the finished plan knows the earliest backup. A manifest of one PUT is held until then, so a refused
  // plan writes nothing (fuzzing found every refused plan writing and deleting its manifest); a larger one,
  // streamed, is taken back.
  const refusal = (): RestoreRequestError | undefined => {
    const plan = summary.value as PlanSummary;
    return plan.earliest === null
      ? new RestoreRequestError(
          'sourceBucket',
          request.sourceBucket,
          `a bucket (and prefix) with backups in the vault of account ${deps.account}; its journal has none`,
        )
      : asOf < new Date(plan.earliest)
        ? new RestoreRequestError('asOf', request.asOf, `an instant at or after the earliest restorable time, ${plan.earliest}`)
        : undefined;
  };
  const lines = await writeManifest(deps.target, request.targetBucket, manifestKey, items, () => {
    const refused = refusal();
    if (refused) throw refused;
  });
  const refused = refusal();
  if (refused) {
    await deps.target.send(new DeleteObjectCommand({ Bucket: request.targetBucket, Key: manifestKey }));
    throw refused;
  }
  const plan = summary.value as PlanSummary;
  const state: StoredState = {
    restoreId,
    state: 'planned',
    request,
    summary: plan,
    progress: notStarted(plan.counts.write, plan.bytes.write),
    failures: [],
    startedAt: null,
    updatedAt: now.toISOString(),
    manifestKey,
    cursor: 0,
    engine: 'inline',
  };
  await saveState(deps.target, request.targetBucket, state);
  return { restoreId, summary: plan, manifest: { bucket: request.targetBucket, key: manifestKey, lines } };
}

export interface RunOptions {
  /** Milliseconds left in this invocation; a pass stops starting objects below `marginMs`. */
  readonly remainingMs?: () => number;
  readonly marginMs?: number;
  /** Manifest lines read per executor call (and state saved after each). */
  readonly batchLines?: number;
  readonly onProgress?: (progress: RestoreProgress) => void;
}

/** One pass of a planned restore: from its cursor until done or out of time. Idempotent: a rerun skips what is identical. */
export async function runRestore(
  deps: RestoreServiceDependencies,
  targetBucket: string,
  restoreId: string,
  options: RunOptions = {},
): Promise<RestoreStatusResponse> {
  // A run is told its target by whoever asks (start, continue): only a configured restore target is ever written.
  if (!deps.restoreTargets.includes(targetBucket)) {
    throw new RestoreRequestError(
      'targetBucket',
      targetBucket,
      `one of the configured restore targets (${deps.restoreTargets.join(', ') || 'none are configured'})`,
    );
  }
  let state = await loadState(deps.target, targetBucket, restoreId);
  if (state.state === 'succeeded' || state.engine === 'step-functions') return publicState(state);
  // A pass that finds the restore running resumes one that stopped or crashed: the batch after its last
  // saved cursor may be partly written already, so that batch asks the target before each write.
  let recheck = state.state === 'running';
  const started = deps.now();
  state = { ...state, state: 'running', startedAt: state.startedAt ?? started.toISOString() };
  // Say so before the first write: a pass that dies in its first batch must leave a state that the next pass
  // reads as running, or that pass would rewrite what the first batch had written (found killing one there).
  if (!recheck) await saveState(deps.target, targetBucket, state);
  const batchLines = options.batchLines ?? 1000;
  const distrust = state.request.distrustWritesAfter ? new Date(state.request.distrustWritesAfter) : undefined;
  let lineNo = 0;
  let batch: PlanItem[] = [];
  const flush = async (): Promise<boolean> => {
    const result = await executeRestore(
      {
        vault: deps.vault,
        target: { client: deps.target, bucket: targetBucket },
        ...(distrust ? { distrustWritesAfter: distrust } : {}),
        ...(state.request.removeExtraneous ? { removeExtraneous: true } : {}),
        recheckTarget: recheck,
        tuning: deps.tuning ?? DEFAULT_RESTORE_TUNING,
        concurrency: deps.concurrency ?? RESTORE_OBJECTS_IN_FLIGHT,
        ...(options.remainingMs ? { remainingMs: options.remainingMs, marginMs: options.marginMs ?? 0 } : {}),
      },
      batch,
    );
    const p = state.progress;
    const done = p.objectsDone + result.written + result.present;
    const elapsed = (deps.now().getTime() - new Date(state.startedAt as string).getTime()) / 1000;
    const bytesDone = p.bytesDone + result.bytesWritten + result.bytesPresent;
    state = {
      ...state,
      cursor: state.cursor + result.next,
      progress: {
        ...p,
        objectsDone: done,
        bytesDone,
        skipped: p.skipped + result.skipped,
        removed: (p.removed ?? 0) + result.removed,
        failed: p.failed + result.failed.length,
        etaSeconds: bytesDone > 0 && elapsed > 0 ? Math.round(((p.bytes - bytesDone) / bytesDone) * elapsed) : null,
      },
      failures: [...state.failures, ...result.failed].slice(0, 100),
      updatedAt: deps.now().toISOString(),
    };
    await saveState(deps.target, targetBucket, state);
    options.onProgress?.(state.progress);
    batch = [];
    recheck = false;
    return result.done;
  };
  for await (const line of manifestLines(deps.target, targetBucket, restoreId)) {
    if (lineNo++ < state.cursor) continue;
    batch.push(JSON.parse(line) as PlanItem);
    if (batch.length >= batchLines && !(await flush())) return publicState(state);
  }
  if (batch.length > 0 && !(await flush())) return publicState(state);
  state = { ...state, state: state.progress.failed > 0 ? 'failed' : 'succeeded', updatedAt: deps.now().toISOString() };
  await saveState(deps.target, targetBucket, state);
  return publicState(state);
}

export async function restoreStatus(deps: Pick<RestoreServiceDependencies, 'target'>, targetBucket: string, restoreId: string) {
  return publicState(await loadState(deps.target, targetBucket, restoreId));
}

/** A restore by id: in the target given, or in whichever configured restore target holds it. */
export async function findRestore(
  deps: RestoreServiceDependencies,
  restoreId: string,
  targetBucket?: string,
): Promise<StoredState> {
  for (const bucket of targetBucket ? [targetBucket] : deps.restoreTargets) {
    try {
      return await loadState(deps.target, bucket, restoreId);
    } catch (error) {
      if (!(error instanceof RestoreRequestError)) throw error;
    }
  }
  throw new RestoreRequestError(
    'restoreId',
    restoreId,
    `the id of a restore planned into one of ${deps.restoreTargets.join(', ') || '(no restore targets)'} (plan returns it)`,
  );
}

/** The Distributed Map's execution ended: record how, so status says so and a new start may plan again. */
export async function markFinished(
  deps: RestoreServiceDependencies,
  targetBucket: string,
  restoreId: string,
  outcome: { readonly succeeded: boolean; readonly reason?: string },
) {
  const state = await loadState(deps.target, targetBucket, restoreId);
  const next: StoredState = {
    ...state,
    state: outcome.succeeded ? 'succeeded' : 'failed',
    progress: outcome.succeeded
      ? { ...state.progress, objectsDone: state.progress.objects, bytesDone: state.progress.bytes, etaSeconds: 0 }
      : state.progress,
    failures: outcome.reason ? [...state.failures, { key: '(execution)', reason: outcome.reason }].slice(0, 100) : state.failures,
    updatedAt: deps.now().toISOString(),
  };
  await saveState(deps.target, targetBucket, next);
  return publicState(next);
}

/** The Distributed Map has taken the restore over: its execution is where progress is. */
export async function markHandedOver(
  deps: RestoreServiceDependencies,
  targetBucket: string,
  restoreId: string,
  executionArn: string,
) {
  const state = await loadState(deps.target, targetBucket, restoreId);
  const next: StoredState = {
    ...state,
    state: 'running',
    engine: 'step-functions',
    executionArn,
    startedAt: state.startedAt ?? deps.now().toISOString(),
    updatedAt: deps.now().toISOString(),
  };
  await saveState(deps.target, targetBucket, next);
  return publicState(next);
}

const MANIFEST_PART_BYTES = 8 * 1024 * 1024;

/**
 * The plan as JSON lines. A small plan is one PUT; a plan past one part streams into a multipart upload, so
 * a plan over millions of keys never sits in memory.
 */
async function writeManifest(
  s3: S3Client,
  bucket: string,
  key: string,
  items: AsyncIterable<PlanItem>,
  /** Called once every item is known, before a manifest of one PUT is written: it may refuse the plan. */
  beforeSinglePut: () => void,
): Promise<number> {
  const iterator = items[Symbol.asyncIterator]();
  let lines = 0;
  const head: Buffer[] = [];
  let headBytes = 0;
  let next = await iterator.next();
  while (!next.done && headBytes < MANIFEST_PART_BYTES) {
    const line = Buffer.from(`${JSON.stringify(next.value)}\n`, 'utf8');
    head.push(line);
    headBytes += line.length;
    lines++;
    next = await iterator.next();
  }
  if (next.done) {
    beforeSinglePut();
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.concat(head), ContentType: 'application/x-ndjson' }),
    );
    return lines;
  }
  let pending: IteratorResult<PlanItem> = next;
  async function* rest(): AsyncGenerator<Uint8Array> {
    yield* head;
    while (!pending.done) {
      lines++;
      yield Buffer.from(`${JSON.stringify(pending.value)}\n`, 'utf8');
      pending = await iterator.next();
    }
  }
  await uploadMultipart({
    client: s3,
    bucket,
    key,
    source: { name: `restore manifest ${key}`, open: async () => rest() },
    partBytes: MANIFEST_PART_BYTES,
    partsInFlight: 2,
    object: { ContentType: 'application/x-ndjson' },
    ifNoneMatch: false,
  });
  return lines;
}

async function* manifestLines(s3: S3Client, bucket: string, restoreId: string): AsyncGenerator<string> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: workKey(restoreId, RESTORE_MANIFEST_FILE) }));
  const lines = createInterface({
    input: Readable.from(got.Body as AsyncIterable<Uint8Array>),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line.length > 0) yield line;
}

async function saveState(s3: S3Client, bucket: string, state: StoredState): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: workKey(state.restoreId, 'state.json'),
      Body: JSON.stringify(state),
      ContentType: 'application/json',
    }),
  );
}

async function loadState(s3: S3Client, bucket: string, restoreId: string): Promise<StoredState> {
  try {
    const { body } = await getWhole(s3, { Bucket: bucket, Key: workKey(restoreId, 'state.json') }, 16 * 1024 * 1024);
    return JSON.parse(body.toString('utf8')) as StoredState;
  } catch (error) {
    if (isNotFound(error))
      throw new RestoreRequestError('restoreId', restoreId, `the id of a restore planned into ${bucket} (plan returns it)`);
    throw error;
  }
}

function publicState(state: StoredState): StoredState {
  return state;
}
