import { describeProblem, type Problem, ProblemsError, StrongroomError } from '../contract/errors';
import { EXIT, type ExitCode } from './exit-codes';

/** Bad usage or input (exit 2): each problem names the flag, the value received and what was expected. */
export class CliUsageError extends ProblemsError {
  public override readonly name = 'CliUsageError';

  public constructor(problems: readonly Problem[]) {
    super(problems.map(describeProblem).join('\n'), problems);
  }

  public static of(flag: string, received: string, expected: string): CliUsageError {
    return new CliUsageError([{ field: flag, received, expected }]);
  }
}

/** The responder declined, or interrupted (exit 4). */
export class AbortedError extends StrongroomError {
  public override readonly name = 'AbortedError';
}

/** An error the deployed restore Lambda returned (FunctionError): its type and message, as the function wrote them. */
export class RestoreFunctionError extends StrongroomError {
  public override readonly name = 'RestoreFunctionError';

  public constructor(
    public readonly functionName: string,
    public readonly errorType: string,
    message: string,
  ) {
    super(`${functionName} failed: ${errorType}: ${message}`);
  }
}

/** Error types the restore function raises for a request it refuses as asked: bad input, not a failure. */
const REQUEST_ERROR_TYPES: ReadonlySet<string> = new Set([
  'InputValidationError',
  'RestoreRequestError',
  'RestoreRefusedError',
  'ActivityRequestError',
]);

/** The restore API's request fields, as the CLI's flags name them. */
export const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  sourceBucket: '--bucket',
  prefix: '--prefix',
  asOf: '--as-of',
  distrustWritesAfter: '--distrust-writes-after',
  targetBucket: '--target',
  targetPrefix: '--target-prefix',
  mode: '--mode',
  removeExtraneous: '--remove-extraneous',
  since: '--since',
  until: '--until',
  intervalSeconds: '--interval',
};

/** `asOf: received ...` -> `--as-of (asOf): received ...`: the responder types flags, not API fields. */
export function withFlagNames(message: string): string {
  return message.replace(
    /\b(sourceBucket|prefix|asOf|distrustWritesAfter|targetBucket|targetPrefix|mode|removeExtraneous|since|until|intervalSeconds)(?=: received)/g,
    (field) => `${FLAG_OF_FIELD[field]} (${field})`,
  );
}

/** Which exit code an error means: 2 for input the responder can fix, 4 for an abort, 1 for the rest. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliUsageError) return EXIT.usage;
  if (error instanceof AbortedError) return EXIT.aborted;
  if (error instanceof RestoreFunctionError) return REQUEST_ERROR_TYPES.has(error.errorType) ? EXIT.usage : EXIT.failure;
  const name = error instanceof Error ? error.name : '';
  // The restore service's and the deployment file's refusals: a field, what it held, what was expected.
  if (
    name === 'RestoreRequestError' ||
    name === 'RestoreRefusedError' ||
    name === 'ActivityRequestError' ||
    name.startsWith('LocalDeploymentFile')
  )
    return EXIT.usage;
  return EXIT.failure;
}
