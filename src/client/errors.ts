import { type CodeEntry, type Guidance, getCode, guidanceFor, nameIn, type Profile } from '../catalog/index.ts';

/** What the client knows about the request that failed. */
export interface RequestInfo {
  readonly method: string;
  readonly url: string;
  /** Attempts made for this hop, the failed one included. */
  readonly attempts: number;
}

/** The base of the client's errors: names the request so every message says what failed. */
export class ClientError extends Error {
  readonly method: string;
  readonly url: string;
  readonly attempts: number;

  constructor(message: string, info: RequestInfo, options?: ErrorOptions) {
    super(message, options);
    this.method = info.method;
    this.url = info.url;
    this.attempts = info.attempts;
  }
}

/** The server's own account of the error, from either body shape the contract's services use. */
export interface ServerError {
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Reads `{error_code, error_msg, request_id}` (CONTRACT.md §3), `{errorCode, message}`
 * and RFC 9457 problem details (`detail`); falls back to X-Request-Id for the id.
 */
export function parseServerError(body: unknown, headers: Headers): ServerError {
  const o = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  return {
    errorCode: str(o.error_code) ?? str(o.errorCode),
    errorMsg: str(o.error_msg) ?? str(o.message) ?? str(o.detail),
    requestId: str(o.request_id) ?? str(o.requestId) ?? headers.get('x-request-id') ?? undefined,
  };
}

export interface HttpErrorDetails extends RequestInfo {
  readonly response: Response;
  /** The body, parsed as JSON when it is JSON, else its text; read up to a limit. */
  readonly body: unknown;
  readonly profile: Profile;
  /** Why the client stopped here (not retried, gave up, wait too long …). */
  readonly reason: string;
  /** What Retry-After asked for, in ms, when the answer carried one the client could read. */
  readonly retryAfter: number | undefined;
}

/** An answer the client did not turn into a success: carries the catalog's entry and guidance. */
export class HttpError extends ClientError {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly response: Response;
  /** The catalog entry; undefined for a status outside the contract. */
  readonly entry: CodeEntry | undefined;
  readonly guidance: Guidance;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly body: unknown;
  readonly retryAfter: number | undefined;

  constructor(details: HttpErrorDetails) {
    const { response } = details;
    const status = response.status;
    const entry = getCode(status);
    const server = parseServerError(details.body, response.headers);
    const name = entry ? nameIn(entry, details.profile) : response.statusText || 'outside the contract';
    const said = server.errorMsg ? `: ${server.errorMsg.replace(/[.!?]\s*$/, '')}` : '';
    const code = server.errorCode ? ` [${server.errorCode}]` : '';
    const todo = entry ? entry.action : 'The status is not in the contract; treat it as its class says.';
    const id = server.requestId ? ` (request id ${server.requestId})` : '';
    super(
      `${details.method} ${details.url} answered ${status} ${name}${code}${said}. ${details.reason} ${todo}${id}`,
      details,
    );
    this.status = status;
    this.response = response;
    this.entry = entry;
    this.guidance = guidanceFor(status, details.retryAfter !== undefined);
    this.errorCode = server.errorCode;
    this.errorMsg = server.errorMsg;
    this.requestId = server.requestId;
    this.body = details.body;
    this.retryAfter = details.retryAfter;
  }
}

/** No answer arrived: refused, reset, DNS failure, a malformed response. */
export class NetworkError extends ClientError {
  override readonly name = 'NetworkError';
  /** The system error code when there is one (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET …). */
  readonly code: string | undefined;

  constructor(info: RequestInfo, cause: unknown, reason: string) {
    const c = cause as { message?: string; code?: string; cause?: { code?: string } } | undefined;
    const code = c?.code ?? c?.cause?.code;
    super(
      `${info.method} ${info.url} got no answer: ${c?.message ?? String(cause)}${code ? ` (${code})` : ''}. ${reason}`,
      info,
      { cause },
    );
    this.code = code;
  }
}

/** A deadline passed: the attempt's or the whole call's. */
export class TimeoutError extends ClientError {
  override readonly name = 'TimeoutError';
  readonly timeout: number;
  readonly scope: 'attempt' | 'total';

  constructor(info: RequestInfo, timeout: number, scope: 'attempt' | 'total', reason: string) {
    const what = scope === 'total' ? 'the call’s deadline' : 'the attempt’s deadline';
    super(`${info.method} ${info.url} timed out: ${what} of ${timeout} ms passed. ${reason}`, info);
    this.timeout = timeout;
    this.scope = scope;
  }
}

/** Reads an error answer's body up to `limit` bytes so the connection is freed and the body can be shown. */
export async function readErrorBody(response: Response, limit = 64 * 1024): Promise<unknown> {
  if (!response.body) return undefined;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // The body broke off; what arrived is still worth showing.
  }
  const text = Buffer.concat(chunks).subarray(0, limit).toString('utf8');
  if (/[/+]json\b/.test(response.headers.get('content-type') ?? '')) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  return text;
}
