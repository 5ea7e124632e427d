/**
 * A fault-injecting HTTP proxy in front of the local S3: every request is forwarded to RGW unless the seeded
 * schedule picks a fault for it — a connection reset (before the request reaches the server, or after the
 * server answered), a 503 SlowDown with S3's XML error body, added latency, a response body cut short of its
 * declared Content-Length, or a request body cut short on its way to the server. Each fault injected is
 * counted by kind, and every request is logged with the SDK's attempt number (`amz-sdk-request:
 * attempt=N; max=M`), so a test can say how many retries the faults cost and that none went past the bound.
 *
 * Plain node:http rather than a proxy library: the faults need byte-level control of when a socket dies and
 * how much of a body passes, which a general-purpose proxy hides. The local S3 is plain HTTP on 127.0.0.1.
 *
 * The draw for a request is a function of the seed, its method and URL, and how many times the proxy has seen
 * that method and URL: the interleaving of concurrent requests does not move faults around, and the same
 * requests meet the same faults. (Runs against fresh buckets, version ids and upload ids send other URLs, so
 * there the seed fixes the rates, not which request meets which fault.)
 */
import { createHash } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const FAULT_KINDS = ['reset', 'slowdown', 'latency', 'truncated', 'truncatedRequest'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Probability of each fault per request (their sum at most 1). */
export type FaultRates = Readonly<Record<FaultKind, number>>;

export const NO_FAULTS: FaultRates = { reset: 0, slowdown: 0, latency: 0, truncated: 0, truncatedRequest: 0 };

export interface FaultProxyOptions {
  /** Where requests go: the local S3's endpoint (`http://127.0.0.1:7580`). */
  readonly target: string;
  readonly seed: string;
  readonly rates: FaultRates;
  /** Added latency, uniformly in [min, max] milliseconds. @default {min: 50, max: 400} */
  readonly latencyMs?: { readonly min: number; readonly max: number };
  /** Port to listen on, on 127.0.0.1. @default 0 (any free port) */
  readonly port?: number;
}

export interface ProxiedRequest {
  readonly method: string;
  readonly url: string;
  /** The SDK's id of one operation, the same across its retries. */
  readonly invocationId: string | null;
  /** The SDK's attempt number and its bound, when the client sent them. */
  readonly attempt: number | null;
  readonly maxAttempts: number | null;
  readonly fault: FaultKind | null;
  /** For a reset: whether the server saw the request. */
  readonly resetAfterForward?: boolean;
}

export interface FaultStats {
  readonly requests: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly faultsTotal: number;
  /** Requests the SDK marked as a retry (attempt > 1). */
  readonly retries: number;
  /** The highest attempt number seen, and the highest bound the clients declared. */
  readonly maxAttempt: number;
  readonly maxAttemptsDeclared: number;
  /** Requests that carried no attempt header (not sent by an SDK client with a retry strategy). */
  readonly unnumbered: number;
}

/**
 * Watches requests as they pass, for a test that kills a client at a chosen point (mid-stream, mid-upload,
 * between two writes). Called synchronously, so a kill lands before the client hears anything more.
 */
export interface ProxyObserver {
  /** A request's headers arrived. 'hold' keeps it from the server for good (its client waits, or dies). */
  request?(request: ProxiedRequest): 'hold' | undefined;
  /** A response body passed on so far, in bytes (called per chunk). */
  responseBytes?(request: ProxiedRequest, total: number): void;
  /** The server's whole answer (status and body) has been passed on to the client. */
  answered?(request: ProxiedRequest, status: number): void;
}

export interface FaultProxy {
  /** The endpoint clients use instead of the local S3's. */
  readonly endpoint: string;
  readonly requests: readonly ProxiedRequest[];
  stats(): FaultStats;
  /** Change the rates from now on (e.g. no faults while a test inspects the result). */
  setRates(rates: FaultRates): void;
  setObserver(observer: ProxyObserver | undefined): void;
  close(): Promise<void>;
}

export class FaultProxyError extends Error {
  public override readonly name = 'FaultProxyError';
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  checkRates(options.rates);
  const target = new URL(options.target);
  if (target.protocol !== 'http:') {
    throw new FaultProxyError(`target: received ${options.target}, expected an http:// endpoint (the local S3)`);
  }
  const latency = options.latencyMs ?? { min: 50, max: 400 };
  let rates = options.rates;
  let observer: ProxyObserver | undefined;
  const seen = new Map<string, number>();
  const requests: ProxiedRequest[] = [];
  const faults = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const upstream = new Agent({ keepAlive: true, maxSockets: 256 });

  const draw = (method: string, url: string): [number, number] => {
    const identity = `${method} ${url}`;
    const n = (seen.get(identity) ?? 0) + 1;
    seen.set(identity, n);
    const digest = createHash('sha256').update(`${options.seed}\n${identity}\n${n}`).digest();
    return [digest.readUInt32BE(0) / 2 ** 32, digest.readUInt32BE(4) / 2 ** 32];
  };
  const choose = (u: number): FaultKind | null => {
    let edge = 0;
    for (const kind of FAULT_KINDS) {
      edge += rates[kind];
      if (u < edge) return kind;
    }
    return null;
  };

  const server: Server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const [u, v] = draw(method, url);
    let fault = choose(u);
    const hasRequestBody = Number(req.headers['content-length'] ?? 0) > 1;
    // A request body can only be cut short if there is one; otherwise the draw is no fault.
    if (fault === 'truncatedRequest' && !hasRequestBody) fault = null;
    const { attempt, max } = attemptOf(req);
    const record: { -readonly [K in keyof ProxiedRequest]: ProxiedRequest[K] } = {
      method,
      url,
      invocationId: headerValue(req, 'amz-sdk-invocation-id'),
      attempt,
      maxAttempts: max,
      fault: null,
    };
    requests.push(record);
    const count = (kind: FaultKind) => {
      record.fault = kind;
      faults[kind]++;
    };
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    if (observer?.request?.(record) === 'hold') {
      req.resume();
      return;
    }

    if (fault === 'reset' && v < 0.5) {
      count('reset');
      req.socket.destroy();
      return;
    }
    if (fault === 'slowdown') {
      count('slowdown');
      req.resume();
      req.on('end', () => slowDown(res, url));
      return;
    }
    const forward = () => {
      const proxied = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method,
          path: url,
          headers: req.headers,
          agent: upstream,
        },
        (answer) => onAnswer(answer),
      );
      proxied.on('error', () => req.socket.destroy());
      if (fault === 'truncatedRequest') {
        count('truncatedRequest');
        sendPartOfBody(req, proxied, Math.floor(Number(req.headers['content-length']) / 2));
        return;
      }
      req.pipe(proxied);
    };
    const onAnswer = (answer: IncomingMessage) => {
      answer.on('error', () => req.socket.destroy());
      if (fault === 'reset') {
        // The server did the work; the client never hears of it.
        count('reset');
        record.resetAfterForward = true;
        answer.resume();
        req.socket.destroy();
        return;
      }
      const length = Number(answer.headers['content-length'] ?? 0);
      // A HEAD answer declares the length of a body it never sends: nothing to cut short.
      if (fault === 'truncated' && length > 1 && method !== 'HEAD') {
        count('truncated');
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        passFirst(
          answer,
          Math.floor(length / 2),
          (chunk) => res.write(chunk),
          () => {
            answer.destroy();
            // Let the bytes written leave before the socket dies, as a connection lost mid-body would.
            res.socket?.end(() => res.socket?.destroy());
          },
        );
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const watching = observer;
      if (watching?.responseBytes) {
        let total = 0;
        answer.on('data', (chunk: Buffer) => {
          total += chunk.length;
          watching.responseBytes?.(record, total);
        });
      }
      answer.on('end', () => watching?.answered?.(record, answer.statusCode ?? 502));
      answer.pipe(res);
    };
    if (fault === 'latency') {
      count('latency');
      setTimeout(forward, latency.min + Math.floor(v * (latency.max - latency.min + 1)));
    } else forward();
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setObserver: (next) => {
      observer = next;
    },
    setRates: (next) => {
      checkRates(next);
      rates = next;
    },
    stats: () => {
      let retries = 0;
      let maxAttempt = 0;
      let maxAttemptsDeclared = 0;
      let unnumbered = 0;
      for (const r of requests) {
        if (r.attempt === null) unnumbered++;
        else {
          if (r.attempt > 1) retries++;
          maxAttempt = Math.max(maxAttempt, r.attempt);
        }
        maxAttemptsDeclared = Math.max(maxAttemptsDeclared, r.maxAttempts ?? 0);
      }
      const faultsTotal = FAULT_KINDS.reduce((sum, k) => sum + faults[k], 0);
      return {
        requests: requests.length,
        faults: { ...faults },
        faultsTotal,
        retries,
        maxAttempt,
        maxAttemptsDeclared,
        unnumbered,
      };
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      upstream.destroy();
    },
  };
}

/** `reset 103, slowdown 98, latency 120, truncated 91, truncatedRequest 12` */
export function describeFaults(faults: Readonly<Record<FaultKind, number>>): string {
  return FAULT_KINDS.map((k) => `${k} ${faults[k]}`).join(', ');
}

function checkRates(rates: FaultRates): void {
  for (const kind of FAULT_KINDS) {
    const rate = rates[kind];
    if (!(rate >= 0 && rate <= 1)) {
      throw new FaultProxyError(`rates.${kind}: received ${String(rate)}, expected a probability from 0 to 1`);
    }
  }
  const sum = FAULT_KINDS.reduce((s, k) => s + rates[k], 0);
  if (sum > 1) throw new FaultProxyError(`rates: received probabilities summing to ${sum}, expected at most 1`);
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' ? value : null;
}

function attemptOf(req: IncomingMessage): { attempt: number | null; max: number | null } {
  const match = /attempt=(\d+);\s*max=(\d+)/.exec(headerValue(req, 'amz-sdk-request') ?? '');
  return match ? { attempt: Number(match[1]), max: Number(match[2]) } : { attempt: null, max: null };
}

/** 503 SlowDown as S3 sends it (the SDK's standard retry strategy treats it as throttling). */
function slowDown(res: ServerResponse, url: string): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><Resource>${escapeXml(url)}</Resource>` +
    `<RequestId>fault-proxy</RequestId></Error>`;
  res.writeHead(503, {
    'Content-Type': 'application/xml',
    'Content-Length': Buffer.byteLength(body),
    'x-amz-request-id': 'fault-proxy',
  });
  res.end(body);
}

/** Forward the first `bytes` of the request body, then kill both connections: the server sees a short body. */
function sendPartOfBody(req: IncomingMessage, proxied: ReturnType<typeof httpRequest>, bytes: number): void {
  passFirst(
    req,
    bytes,
    (chunk) => proxied.write(chunk),
    () => {
      proxied.destroy();
      req.socket.destroy();
    },
  );
}

/** Pass on the first `bytes` of a stream, then call `cut` (once). */
function passFirst(stream: IncomingMessage, bytes: number, write: (chunk: Buffer) => void, cut: () => void): void {
  let passed = 0;
  stream.on('data', (chunk: Buffer) => {
    if (passed >= bytes) return;
    const take = chunk.subarray(0, bytes - passed);
    passed += take.length;
    write(take);
    if (passed >= bytes) cut();
  });
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
