import { describeValue, formatPath as formatField } from '../../lib/config/errors';

/**
 * Errors the functions raise. Each is a class with a `name` (what the logs and the Lambda error type
 * show) and, where one exists, a `cause`; handlers treat anything caught as `unknown`.
 */
export class StrongroomError extends Error {
  public override readonly name: string = 'StrongroomError';
}

/** What was wrong with one value: where it was, what was there, what should have been. */
export interface Problem {
  /** `SOURCES[0].bucket`, `targetBucket`, `Records[2].body.detail.bucket.name`, ... */
  readonly field: string;
  /** The value found there, JSON-encoded and shortened, or `(missing)`. */
  readonly received: string;
  readonly expected: string;
}

function describeProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `${p.field}: received ${p.received}, expected ${p.expected}`).join('; ');
}

/** The function's environment is not what the stack sets: a deployment fault, never retried away. */
export class EnvironmentError extends StrongroomError {
  public override readonly name = 'EnvironmentError';

  public constructor(
    public readonly problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(`invalid environment: ${describeProblems(problems)}`, options);
  }
}

/** The event or request the function was invoked with is malformed or asks for something not allowed. */
export class InputValidationError extends StrongroomError {
  public override readonly name = 'InputValidationError';

  public constructor(
    /** What was being validated: `restore request`, `SQS record 5f1c...`. */
    public readonly subject: string,
    public readonly problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(`invalid ${subject}: ${describeProblems(problems)}`, options);
  }
}

/**
 * The function's core is not part of this version. Raised instead of doing nothing, so that a
 * deployment of this version can never report a backup, restore or verification that did not happen.
 */
export class NotAvailableError extends StrongroomError {
  public override readonly name = 'NotAvailableError';

  public constructor(
    public readonly feature: 'copier' | 'reconciler' | 'restore' | 'verify',
    options?: ErrorOptions,
  ) {
    super(`${feature} is not available in this version of Strongroom`, options);
  }
}

/** One rendering of values and paths in every error message, config or runtime. */
export { describeValue, formatField };

/** The value at a path inside a parsed input, for error messages. */
export function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = root;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

/** The part of a zod issue this module reads (kept structural so the core needs no zod import). */
export interface ValidationIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
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
        field: formatField([...prefix, ...issue.path, key]),
        received: describeValue(valueAt(root, [...issue.path, key])),
        expected: `no such field here (${issue.message})`,
      }));
    }
    return [
      {
        field: formatField([...prefix, ...issue.path]),
        received: describeValue('input' in issue ? issue.input : valueAt(root, issue.path)),
        expected: issue.message,
      },
    ];
  });
}
