import {
  bucketBound,
  type ErrorEntry,
  LATENCY_WINDOW,
  type ProcessData,
  type RouteSecond,
  type SecondData,
  type Side,
  WINDOW,
} from './stats.ts';

/** Where the view gets its seconds: this process's stats, or every worker's over IPC. */
export type DataSource = (since: number, until: number, histFrom: number) => Promise<ProcessData[]>;

/** Error answers the page lists. */
const LATEST_ERRORS = 50;
/** Seconds requests per second are averaged over. */
const RATE_WINDOW = 5; // 5 s

export interface RouteView {
  route: string;
  /** Requests per second, averaged over the last 5 s. */
  rps: number;
  /** Answers by code over the last minute. */
  codes: Record<string, number>;
  causes: Record<string, number>;
  sides: Record<Side, number>;
  /** ms over the last minute; null with no answers. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  targets: { target: string; healthy: number; states: Record<string, number> }[];
}

/** One snapshot, sent once a second to every open dashboard. */
export interface Tick {
  /** Epoch second of the last complete second. */
  t: number;
  processes: { pid: number; requests: number }[];
  draining: boolean;
  inFlight: number;
  routes: RouteView[];
  /** The code mix of the seconds new since the previous tick. */
  timeline: { t: number; codes: Record<string, number> }[];
  errors: ErrorEntry[];
}

const add = (into: Record<string, number>, from: Record<string, number>): void => {
  for (const k in from) into[k] = (into[k] ?? 0) + (from[k] as number);
};

function mergeRoute(into: RouteSecond, from: RouteSecond): void {
  add(into.codes, from.codes);
  add(into.causes, from.causes);
  add(into.sides, from.sides);
  if (from.hist) into.hist = [...(into.hist ?? []), ...from.hist];
}

/** The latency at quantile `q` of a histogram (bucket → count), interpolated within its bucket; ms. */
export function quantile(hist: Map<number, number>, total: number, q: number): number | null {
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (const i of [...hist.keys()].sort((a, b) => a - b)) {
    const n = hist.get(i) as number;
    if (seen + n >= rank) {
      const lo = i === 0 ? 0 : bucketBound(i - 1);
      const hi = bucketBound(i);
      return Math.round((lo + (hi - lo) * ((rank - seen) / n)) * 100) / 100;
    }
    seen += n;
  }
  return Math.round(bucketBound(hist.size ? Math.max(...hist.keys()) : 0) * 100) / 100;
}

/**
 * The merged window behind the page: the last 15 minutes of seconds,
 * summed across processes, refreshed from the source once per tick and
 * only while some dashboard is open.
 */
export class DashboardView {
  readonly #source: DataSource;
  readonly #routes: readonly string[];
  readonly #clock: () => number;
  readonly #seconds = new Map<number, SecondData>();
  #last = 0;
  #live: ProcessData[] = [];
  /** Answers each process counted since this view started (or within the first 15 min it fetched). */
  readonly #perPid = new Map<number, number>();

  constructor(source: DataSource, routes: readonly string[], clock: () => number = Date.now) {
    this.#source = source;
    this.#routes = routes;
    this.#clock = clock;
  }

  /** Pulls the seconds completed since the last refresh; returns the new ones. */
  async refresh(): Promise<SecondData[]> {
    const until = Math.floor(this.#clock() / 1000) - 1;
    const since = Math.max(this.#last, until - WINDOW);
    const data = await this.#source(since, until, until - LATENCY_WINDOW + 1);
    this.#live = data;
    for (const p of data) {
      let n = this.#perPid.get(p.pid) ?? 0;
      for (const s of p.seconds) for (const label in s.routes) n += sum((s.routes[label] as RouteSecond).codes);
      this.#perPid.set(p.pid, n);
    }
    const fresh = new Map<number, SecondData>();
    for (const p of data)
      for (const s of p.seconds) {
        let have = fresh.get(s.t);
        if (!have) {
          have = { t: s.t, routes: {}, errors: [] };
          fresh.set(s.t, have);
        }
        for (const label in s.routes) {
          const r = (have.routes[label] ??= { codes: {}, causes: {}, sides: { client: 0, gateway: 0, upstream: 0 } });
          mergeRoute(r, s.routes[label] as RouteSecond);
        }
        have.errors.push(...s.errors);
      }
    // Ascending by second: each refresh only adds seconds later than any held.
    for (const s of [...fresh.values()].sort((a, b) => a.t - b.t)) this.#seconds.set(s.t, s);
    for (const t of this.#seconds.keys()) if (t <= until - WINDOW) this.#seconds.delete(t);
    this.#last = until;
    return [...fresh.values()].sort((a, b) => a.t - b.t);
  }

  /** The code mix of every second in the window (the first message a dashboard gets). */
  history(): Tick['timeline'] {
    return [...this.#seconds.values()].map(codeMix);
  }

  tick(fresh: readonly SecondData[]): Tick {
    const now = this.#last;
    const labels = new Set(this.#routes);
    const seconds = [...this.#seconds.values()];
    for (const s of seconds) for (const label in s.routes) labels.add(label);
    const routes = [...labels].map((label) => this.#route(label, seconds, now));
    // The latest first, from the newest seconds back: at most 50 looked at once sorted.
    const errors: ErrorEntry[] = [];
    for (let i = seconds.length - 1; i >= 0 && errors.length < LATEST_ERRORS; i--) {
      const own = [...(seconds[i] as SecondData).errors].sort((a, b) => b.time - a.time);
      errors.push(...own.slice(0, LATEST_ERRORS - errors.length));
    }
    return {
      t: now,
      processes: this.#live.map((p) => ({ pid: p.pid, requests: this.#perPid.get(p.pid) ?? 0 })),
      draining: this.#live.some((p) => p.draining),
      inFlight: this.#live.reduce((n, p) => n + p.inFlight, 0),
      routes,
      timeline: fresh.map(codeMix),
      errors,
    };
  }

  #route(label: string, seconds: readonly SecondData[], now: number): RouteView {
    const codes: Record<string, number> = {};
    const causes: Record<string, number> = {};
    const sides = { client: 0, gateway: 0, upstream: 0 };
    const hist = new Map<number, number>();
    let recent = 0;
    let latencyTotal = 0;
    for (const s of seconds) {
      const r = s.routes[label];
      if (!r || s.t <= now - LATENCY_WINDOW) continue;
      add(codes, r.codes);
      add(causes, r.causes);
      add(sides, r.sides);
      if (s.t > now - RATE_WINDOW) recent += sum(r.codes);
      const h = r.hist ?? [];
      for (let i = 0; i < h.length; i += 2) {
        hist.set(h[i] as number, (hist.get(h[i] as number) ?? 0) + (h[i + 1] as number));
        latencyTotal += h[i + 1] as number;
      }
    }
    const targets = new Map<string, RouteView['targets'][number]>();
    for (const p of this.#live)
      for (const t of p.targets) {
        if (t.route !== label) continue;
        let have = targets.get(t.target);
        if (!have) {
          have = { target: t.target, healthy: 0, states: {} };
          targets.set(t.target, have);
        }
        if (t.healthy) have.healthy++;
        have.states[t.state] = (have.states[t.state] ?? 0) + 1;
      }
    return {
      route: label,
      rps: Math.round((recent / RATE_WINDOW) * 10) / 10,
      codes,
      causes,
      sides,
      p50: quantile(hist, latencyTotal, 0.5),
      p95: quantile(hist, latencyTotal, 0.95),
      p99: quantile(hist, latencyTotal, 0.99),
      targets: [...targets.values()],
    };
  }
}

const sum = (r: Record<string, number>): number => {
  let n = 0;
  for (const k in r) n += r[k] as number;
  return n;
};

function codeMix(s: SecondData): Tick['timeline'][number] {
  const codes: Record<string, number> = {};
  for (const label in s.routes) add(codes, (s.routes[label] as RouteSecond).codes);
  return { t: s.t, codes };
}
