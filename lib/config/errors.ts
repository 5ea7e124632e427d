import { describeProblem, type Problem, ProblemsError } from '../../contract/errors';

/** One thing wrong with a config: the field's dotted path, e.g. `primaryAccounts[0].accountId`. */
export type ConfigProblem = Problem;

/**
 * A config that must not be deployed. Carries every problem found, not just the first, so one
 * synth run shows the whole list.
 */
export class ConfigError extends ProblemsError {
  public override readonly name = 'ConfigError';

  public constructor(
    public readonly source: string,
    problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n${problems.map((p) => `  - ${describeProblem(p)}`).join('\n')}`,
      problems,
      options,
    );
  }
}
