/*
 * The error family and the problem shape every part of Strongroom reports in: config loading at synth
 * time, the functions at run time, and the local tooling. One rendering of values and paths, so a
 * bad field reads the same wherever it is found.
 */

/** Base of every error Strongroom raises: a `name` (what logs and the Lambda error type show) and a `cause`. */
export class StrongroomError extends Error {
  public override readonly name: string = 'StrongroomError';
}

/** What was wrong with one value: where it was, what was there, what should have been. */
export interface Problem {
  /** `primaryAccounts[0].accountId`, `SOURCES[0].bucket`, `Records[2].body.detail.bucket.name`, ... */
  readonly field: string;
  /** The value found there, JSON-encoded and shortened, or `(missing)`. */
  readonly received: string;
  readonly expected: string;
  /** For immutability refusals: the linter rule and the risk it guards against. */
  readonly rule?: string;
  readonly risk?: string;
}

export function describeProblem(problem: Problem): string {
  const head = `${problem.field}: received ${problem.received}, expected ${problem.expected}`;
  return problem.rule ? `[${problem.rule}] ${head}. Risk: ${problem.risk}` : head;
}

export function describeProblems(problems: readonly Problem[]): string {
  return problems.map(describeProblem).join('; ');
}

/** Input that does not meet its contract: carries every problem found, not just the first. */
export class ProblemsError extends StrongroomError {
  public override readonly name: string = 'ProblemsError';

  public constructor(
    message: string,
    public readonly problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A key that reads unambiguously after a dot: `detail-type`, `SOURCES`, `version-id`. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/**
 * `['a', 0, 'b']` -> `a[0].b`; the empty path is the top level. A key that is not a plain name (empty, with a
 * dot, a space, a bracket, any other character) is quoted, `a[""]` or `a["x.y"]`, so that every field is named.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      const key = String(part);
      return PLAIN_KEY.test(key) ? `${i === 0 ? '' : '.'}${key}` : `[${JSON.stringify(key)}]`;
    })
    .join('');
}

/** A short, single-line rendering of a received value; never the whole of a large object. */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  // JSON would show NaN and Infinity as null
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** The value at a path inside a parsed input, for error messages: own properties only (never `constructor`'s). */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** Whether `root` has objects all along `path` but its last step: then valueAt is what the field holds, missing or not. */
function reachable(root: unknown, path: readonly PropertyKey[]): boolean {
  const parent = valueAt(root, path.slice(0, -1));
  return path.length > 0 && parent !== null && typeof parent === 'object';
}

/** The part of a zod issue read here (structural, so this module needs no zod import). */
export interface ValidationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  /** zod's issue code (`invalid_union`, `invalid_type`, ...). */
  readonly code?: string;
  readonly input?: unknown;
  /** Present on unrecognized-key issues: the keys that are not allowed. */
  readonly keys?: readonly string[];
}

/**
 * Zod issues as problems. The schemas' messages state what is expected; `root` is the parsed value
 * (so the received value can be shown) and `prefix` names where it came from (`SOURCES`, `body`).
 * An unknown key becomes one problem per key, so a typo is named rather than buried in the object.
 */
export function problemsFromIssues(
  issues: readonly ValidationIssue[],
  root: unknown,
  prefix: readonly PropertyKey[] = [],
): Problem[] {
  return issues.flatMap((issue) => {
    if (issue.keys && issue.keys.length > 0) {
      return issue.keys.map((key) => ({
        field: formatPath([...prefix, ...issue.path, key]),
        received: describeValue(valueAt(root, [...issue.path, key])),
        expected: `no such field here (${issue.message})`,
      }));
    }
    // For a union's discriminator zod reports the whole object as the input (found by fuzzing the restore
    // requests): the field's own value is what was received there.
    const received =
      (issue.code === 'invalid_union' && reachable(root, issue.path)) || !('input' in issue)
        ? valueAt(root, issue.path)
        : issue.input;
    return [{ field: formatPath([...prefix, ...issue.path]), received: describeValue(received), expected: issue.message }];
  });
}

export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : String(error);
}

export function httpStatusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

/**
 * An error in one line, for logs and people: name, HTTP status, and the message when there is one
 * (Ceph RGW mostly sends none, and the SDK then says "UnknownError"). Never a request or response payload.
 */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const status = httpStatusOf(error);
  const message = error instanceof Error && error.message && error.message !== 'UnknownError' ? error.message : '';
  // a plain Error's name says nothing
  if (name === 'Error' && status === undefined && message) return message;
  return `${name}${status === undefined ? '' : ` (HTTP ${status})`}${message ? `: ${message}` : ''}`;
}
