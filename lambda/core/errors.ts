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
