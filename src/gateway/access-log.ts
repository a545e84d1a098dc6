import pino, { type DestinationStream, type Logger } from 'pino';
import type { RequestContext } from '../server/types.ts';
import type { LogLevel } from './config.ts';

export type { Logger } from 'pino';

/**
 * The gateway's logger: JSON lines on stdout through pino's asynchronous
 * destination (a write(2) happens when the previous one finished; lines
 * produced meanwhile go out together). Events — start, upstream failure,
 * breaker change, drain — are written through it as they happen; access
 * lines go through `createAccessLog`, which batches them. `flush()` before
 * exiting.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Epoch ms: the cheapest timestamp, and unambiguous.
      timestamp: pino.stdTimeFunctions.epochTime,
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
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

/** Text that goes into a JSON string as it is: printable ASCII, no quote mark, no backslash. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const END = `,"msg":"request"}\n`;

/** Access lines collected before they are handed to the destination in one write. */
const BATCH_BYTES = 16 * 1024; // 16 KiB
/** Longest an access line waits in the batch. */
const FLUSH_INTERVAL = 100; // 100 ms

export interface AccessLog {
  /** Logs one answered request (a no-op when `info` is off). */
  write(ctx: RequestContext, status: number, ms: number, limit: string | undefined): void;
  /** Hands the collected lines to the destination now. */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): void;
}

/**
 * The access log. Each line has the shape pino gives every line (level,
 * time, pid, msg) and goes to the logger's own destination, but is put
 * together here and collected into batches: a fixed set of fields needs no
 * generic serialiser, and one destination write per 16 KiB (or per 100 ms)
 * instead of one per request keeps the cost per request well under a
 * microsecond. A crash loses at most the last 100 ms of access lines.
 */
export function createAccessLog(log: Logger): AccessLog {
  if (!log.isLevelEnabled('info')) return { write() {}, flush() {}, close() {} };
  const stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
  const head = `{"level":30,"time":`;
  const pid = `,"pid":${process.pid},"request_id":"`;
  let pending = '';
  // The last upstream label and its JSON: one target per route is the usual case, so it is escaped once.
  let upstreamLabel = '';
  let upstreamField = '';
  const flush = (): void => {
    if (pending === '') return;
    const out = pending;
    pending = '';
    stream.write(out);
  };
  const timer = setInterval(flush, FLUSH_INTERVAL);
  timer.unref();
  return {
    write(ctx, status, ms, limit): void {
      const upstream = ctx.route ? (ctx.state.upstream as string | undefined) : undefined;
      // The request id is a plain token and the method a token (RFC 9110 §9.1): neither needs escaping;
      // a path rarely does, and is then written as JSON.stringify writes it.
      const path = PLAIN.test(ctx.path) ? `"${ctx.path}"` : JSON.stringify(ctx.path);
      pending += `${head}${Date.now()}${pid}${ctx.requestId}","method":"${ctx.method}","path":${path},"status":${status},"duration_ms":${Math.round(ms * 100) / 100}`;
      if (upstream !== undefined) {
        if (upstream !== upstreamLabel) {
          upstreamLabel = upstream;
          upstreamField = `,"upstream":${JSON.stringify(upstream)}`;
        }
        pending += upstreamField;
      }
      pending += limit === undefined ? END : `,"limit":"${limit}"${END}`;
      if (pending.length >= BATCH_BYTES) flush();
    },
    flush,
    close(): void {
      clearInterval(timer);
      flush();
    },
  };
}
