/** The `strongroom` command's exit codes: one meaning each, documented in every --help and in the README. */
export const EXIT = {
  /** Done: the restore succeeded, the dry run, the timeline or the activity was printed, or there was nothing to do. */
  ok: 0,
  /** Failure: something broke (S3, STS, the Lambda, the journal, the network); the message says what. */
  failure: 1,
  /** Bad usage or input: an unknown or malformed flag, a name or time that does not fit, or --yes needed. */
  usage: 2,
  /** The restore ran to its end, but some objects failed (listed; a rerun at the same instant retries only those); verify found a FAIL. */
  restoreFailures: 3,
  /** Aborted by the user: "no" at the confirmation prompt (nothing written), or Ctrl-C. */
  aborted: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  done: restored, dry run, timeline or activity printed, or nothing to do
  1  failure: S3, STS, the Lambda, the journal or the network failed (the message says what)
  2  bad usage or input: the message names the flag, the value received and what was expected
     (also: a confirmation is needed but stdin is not a terminal; pass --yes)
  3  the restore finished, but some objects failed (listed; run it again with the same absolute --as-of to retry them);
     verify: a check FAILed, or the report could not be filed
  4  aborted by the user: declined at the prompt (nothing written) or interrupted with Ctrl-C`;
