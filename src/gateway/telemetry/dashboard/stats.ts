import { subcodeSent } from '../../../server/state.ts';
import type { RequestContext } from '../../../server/types.ts';
import { clientAddressOf } from '../../proxy/client-address.ts';
import { upstreamOf } from '../../proxy/state.ts';

/**
 * What the dashboard counts in one process, second by second: per route the
 * answers by code, the 429/503 causes, which side failed, a latency
 * histogram; and the latest error answers. Fed from the gateway's
 * onResponse hook (the same one /metrics counts in); memory is bounded by
 * the ring of seconds (15 min) and a cap on error entries per second.
 */

/** Seconds of history kept (the page's time line). */
export const WINDOW = 900; // 15 min
/** Seconds the latency percentiles cover. */
export const LATENCY_WINDOW = 60; // 1 min
/** Characters of User-Agent kept (the access log keeps as many). */
const MAX_AGENT = 256;
/** Error answers kept per second (the page shows the latest of them). */
const ERRORS_PER_SECOND = 20;

/** Latency buckets: upper bounds in ms, 0.1 ms × 1.25^i up to about 60 s; one more for longer. */
const FACTOR = 1.25;
const BASE = 0.1; // 0.1 ms
export const BUCKETS = 60;
const LOG_FACTOR = Math.log(FACTOR);
export const bucketBound = (i: number): number => BASE * FACTOR ** i;

function bucketOf(ms: number): number {
  if (!(ms > BASE)) return 0;
  const i = Math.ceil(Math.log(ms / BASE) / LOG_FACTOR);
  return Math.min(i, BUCKETS);
}

/** Which side an answer's failure belongs to. */
export type Side = 'client' | 'gateway' | 'upstream';

/** One error answer, with the fields its access-log line carries (and the error body's error_code). */
export interface ErrorEntry {
  /** Epoch ms. */
  time: number;
  route: string;
  request_id: string;
  /** The client address, as the access line has it (through trusted proxies only). */
  client: string;
  method: string;
  path: string;
  status: number;
  error_code: string | undefined;
  duration_ms: number;
  upstream: string | undefined;
  limit: string | undefined;
  user_agent: string | undefined;
  cause: string | undefined;
  side: Side;
}

/** One route's answers during one second. */
export interface RouteSecond {
  codes: Record<string, number>;
  /** `429 rate limit`, `503 breaker` … */
  causes: Record<string, number>;
  sides: Record<Side, number>;
  /** Latency histogram as [bucket, count, bucket, count …] (only the last minute's seconds carry it). */
  hist?: number[];
}

export interface SecondData {
  /** Epoch second. */
  t: number;
  routes: Record<string, RouteSecond>;
  errors: ErrorEntry[];
}

export interface TargetState {
  route: string;
  target: string;
  healthy: boolean;
  state: string;
}

/** What one process hands the dashboard view (over IPC from a worker). */
export interface ProcessData {
  pid: number;
  seconds: SecondData[];
  targets: TargetState[];
  draining: boolean;
  inFlight: number;
}

class RouteSlot {
  readonly codes = new Map<number, number>();
  readonly causes = new Map<string, number>();
  readonly sides = { client: 0, gateway: 0, upstream: 0 };
  hist: Uint32Array | undefined = new Uint32Array(BUCKETS + 1);
}

class Slot {
  t = -1;
  readonly routes = new Map<string, RouteSlot>();
  readonly errors: ErrorEntry[] = [];

  reset(t: number): void {
    this.t = t;
    this.routes.clear();
    this.errors.length = 0;
  }
}

/** What the error body's sub-code, or the limiter's decision, says caused a 429 or a 503. */
const CAUSES: Record<string, string> = {
  RATE_LIMIT: 'rate limit',
  OVERLOAD: 'shedding',
  DRAINING: 'draining',
  BREAKER_OPEN: 'breaker',
  NO_HEALTHY_TARGET: 'health checks',
  RATE_STORE: 'store',
  REPLAY_STORE: 'store',
  BUSY: 'body budget',
  UPSTREAM: 'upstream',
};
const LIMIT_CAUSES: Record<string, string> = { limited: 'rate limit', shed: 'shedding', unavailable: 'store' };

export function causeOf(
  status: number,
  subcode: string | undefined,
  limit: string | undefined,
  upstream: string | undefined,
): string | undefined {
  if (status !== 429 && status !== 503) return undefined;
  if (subcode === undefined && upstream !== undefined) return 'upstream';
  if (subcode && CAUSES[subcode]) return CAUSES[subcode];
  if (limit && LIMIT_CAUSES[limit] && limit !== 'allowed') return LIMIT_CAUSES[limit];
  return status === 503 ? 'unavailable' : 'rate limit';
}

/**
 * Who failed: a 4xx is the client's (but a shed 429 is the gateway's own
 * load); a 5xx is the upstream's when the upstream answered it, failed the
 * exchange or has no target able to take it, else the gateway's.
 */
export function sideOf(status: number, subcode: string | undefined, upstream: string | undefined): Side {
  if (status < 500) return subcode === 'OVERLOAD' ? 'gateway' : 'client';
  // No error body of the gateway's own: the upstream's answer, passed through.
  if (subcode === undefined && upstream !== undefined) return 'upstream';
  if (subcode?.startsWith('UPSTREAM') || subcode === 'BREAKER_OPEN' || subcode === 'NO_HEALTHY_TARGET')
    return 'upstream';
  // RFC 9110 §15.6.5: a 504 on a forwarded request is the upstream's silence.
  if (status === 504 && upstream !== undefined) return 'upstream';
  return 'gateway';
}

export interface DashboardStatsOptions {
  /** `error_code` of the gateway's own error answer (sub-code '' for none) under the active profile. */
  errorCode: (status: number, subcode: string | undefined) => string | undefined;
  /** Epoch clock in ms. @default Date.now */
  clock?: () => number;
}

export class DashboardStats {
  readonly #ring: Slot[] = Array.from({ length: WINDOW }, () => new Slot());
  readonly #errorCode: DashboardStatsOptions['errorCode'];
  readonly #clock: () => number;
  #current: Slot;

  constructor(options: DashboardStatsOptions) {
    this.#errorCode = options.errorCode;
    this.#clock = options.clock ?? Date.now;
    this.#current = this.#ring[0] as Slot;
  }

  #slot(now: number): Slot {
    const t = Math.floor(now / 1000);
    const cur = this.#current;
    if (cur.t === t) return cur;
    const slot = this.#ring[t % WINDOW] as Slot;
    if (slot.t !== t) slot.reset(t);
    // The seconds that left the latency window (however long the gap) keep their counts, not their histograms.
    const last = t - LATENCY_WINDOW - 1;
    for (let x = Math.max(cur.t - LATENCY_WINDOW - 1, t - WINDOW + 1); x <= last; x++) {
      const old = this.#ring[x % WINDOW] as Slot;
      if (old.t === x) for (const r of old.routes.values()) r.hist = undefined;
    }
    this.#current = slot;
    return slot;
  }

  /** One answer of a route (`label` as /metrics names it), from onResponse. */
  record(label: string, ctx: RequestContext, status: number, ms: number, limit: string | undefined): void {
    const now = this.#clock();
    const slot = this.#slot(now);
    let r = slot.routes.get(label);
    if (!r) {
      r = new RouteSlot();
      slot.routes.set(label, r);
    }
    r.codes.set(status, (r.codes.get(status) ?? 0) + 1);
    const hist = r.hist;
    if (hist) hist[bucketOf(ms)] = (hist[bucketOf(ms)] as number) + 1;
    if (status < 400) return;
    this.#error(slot, r, label, ctx, status, ms, limit, now);
  }

  #error(
    slot: Slot,
    r: RouteSlot,
    label: string,
    ctx: RequestContext,
    status: number,
    ms: number,
    limit: string | undefined,
    now: number,
  ): void {
    const subcode = subcodeSent(ctx);
    const upstream = ctx.route ? upstreamOf(ctx) : undefined;
    const side = sideOf(status, subcode, upstream);
    r.sides[side]++;
    const cause = causeOf(status, subcode, limit, upstream);
    if (cause) {
      const key = `${status} ${cause}`;
      r.causes.set(key, (r.causes.get(key) ?? 0) + 1);
    }
    if (slot.errors.length >= ERRORS_PER_SECOND) slot.errors.shift();
    slot.errors.push({
      time: now,
      route: label,
      request_id: ctx.requestId,
      client: clientAddressOf(ctx.req),
      method: ctx.method,
      path: ctx.path,
      status,
      error_code: subcode === undefined ? undefined : this.#errorCode(status, subcode),
      duration_ms: Math.round(ms * 100) / 100,
      upstream,
      limit,
      user_agent: ctx.req.headers['user-agent']?.slice(0, MAX_AGENT),
      cause,
      side,
    });
  }

  /**
   * The complete seconds after `since` up to `until` (epoch seconds; at most
   * the last 15 min, never the current second), with latency histograms for
   * those from `histFrom` on.
   */
  collect(since: number, until: number, histFrom: number): SecondData[] {
    const last = Math.min(until, Math.floor(this.#clock() / 1000) - 1);
    const out: SecondData[] = [];
    for (let t = Math.max(since + 1, last - WINDOW + 1); t <= last; t++) {
      const slot = this.#ring[t % WINDOW] as Slot;
      if (slot.t !== t || (slot.routes.size === 0 && slot.errors.length === 0)) continue;
      const routes: Record<string, RouteSecond> = {};
      for (const [label, r] of slot.routes) {
        const rs: RouteSecond = {
          codes: Object.fromEntries(r.codes),
          causes: Object.fromEntries(r.causes),
          sides: { ...r.sides },
        };
        if (t >= histFrom && r.hist) {
          const pairs: number[] = [];
          r.hist.forEach((n, i) => {
            if (n) pairs.push(i, n);
          });
          rs.hist = pairs;
        }
        routes[label] = rs;
      }
      out.push({ t, routes, errors: [...slot.errors] });
    }
    return out;
  }
}
