import type { BucketName, RestoreBackend } from '../../../cli/backend';
import { type CliIo, capturedIo } from '../../../cli/io';
import type { LocalBackend } from '../../../cli/local-backend';
import { type CliDependencies, main } from '../../../cli/main';
import type { RestoreProgress, RestoreStatusResponse } from '../../../contract/restore-api';
import type { PlanSummary } from '../../../lambda/core/restore-plan';
import type { PlanResponse } from '../../../lambda/core/restore-service';

/** The fixed "now" of the CLI's unit tests: 2026-12-01T05:12:00Z. */
export const NOW = new Date('2026-12-01T05:12:00Z');

export interface CapturedIo extends CliIo {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly questions: string[];
  readonly text: () => { out: string; err: string };
}

export function fakeIo(options: { tty?: boolean; answers?: Array<string | null>; now?: Date } = {}): CapturedIo {
  const io = capturedIo(() => options.now ?? NOW);
  const questions: string[] = [];
  const answers = [...(options.answers ?? [])];
  return {
    ...io,
    questions,
    text: () => ({ out: io.stdout.join(''), err: io.stderr.join('') }),
    stdinIsTTY: options.tty ?? false,
    prompt: async (question) => {
      questions.push(question);
      return answers.length > 0 ? (answers.shift() ?? null) : null;
    },
  };
}

export function summary(partial: Partial<PlanSummary> = {}): PlanSummary {
  return {
    sourceBucket: 'acme-invoices',
    prefix: '',
    asOf: '2026-12-01T03:12:00.000Z',
    mode: 'state',
    targetBucket: 'acme-restore',
    counts: { write: 3, skip: 1, extraneous: 1, absentAtT: 2 },
    bytes: { write: 3072, skip: 10, extraneous: 7 },
    samples: {
      write: ['invoices/a.txt', 'invoices/b.txt', 'ledger/q1.csv'],
      skip: ['readme.txt'],
      extraneous: ['ransom-note.txt'],
    },
    earliest: '2026-11-30T08:00:00.000Z',
    ...partial,
  };
}

export function planResponse(partial: Partial<PlanSummary> = {}, restoreId = 'r-mx4test0001'): PlanResponse {
  return {
    restoreId,
    summary: summary(partial),
    manifest: { bucket: 'acme-restore', key: `.strongroom/restores/${restoreId}/manifest.jsonl`, lines: 5 },
  };
}

export function progress(partial: Partial<RestoreProgress> = {}): RestoreProgress {
  return {
    objects: 3,
    bytes: 3072,
    objectsDone: 3,
    bytesDone: 3072,
    skipped: 2,
    removed: 0,
    failed: 0,
    etaSeconds: 0,
    ...partial,
  };
}

export function statusResponse(partial: Partial<RestoreStatusResponse> = {}): RestoreStatusResponse {
  return {
    restoreId: 'r-mx4test0001',
    state: 'succeeded',
    request: {
      action: 'plan',
      sourceBucket: 'acme-invoices',
      asOf: '2026-12-01T03:12:00.000Z',
      targetBucket: 'acme-restore',
    },
    progress: progress(),
    failures: [],
    startedAt: '2026-12-01T05:12:00.000Z',
    updatedAt: '2026-12-01T05:12:01.000Z',
    ...partial,
  };
}

/** A backend that records what it was asked and answers as told. */
export function fakeBackend(
  answers: { plan?: PlanResponse; result?: RestoreStatusResponse; progress?: RestoreProgress[] } = {},
): RestoreBackend & { calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const names = (name: string): BucketName => ({ shown: name, actual: `local-${name}` });
  return {
    calls,
    where: 'a fake backend',
    source: names,
    target: (name) => names(name ?? 'acme-restore'),
    plan: async (request) => {
      calls.push(['plan', request]);
      return answers.plan ?? planResponse();
    },
    start: async (target, restoreId, onProgress) => {
      calls.push(['start', { target, restoreId }]);
      for (const p of answers.progress ?? []) onProgress(p);
      return answers.result ?? statusResponse();
    },
    close: () => calls.push(['close', undefined]),
  };
}

/** Runs the CLI with a fake backend for both --local and AWS; returns exit code and output. */
export async function run(
  argv: readonly string[],
  options: { io?: CapturedIo; backend?: RestoreBackend; deps?: Partial<CliDependencies> } = {},
) {
  const io = options.io ?? fakeIo();
  const backend = options.backend ?? fakeBackend();
  const code = await main(argv, {
    io,
    openLocal: async () => backend as LocalBackend,
    openLambda: () => backend,
    ...options.deps,
  });
  return { code, ...io.text(), io };
}
