import pino, { type DestinationStream, type Logger } from 'pino';
import { faultOf } from '../../server/state.ts';
import type { RequestContext } from '../../server/types.ts';
import type { LogLevel } from '../config/index.ts';
import { clientAddressOf } from '../proxy/client-address.ts';
import { upstreamMs, upstreamOf } from '../proxy/state.ts';
import { stdoutSink } from './log-sink.ts';

export type { Logger } from 'pino';

/**
 * The gateway's logger: JSON lines on stdout through the process's stdout
 * sink (./log-sink.ts: a write(2) happens when the previous one finished;
 * lines produced meanwhile go out together). Events — start, upstream
 * failure, breaker change, drain — are written through it as they happen;
 * access lines go through `createAccessLog`, which batches them.
 */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      // Epoch ms: the cheapest timestamp, and unambiguous.
      timestamp: pino.stdTimeFunctions.epochTime,
      // Level names ("info"), not pino's numbers (30): what log pipelines and people read.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? stdoutSink(),
  );
}

/** The access-log line of one answered request. */
export interface AccessEntry {
  request_id: string;
  /** The client address (through trusted proxies only: ./client-address.ts). */
  client: string;
  method: string;
  /** The canonical path, without the query (the path as sent when the target was refused). */
  path: string;
  /** The gateway route (its prefix), when one matched. */
  route?: string;
  status: number;
  /** Bytes of the request (head and body) and of the answer (head and body) on the connection. */
  bytes_in: number;
  bytes_out: number;
  /** Milliseconds from arrival to the end of the answer, to 0.01 ms. */
  duration_ms: number;
  /** The target that answered (or failed), when the request was forwarded. */
  upstream: string | undefined;
  /** Milliseconds from sending the request upstream to the upstream's status line. */
  upstream_ms?: number;
  user_agent?: string;
  /** The rate limiter's decision, when a limit applies: allowed, limited, shed, unavailable. */
  limit: string | undefined;
  /** Which side made a forwarded exchange fail, when one did: `client` or `upstream`. */
  fault?: 'client' | 'upstream';
  /** The answer never finished: the client left, or it was cut; `status` is then what was sent, 0 for nothing. */
  aborted?: true;
}

/** Text that goes into a JSON string as it is: printable ASCII, no quote mark, no backslash. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const END = `,"msg":"request"}\n`;
const ABORTED_END = `,"aborted":true,"msg":"request"}\n`;

/** A User-Agent longer than this is cut in the log line. */
const MAX_AGENT = 256;

/** Where a connection remembers how many bytes it had read and written when its last request was logged. */
const LOGGED = Symbol('statuskit.loggedBytes');
type Counted = { bytesRead: number; bytesWritten: number; [LOGGED]?: { read: number; written: number } };

/**
 * The bytes of this request and its answer: what the connection read and
 * wrote since the previous request on it was logged (head and body both, as
 * nginx's $request_length and $bytes_sent). Two reads of counters node keeps anyway.
 */
function bytesOf(socket: unknown): { in: number; out: number } {
  const s = socket as Counted | null;
  if (!s || typeof s.bytesRead !== 'number') return { in: 0, out: 0 };
  const last = s[LOGGED];
  const read = s.bytesRead;
  const written = s.bytesWritten;
  const io = { in: read - (last?.read ?? 0), out: written - (last?.written ?? 0) };
  if (last) {
    last.read = read;
    last.written = written;
  } else s[LOGGED] = { read, written };
  return io;
}

/** Entries kept as values before their lines are made and written, together. */
const BATCH_ENTRIES = 128;
/** Bytes of lines that go to the destination in one write at most (a batch of long lines writes more often). */
const BATCH_BYTES = 32 * 1024; // 32 KiB
/** Longest an access line waits in the batch. */
const FLUSH_INTERVAL = 100; // 100 ms

export interface AccessLog {
  /** Logs one answered request (a no-op when `info` is off); `route` is the matched gateway route's prefix. */
  write(ctx: RequestContext, status: number, ms: number, limit: string | undefined, route?: string): void;
  /**
   * Logs a request whose answer never finished (the client left, or the answer was cut):
   * `"aborted":true`, with the status already sent, or 0 when none was.
   */
  aborted(ctx: RequestContext, sent: number | undefined, ms: number, limit: string | undefined, route?: string): void;
  /** Hands the collected lines to the destination now. */
  flush(): void;
  /** Flushes and stops the timer. */
  close(): void;
}

/**
 * Milliseconds to two decimals, as `String(Math.round(ms * 100) / 100)`
 * writes them, in integer arithmetic: no double-to-string per line.
 */
export function hundredths(ms: number): string {
  const c = Math.round(ms * 100);
  const f = c % 100;
  const whole = (c - f) / 100;
  if (f === 0) return `${whole}`;
  if (f < 10) return `${whole}.0${f}`;
  return f % 10 === 0 ? `${whole}.${f / 10}` : `${whole}.${f}`;
}

/** A destination that also takes whole batches already encoded (see ./log-sink.ts). */
interface ByteDestination extends DestinationStream {
  /** True when done with `bytes` (written at once): the buffer may be filled again. */
  writeBytes(bytes: Buffer): boolean;
}

const takesBytes = (d: DestinationStream): d is ByteDestination =>
  typeof (d as Partial<ByteDestination>).writeBytes === 'function';

/** The values of the entries of one batch, column by column, until their lines are made. */
class Entries {
  count = 0;
  readonly time = new Float64Array(BATCH_ENTRIES);
  readonly duration = new Float64Array(BATCH_ENTRIES);
  readonly status = new Uint16Array(BATCH_ENTRIES);
  readonly aborted = new Uint8Array(BATCH_ENTRIES);
  readonly id: string[] = new Array<string>(BATCH_ENTRIES).fill('');
  readonly method: string[] = new Array<string>(BATCH_ENTRIES).fill('');
  readonly path: string[] = new Array<string>(BATCH_ENTRIES).fill('');
  readonly client: string[] = new Array<string>(BATCH_ENTRIES).fill('');
  readonly route: (string | undefined)[] = new Array<string | undefined>(BATCH_ENTRIES).fill(undefined);
  readonly agent: (string | undefined)[] = new Array<string | undefined>(BATCH_ENTRIES).fill(undefined);
  readonly bytesIn = new Float64Array(BATCH_ENTRIES);
  readonly bytesOut = new Float64Array(BATCH_ENTRIES);
  readonly upstreamMs = new Float64Array(BATCH_ENTRIES);
  readonly upstream: (string | undefined)[] = new Array<string | undefined>(BATCH_ENTRIES).fill(undefined);
  readonly limit: (string | undefined)[] = new Array<string | undefined>(BATCH_ENTRIES).fill(undefined);
  readonly fault: (string | undefined)[] = new Array<string | undefined>(BATCH_ENTRIES).fill(undefined);
}

/**
 * The access log. Each line has the shape pino gives every line (level,
 * time, pid, msg) and goes to the logger's own destination, but is put
 * together here: a fixed set of fields needs no generic serialiser. A
 * request leaves only its values behind (a few stores into columns); the
 * lines of a batch are made, encoded and written together, every 128
 * entries or 100 ms. A crash loses at most the last 100 ms of access lines.
 *
 * Why the lines are made at the batch and not per request: made amid the
 * request's own work, a line's ten pieces, its flattening and its encoding
 * ran on cold caches — measured at 2.3–3 µs per request in place, where the
 * same code in a tight loop takes 0.4 µs. A batch makes its lines in such a
 * loop, right before writing them.
 */
export function createAccessLog(log: Logger): AccessLog {
  if (!log.isLevelEnabled('info')) return { write() {}, aborted() {}, flush() {}, close() {} };
  const stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym] as DestinationStream;
  const head = `{"level":"info","time":`;
  const pid = `,"pid":${process.pid},"request_id":"`;
  // The start of a line up to the request id changes once a millisecond; lines of the same one share it.
  let lastMs = -1;
  let start = '';
  // The last upstream label and its JSON: one target per route is the usual case, so it is escaped once.
  let upstreamLabel = '';
  let upstreamField = '';

  const line = (e: Entries, i: number): string => {
    const now = e.time[i] as number;
    if (now !== lastMs) {
      lastMs = now;
      start = `${head}${now}${pid}`;
    }
    // The request id is a plain token and the method a token (RFC 9110 §9.1): neither needs escaping;
    // a path rarely does, and is then written as JSON.stringify writes it.
    const p = e.path[i] as string;
    const path = PLAIN.test(p) ? `"${p}"` : JSON.stringify(p);
    // An address (./client-address.ts) is digits, hex, "." and ":" or the word unknown: no escaping.
    const route = e.route[i];
    let text = `${start}${e.id[i]}","client":"${e.client[i]}","method":"${e.method[i]}","path":${path}${route === undefined ? '' : `,"route":${PLAIN.test(route) ? `"${route}"` : JSON.stringify(route)}`},"status":${e.status[i]},"bytes_in":${e.bytesIn[i]},"bytes_out":${e.bytesOut[i]},"duration_ms":${hundredths(e.duration[i] as number)}`;
    const upstream = e.upstream[i];
    if (upstream !== undefined) {
      if (upstream !== upstreamLabel) {
        upstreamLabel = upstream;
        upstreamField = `,"upstream":${JSON.stringify(upstream)}`;
      }
      text += upstreamField;
      const ums = e.upstreamMs[i] as number;
      if (ums >= 0) text += `,"upstream_ms":${hundredths(ums)}`;
    }
    const agent = e.agent[i];
    if (agent !== undefined) text += `,"user_agent":${PLAIN.test(agent) ? `"${agent}"` : JSON.stringify(agent)}`;
    const limit = e.limit[i];
    const fault = e.fault[i];
    if (fault !== undefined) text += `,"fault":"${fault}"`;
    const end = e.aborted[i] === 1 ? ABORTED_END : END;
    return text + (limit === undefined ? end : `,"limit":"${limit}"${end}`);
  };

  const batches = takesBytes(stream) ? byteBatches(stream) : textBatches(stream);
  const entries = new Entries();
  const flush = (): void => {
    const n = entries.count;
    if (n === 0) return;
    entries.count = 0;
    for (let i = 0; i < n; i++) batches.add(line(entries, i));
    batches.flush();
  };
  const add = (
    ctx: RequestContext,
    status: number,
    ms: number,
    limit: string | undefined,
    aborted: number,
    route: string | undefined,
  ): void => {
    const e = entries;
    const i = e.count;
    e.time[i] = Date.now();
    e.duration[i] = ms;
    e.status[i] = status;
    e.aborted[i] = aborted;
    e.id[i] = ctx.requestId;
    e.method[i] = ctx.method;
    e.path[i] = ctx.path;
    e.client[i] = clientAddressOf(ctx.req);
    e.route[i] = route;
    const ua = ctx.req.headers['user-agent'];
    e.agent[i] = ua === undefined ? undefined : ua.length > MAX_AGENT ? ua.slice(0, MAX_AGENT) : ua;
    const io = bytesOf(ctx.req.socket);
    e.bytesIn[i] = io.in;
    e.bytesOut[i] = io.out;
    // Only a routed request has been near an upstream: an unrouted one's state says nothing of it.
    const routed = ctx.route !== undefined;
    e.upstreamMs[i] = routed ? upstreamMs(ctx) : -1;
    e.upstream[i] = routed ? upstreamOf(ctx) : undefined;
    // The front's 504 goes out before the exchange hears of it: a forwarded request's 504 is the upstream's silence.
    e.fault[i] = (routed ? faultOf(ctx) : undefined) ?? (status === 504 && e.upstream[i] ? 'upstream' : undefined);
    e.limit[i] = limit;
    e.count = i + 1;
    if (i + 1 === BATCH_ENTRIES) flush();
  };
  const timer = setInterval(flush, FLUSH_INTERVAL);
  timer.unref();
  return {
    write(ctx, status, ms, limit, route): void {
      add(ctx, status, ms, limit, 0, route);
    },
    aborted(ctx, sent, ms, limit, route): void {
      add(ctx, sent ?? 0, ms, limit, 1, route);
    },
    flush,
    close(): void {
      clearInterval(timer);
      flush();
    },
  };
}

interface Batches {
  add(line: string): void;
  flush(): void;
}

/** Lines encoded into a buffer as they come; a full buffer goes to the destination as it is. */
function byteBatches(stream: ByteDestination): Batches {
  // Room for a batch and the line that completes it; a longer line (a huge escaped path) goes alone.
  const size = 2 * BATCH_BYTES;
  let buffer = Buffer.allocUnsafe(size);
  let used = 0;
  const flush = (): void => {
    if (used === 0) return;
    const full = buffer.subarray(0, used);
    used = 0;
    // Written at once (stdout that cannot block), the buffer takes the next lines; kept by the
    // destination until written, they need one of their own. A fresh 32 KiB buffer per batch
    // measured ≈ 1 µs per line in place (memory outside V8's heap, cold when first written).
    if (!stream.writeBytes(full)) buffer = Buffer.allocUnsafe(size);
  };
  return {
    add(line: string): void {
      // At most 3 bytes of UTF-8 per UTF-16 unit.
      if (used + 3 * line.length > size) {
        flush();
        if (3 * line.length > size) {
          stream.writeBytes(Buffer.from(line));
          return;
        }
      }
      used += buffer.write(line, used);
      if (used >= BATCH_BYTES) flush();
    },
    flush,
  };
}

/** Lines joined into text for a destination that takes text only (a test's, a custom one). */
function textBatches(stream: DestinationStream): Batches {
  let pending = '';
  const flush = (): void => {
    if (pending === '') return;
    const out = pending;
    pending = '';
    stream.write(out);
  };
  return {
    add(line: string): void {
      pending += line;
      if (pending.length >= BATCH_BYTES) flush();
    },
    flush,
  };
}
