/** One thing wrong with a config: where, what was there, and what should have been. */
export interface ConfigProblem {
  /** Dotted path into the config file, e.g. `primaryAccounts[0].accountId`. */
  readonly path: string;
  /** The value found there, JSON-encoded, or `(missing)`. */
  readonly received: string;
  readonly expected: string;
  /** For immutability refusals: the linter rule and the risk it guards against. */
  readonly rule?: string;
  readonly risk?: string;
}

/**
 * A config that must not be deployed. Carries every problem found, not just the first, so one
 * synth run shows the whole list.
 */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';

  public constructor(
    public readonly source: string,
    public readonly problems: readonly ConfigProblem[],
    options?: ErrorOptions,
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`,
      options,
    );
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const head = `${problem.path}: received ${problem.received}, expected ${problem.expected}`;
  return problem.rule ? `[${problem.rule}] ${head}. Risk: ${problem.risk}` : head;
}

/** `['a', 0, 'b']` -> `a[0].b`; the empty path is the config file's top level. */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

/** A short, single-line rendering of a received value; never the whole of a large object. */
export function describeValue(value: unknown): string {
  if (value === undefined) return '(missing)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
