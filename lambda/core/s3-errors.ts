import { httpStatusOf, StrongroomError } from '../../contract/errors';

export { httpStatusOf };

/*
 * S3 error classification by code and HTTP status, never by message: some S3-compatible servers
 * (Ceph RGW) send empty messages, and the SDK then reports "UnknownError".
 */

interface ServiceErrorLike {
  readonly name?: string;
  readonly Code?: string;
}

function codeOf(error: unknown): string | undefined {
  const e = error as ServiceErrorLike | undefined;
  return e?.Code ?? e?.name;
}

/** If-None-Match / If-Match refused: the vault key already exists, or the source changed since the event. */
export function isPreconditionFailed(error: unknown): boolean {
  return codeOf(error) === 'PreconditionFailed' || httpStatusOf(error) === 412;
}

export function isNotFound(error: unknown): boolean {
  const code = codeOf(error);
  return code === 'NoSuchKey' || code === 'NoSuchVersion' || code === 'NotFound' || httpStatusOf(error) === 404;
}

export function isAccessDenied(error: unknown): boolean {
  return codeOf(error) === 'AccessDenied' || httpStatusOf(error) === 403;
}

const TRANSIENT_CODES = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNREFUSED',
  'TimeoutError',
  'RequestTimeout',
  'SlowDown',
]);

/**
 * A failure another attempt may well not meet: the connection died (reset, a body cut short mid-stream, a
 * timeout) or the server answered 5xx. The SDK retries these itself while it sends a request; a body that
 * breaks while it is being read comes after the SDK has returned, so only the caller can try again.
 */
export function isTransient(error: unknown, depth = 0): boolean {
  if (depth > 5 || typeof error !== 'object' || error === null) return false;
  const e = error as ServiceErrorLike & { readonly code?: string; readonly cause?: unknown };
  const status = httpStatusOf(error) ?? 0;
  if (status >= 500 || TRANSIENT_CODES.has(e.code ?? '') || TRANSIENT_CODES.has(codeOf(error) ?? '')) return true;
  return isTransient(e.cause, depth + 1);
}

/**
 * A permission the deployment should have granted is missing: retrying cannot help, a human must
 * fix the configuration. The message names the role, the action and the resource.
 */
export class ConfigurationFaultError extends StrongroomError {
  public override readonly name = 'ConfigurationFaultError';

  public constructor(
    public readonly role: string,
    public readonly action: string,
    public readonly resource: string,
    hint: string,
    options?: ErrorOptions,
  ) {
    super(`AccessDenied: ${role} may not ${action} on ${resource}; ${hint}`, options);
  }
}

/** The bytes streamed from a pinned version are not the ones expected (their length or their SHA-256): nothing is recorded or completed. */
export class SourceChangedError extends StrongroomError {
  public override readonly name = 'SourceChangedError';
}

/** Rethrow an S3 error as a ConfigurationFaultError when it is AccessDenied, unchanged otherwise. */
export function explainAccessDenied(error: unknown, role: string, action: string, resource: string, hint: string): never {
  if (isAccessDenied(error)) throw new ConfigurationFaultError(role, action, resource, hint, { cause: error });
  throw error;
}
