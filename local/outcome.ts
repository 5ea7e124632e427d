/**
 * The outcome of one request against the local S3, as a value: tests and the demo compare outcomes with
 * expectations instead of catching. RGW's error bodies are mostly empty (the SDK's message is
 * "UnknownError"), so an error is described by its name and HTTP status, never by its message.
 */
export type Outcome<T = unknown> =
  | { readonly ok: true; readonly value: T; readonly status?: undefined }
  | { readonly ok: false; readonly name: string; readonly status: number | undefined; readonly error: unknown };

export async function attempt<T>(request: Promise<T> | (() => Promise<T>)): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await (typeof request === 'function' ? request() : request) };
  } catch (error: unknown) {
    return { ok: false, name: errorName(error), status: httpStatus(error), error };
  }
}

export function errorName(error: unknown): string {
  if (error instanceof Error) return error.name;
  return typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : String(error);
}

export function httpStatus(error: unknown): number | undefined {
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata;
  return metadata?.httpStatusCode;
}

/** Refused by the server's authorization (a policy, an ACL or Object Lock): AccessDenied, HTTP 403. */
export function isAccessDenied(outcome: Outcome): boolean {
  return !outcome.ok && outcome.status === 403;
}

/**
 * "AccessDenied (403)", "ok", "NoSuchKey (404)", for people. An error without a code (a HEAD response, or
 * RGW's STS errors: the SDK calls them "Unknown") shows as "HTTP 403".
 */
export function describeOutcome(outcome: Outcome): string {
  if (outcome.ok) return 'ok';
  if (outcome.status === undefined) return outcome.name;
  return outcome.name === 'Unknown' || outcome.name === 'UnknownError'
    ? `HTTP ${outcome.status}`
    : `${outcome.name} (${outcome.status})`;
}

/** An error in one line: name, HTTP status, and the message when there is one (RGW mostly sends none). */
export function describeError(error: unknown): string {
  const name = errorName(error);
  const status = httpStatus(error);
  const message = error instanceof Error && error.message && error.message !== 'UnknownError' ? error.message : '';
  // a plain Error's name says nothing
  if (name === 'Error' && status === undefined && message) return message;
  return `${name}${status === undefined ? '' : ` (HTTP ${status})`}${message ? `: ${message}` : ''}`;
}
