import pino, { type DestinationStream, type Logger } from 'pino';
import type { RequestContext } from '../server/types.ts';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/**
 * The gateway's logger: JSON lines, one per request at `info` and one per
 * event (start, upstream failure, breaker change, drain) at its level. By
 * default it writes to stdout through pino's asynchronous destination: a line
 * is written as soon as the previous write finished, and lines produced
 * meanwhile go out together in the next write — batching under load, no
 * delay when idle; `flush()` before the process exits.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const dest = destination ?? pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Epoch ms: the cheapest timestamp, and unambiguous.
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    dest,
  );
}

/** The access-log line of one answered request. */
export interface AccessEntry {
  request_id: string;
  method: string;
  path: string;
  status: number;
  /** Milliseconds from arrival to the end of the answer, to 0.01 ms. */
  duration_ms: number;
  /** The target that answered (or failed), when the request was forwarded. */
  upstream: string | undefined;
  /** The rate limiter's decision, when a limit applies: allowed, limited, shed, unavailable. */
  limit: string | undefined;
}

/** Builds a function that writes one access-log line; a disabled level costs one comparison. */
export function accessLogger(
  log: Logger,
): (ctx: RequestContext, status: number, ms: number, limit: string | undefined) => void {
  if (!log.isLevelEnabled('info')) return () => {};
  return function access(ctx, status, ms, limit): void {
    const entry: AccessEntry = {
      request_id: ctx.requestId,
      method: ctx.method,
      path: ctx.path,
      status,
      duration_ms: Math.round(ms * 100) / 100,
      upstream: ctx.state.upstream as string | undefined,
      limit,
    };
    log.info(entry, 'request');
  };
}
