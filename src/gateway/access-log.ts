import pino, { type DestinationStream, type Logger } from 'pino';
import type { RequestContext } from '../server/types.ts';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/** Longest a log line waits in the buffer before it is written. */
const FLUSH_INTERVAL = 100; // 100 ms

/**
 * The gateway's logger: JSON lines, one per request at `info` and one per
 * event (start, upstream failure, breaker change, drain) at its level. By
 * default it writes to stdout through pino's asynchronous destination,
 * which collects lines and writes them 4 KiB at a time (one write(2) per
 * some twenty requests, not one per request), and at least every 100 ms
 * so a quiet gateway's lines do not wait. `flush()` before exiting; a crash
 * loses at most the last 4 KiB.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  let dest = destination;
  if (!dest) {
    const boom = pino.destination({ dest: 1, sync: false, minLength: 4096 });
    setInterval(() => boom.flush(), FLUSH_INTERVAL).unref();
    dest = boom;
  }
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
