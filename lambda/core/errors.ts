import { describeProblems, type Problem, ProblemsError, StrongroomError } from '../../contract/errors';

/*
 * Errors the functions raise, all of the one family in contract/errors.ts: a class with a `name` (what
 * the logs and the Lambda error type show) and, where one exists, a `cause`; handlers treat anything
 * caught as `unknown`.
 */
export { type Problem, StrongroomError };

/** The function's environment is not what the stack sets: a deployment fault, never retried away. */
export class EnvironmentError extends ProblemsError {
  public override readonly name = 'EnvironmentError';

  public constructor(problems: readonly Problem[], options?: ErrorOptions) {
    super(`invalid environment: ${describeProblems(problems)}`, problems, options);
  }
}

/** The event or request the function was invoked with is malformed or asks for something not allowed. */
export class InputValidationError extends ProblemsError {
  public override readonly name = 'InputValidationError';

  public constructor(
    /** What was being validated: `restore request`, `SQS record 5f1c...`. */
    public readonly subject: string,
    problems: readonly Problem[],
    options?: ErrorOptions,
  ) {
    super(`invalid ${subject}: ${describeProblems(problems)}`, problems, options);
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
