import type { IncomingMessage } from 'node:http';
import { StatusError } from '../../errors.ts';
import { IDEMPOTENT_METHODS } from '../../methods.ts';
import type { RouteConfig } from '../config/route.ts';
import type { Upstream } from '../upstream/targets.ts';

/** How an exchange with the upstream failed; a label of the upstream-failure metric. */
export type FailureKind =
  | 'refused'
  | 'unreachable'
  | 'connect-timeout'
  | 'reset'
  | 'malformed'
  | 'timeout'
  | 'idle'
  | 'status'
  | 'error';

/** How a client made an exchange fail; a label of the client-failure metric (never counted by a breaker). */
export type ClientFailureKind = 'body-timeout' | 'body-aborted' | 'body-too-large';

export interface Failure {
  kind: FailureKind;
  /** The connection was never made: no byte of the request reached the upstream. */
  beforeSending: boolean;
  /** The answer the client gets when the response has not started. */
  error: StatusError;
}

/**
 * Whether a failed request may go once more to another target: only when nothing of it reached
 * the first one, its method is idempotent, it has no body to send again, the route allows
 * retries and has another target. A non-idempotent request is never sent twice.
 */
export function mayRetryElsewhere(
  failure: Failure,
  route: RouteConfig,
  upstream: Upstream,
  req: IncomingMessage,
): boolean {
  return (
    failure.beforeSending &&
    route.retry &&
    IDEMPOTENT_METHODS.has(req.method ?? '') &&
    req.headers['content-length'] === undefined &&
    req.headers['transfer-encoding'] === undefined &&
    upstream.targets.length > 1
  );
}

/** Errors raised while connecting: no connection, so nothing was sent. */
const CONNECT_ERRORS: Record<string, FailureKind> = {
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connect-timeout',
};

/**
 * Classifies an undici failure of a request on `route` (its path, for the
 * message: never the target's address, which is the log's). RFC 9110 §15.6.3: 502 when the gateway got
 * no valid answer — refused, reset, closed early, or bytes that are not
 * HTTP. RFC 9110 §15.6.5: 504 when the upstream did not answer in time.
 */
export function failureOf(err: Error, route: string, method: string, timeout: number): Failure {
  const code = (err as { code?: string }).code ?? '';
  // The client learns the route and the kind of failure; the target's address goes to the log only.
  const who = `The upstream of ${route}`;
  const connectKind = CONNECT_ERRORS[code];
  if (connectKind) {
    const what =
      connectKind === 'refused'
        ? 'refused the connection'
        : connectKind === 'connect-timeout'
          ? 'did not accept a connection in time'
          : 'cannot be reached';
    return {
      kind: connectKind,
      beforeSending: true,
      error: new StatusError(502, `${who} ${what}.`, { subcode: 'UPSTREAM_CONNECT' }),
    };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') {
    return {
      kind: 'timeout',
      beforeSending: false,
      error: new StatusError(504, `${who} did not answer ${method} within ${timeout} ms.`),
    };
  }
  if (code === 'UND_ERR_BODY_TIMEOUT') {
    return { kind: 'idle', beforeSending: false, error: new StatusError(504, `${who} stopped sending its answer.`) };
  }
  if (
    err.name === 'HTTPParserError' ||
    code.startsWith('HPE_') ||
    code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH' ||
    err.message === 'bad response' ||
    err.message === 'bad upgrade'
  ) {
    return {
      kind: 'malformed',
      beforeSending: false,
      error: new StatusError(502, `${who} answered something that is not valid HTTP.`, {
        subcode: 'UPSTREAM_MALFORMED',
      }),
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED') {
    return {
      kind: 'reset',
      beforeSending: false,
      error: new StatusError(502, `${who} closed the connection before answering.`, { subcode: 'UPSTREAM_RESET' }),
    };
  }
  return {
    kind: 'error',
    beforeSending: false,
    error: new StatusError(502, `${who} gave no valid answer (${code || err.name}).`),
  };
}

/**
 * 503 when no target can take requests (RFC 9110 §15.6.4): every breaker
 * open or every target failing its health checks, with the seconds until
 * one may take requests again (§10.2.3).
 */
export function noTargetError(route: RouteConfig, upstream: Upstream): StatusError {
  const seconds = upstream.retryAfter();
  const reason = upstream.downReason;
  return new StatusError(
    503,
    `No upstream of ${route.path} can take requests now (${reason}); retry in ${seconds} s.`,
    {
      headers: { 'retry-after': seconds },
      subcode: reason === 'circuit breaker open' ? 'BREAKER_OPEN' : 'NO_HEALTHY_TARGET',
    },
  );
}
