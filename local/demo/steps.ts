/**
 * A tiny framework for the demo: named steps run in order, each printing one line — its name, what it
 * attempted, the outcome, and ✔ or ✘ against the expectation. A step may record attempts (an attack, say),
 * each printed on a line of its own and collected for the summary table. A step that throws is a failure
 * the demo did not expect: its line says so in one sentence, without a stack trace (STRONGROOM_DEMO_DEBUG=1
 * prints it), and the remaining steps are skipped. Later issues add their steps (copy, restore, verify) to
 * the list; a step can be replaced by name (replaceStep).
 */
import { attempt, describeError, describeOutcome, type Outcome } from '../outcome';

/** One request made on purpose, with what should happen. */
export interface Attempt {
  /** Who acts: "primary admin", "stolen ingest credentials", ... */
  readonly actor: string;
  /** What was tried, for a person. */
  readonly action: string;
  /** What should happen: "denied", "allowed", or a sentence. */
  readonly expected: string;
  /** What happened. */
  readonly outcome: string;
  /** Whether that meets the expectation. */
  readonly held: boolean;
  /** Does this attempt test a protection of the vault (as opposed to, say, the intruder wiping the source)? */
  readonly protection: boolean;
}

export interface Recorder {
  /**
   * Sends a request that the server should answer as `expected` ('denied' = HTTP 403) and records the outcome.
   * Never throws for an HTTP error: a denial is an outcome, not a failure.
   */
  expect<T>(actor: string, action: string, expected: 'denied' | 'allowed', request: () => Promise<T>): Promise<Outcome<T>>;
  /**
   * Like expect, for the same action on many targets (every vault version, say): one line, held only if every
   * request met the expectation; the outcome counts them ("13/13 AccessDenied (403)").
   */
  expectEach(
    actor: string,
    action: string,
    expected: 'denied' | 'allowed',
    requests: readonly (() => Promise<unknown>)[],
  ): Promise<Outcome[]>;
  /** Records an attempt judged by the step itself. */
  record(entry: Attempt): void;
  /** Prints a line of detail under the step. */
  note(line: string): void;
}

export interface Step<S> {
  /** Short name, stable: later issues replace or insert steps by it. */
  readonly name: string;
  /** What the step attempts, for the reader. */
  readonly attempts: string;
  /** Does the work; returns the outcome in a few words. Throwing means an unexpected failure. */
  readonly run: (state: S, recorder: Recorder) => Promise<string>;
}

export interface StepResult {
  readonly name: string;
  readonly attempts: string;
  readonly outcome: string;
  /** Did the step do what was expected (no exception, every recorded attempt held)? */
  readonly ok: boolean;
  readonly ms: number;
  readonly recorded: readonly Attempt[];
  /** Set when the step threw. */
  readonly error?: unknown;
}

export interface RunReport {
  readonly results: readonly StepResult[];
  /** Steps not run because an earlier one failed unexpectedly. */
  readonly skipped: readonly string[];
  readonly ok: boolean;
  readonly ms: number;
}

export interface Output {
  line(text: string): void;
  /** Colours only on a terminal. */
  readonly colour: boolean;
}

export const consoleOutput = (stream: NodeJS.WriteStream = process.stdout): Output => ({
  line: (text) => {
    stream.write(`${text}\n`);
  },
  colour: Boolean(stream.isTTY) && !process.env.NO_COLOR,
});

const paint = (output: Output, code: number, text: string) => (output.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
export const mark = (output: Output, ok: boolean) => (ok ? paint(output, 32, '✔') : paint(output, 31, '✘'));

const NAME_WIDTH = 21;
const ATTEMPT_WIDTH = 66;

function pad(text: string, width: number): string {
  return text.length >= width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** Replaces the step named `name` (e.g. the interim backup by the real copier); throws if there is none. */
export function replaceStep<S>(steps: readonly Step<S>[], name: string, replacement: Step<S>): Step<S>[] {
  if (!steps.some((s) => s.name === name))
    throw new Error(`no demo step named '${name}' (have: ${steps.map((s) => s.name).join(', ')})`);
  return steps.map((s) => (s.name === name ? replacement : s));
}

/** Inserts `step` after the step named `after`. */
export function insertStepAfter<S>(steps: readonly Step<S>[], after: string, step: Step<S>): Step<S>[] {
  const i = steps.findIndex((s) => s.name === after);
  if (i < 0) throw new Error(`no demo step named '${after}' (have: ${steps.map((s) => s.name).join(', ')})`);
  return [...steps.slice(0, i + 1), step, ...steps.slice(i + 1)];
}

/** Runs the steps in order, printing as it goes. */
export async function runSteps<S>(steps: readonly Step<S>[], state: S, output: Output): Promise<RunReport> {
  const started = performance.now();
  const results: StepResult[] = [];
  for (const [index, step] of steps.entries()) {
    const recorded: Attempt[] = [];
    const details: string[] = [];
    const recorder: Recorder = {
      async expect(actor, action, expected, request) {
        const outcome = await attempt(request);
        const entry = {
          actor,
          action,
          expected,
          outcome: describeOutcome(outcome),
          held: meets(outcome, expected),
          protection: expected === 'denied',
        };
        recorded.push(entry);
        details.push(attemptLine(output, entry));
        return outcome;
      },
      async expectEach(actor, action, expected, requests) {
        const outcomes: Outcome[] = [];
        for (const request of requests) outcomes.push(await attempt(request));
        const counts = new Map<string, number>();
        for (const o of outcomes) counts.set(describeOutcome(o), (counts.get(describeOutcome(o)) ?? 0) + 1);
        const summary = [...counts].map(([what, n]) => `${n}/${outcomes.length} ${what}`).join(', ');
        const entry = {
          actor,
          action,
          expected,
          outcome: summary || 'nothing to try',
          held: outcomes.length > 0 && outcomes.every((o) => meets(o, expected)),
          protection: expected === 'denied',
        };
        recorded.push(entry);
        details.push(attemptLine(output, entry));
        return outcomes;
      },
      record(entry) {
        recorded.push(entry);
        details.push(attemptLine(output, entry));
      },
      note(line) {
        details.push(`       ${line}`);
      },
    };
    const stepStarted = performance.now();
    let outcome: string;
    let error: unknown;
    try {
      outcome = await step.run(state, recorder);
    } catch (caught: unknown) {
      error = caught;
      outcome = `failed unexpectedly: ${describeError(caught)}`;
    }
    const ms = performance.now() - stepStarted;
    const ok = error === undefined && recorded.every((a) => a.held);
    const number = String(index + 1).padStart(2);
    output.line(`${mark(output, ok)} ${number} ${pad(step.name, NAME_WIDTH)} ${step.attempts} -> ${outcome}`);
    for (const line of details) output.line(line);
    if (error !== undefined && process.env.STRONGROOM_DEMO_DEBUG === '1') output.line(String((error as Error).stack ?? error));
    results.push({
      name: step.name,
      attempts: step.attempts,
      outcome,
      ok,
      ms,
      recorded,
      ...(error !== undefined ? { error } : {}),
    });
    if (error !== undefined) {
      const skipped = steps.slice(index + 1).map((s) => s.name);
      if (skipped.length > 0) output.line(`     (skipped after this failure: ${skipped.join(', ')})`);
      return { results, skipped, ok: false, ms: performance.now() - started };
    }
  }
  return { results, skipped: [], ok: results.every((r) => r.ok), ms: performance.now() - started };
}

function meets(outcome: Outcome, expected: 'denied' | 'allowed'): boolean {
  return expected === 'denied' ? !outcome.ok && outcome.status === 403 : outcome.ok;
}

function attemptLine(output: Output, a: Attempt): string {
  return `     ${mark(output, a.held)} ${pad(`${a.actor}: ${a.action}`, ATTEMPT_WIDTH)} ${a.outcome}${a.held ? '' : `  (expected ${a.expected})`}`;
}

/** A plain-text table: columns padded to their widest cell, a rule under the header. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

/** Waits until the server's clock (whole seconds) has passed into the next second. */
export const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1050 - (Date.now() % 1000)));

/** Seconds with one decimal, for people. */
export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
