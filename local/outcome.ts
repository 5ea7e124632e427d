/**
 * The outcome of one request against the local S3, as a value: tests and the demo compare outcomes with
 * expectations instead of catching. RGW's error bodies are mostly empty (the SDK's message is
 * "UnknownError"), so an error is described by its name and HTTP status, never by its message.
 */
import { errorName, httpStatusOf } from '../contract/errors';

export { describeError } from '../contract/errors';

export type Outcome<T = unknown> =
  | { readonly ok: true; readonly value: T; readonly status?: undefined }
  | { readonly ok: false; readonly name: string; readonly status: number | undefined; readonly error: unknown };

export async function attempt<T>(request: Promise<T> | (() => Promise<T>)): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await (typeof request === 'function' ? request() : request) };
  } catch (error: unknown) {
    return { ok: false, name: errorName(error), status: httpStatusOf(error), error };
  }
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
