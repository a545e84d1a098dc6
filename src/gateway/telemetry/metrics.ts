import { type Family, Histogram, type Sample } from './prometheus.ts';

const PREFIX = 'statuskit_gateway_';

/** The counters of one route (or of requests no route took), updated in place on the hot path. */
export class RouteStats {
  readonly label: string;
  readonly codes = new Map<number, number>();
  readonly latency = new Histogram();
  readonly limiter = new Map<string, number>();
  /** Answers that never finished (the client left, or the answer was cut). */
  aborted = 0;

  constructor(label: string) {
    this.label = label;
  }
}

/** Route label of requests that matched no route (404, and parser-level answers). */
export const UNMATCHED = '(none)';

/**
 * What the gateway counts: requests by route and status, latency, upstream
 * failures, limiter decisions. Gauges whose value lives elsewhere (breaker
 * state, in-flight requests, Redis failures) are read at scrape time from
 * the sources added with `addSource`.
 */
export class GatewayMetrics {
  readonly #routes = new Map<string, RouteStats>();
  readonly #failures = new Map<string, Sample>();
  readonly #clientFailures = new Map<string, Sample>();
  readonly #sources: (() => Family[])[] = [];

  /** The stats of a route label, made on first use. */
  route(label: string): RouteStats {
    let stats = this.#routes.get(label);
    if (!stats) {
      stats = new RouteStats(label);
      this.#routes.set(label, stats);
    }
    return stats;
  }

  observe(stats: RouteStats, status: number, ms: number): void {
    stats.codes.set(status, (stats.codes.get(status) ?? 0) + 1);
    stats.latency.observe(ms / 1000);
  }

  /** An answer that closed unfinished; not in requests_total, which counts answers given. */
  abort(stats: RouteStats): void {
    stats.aborted++;
  }

  /** A rate-limit decision (`allowed`, `limited`, `shed`, `error` …). */
  limiter(stats: RouteStats, decision: string): void {
    stats.limiter.set(decision, (stats.limiter.get(decision) ?? 0) + 1);
  }

  failure(route: string, target: string, kind: string): void {
    const key = `${route}\u0000${target}\u0000${kind}`;
    const have = this.#failures.get(key);
    if (have) have.value++;
    else this.#failures.set(key, { suffix: '', labels: { route, target, kind }, value: 1 });
  }

  /** An exchange the client made fail (its body stopped arriving, broke off …): never an upstream's failure. */
  clientFailure(route: string, kind: string): void {
    const key = `${route}\u0000${kind}`;
    const have = this.#clientFailures.get(key);
    if (have) have.value++;
    else this.#clientFailures.set(key, { suffix: '', labels: { route, kind }, value: 1 });
  }

  /** Drops the sources (a reloaded gateway adds its own; the counters stay). */
  resetSources(): void {
    this.#sources.length = 0;
  }

  addSource(source: () => Family[]): void {
    this.#sources.push(source);
  }

  /** Every family as data (for rendering here, or for merging in the cluster primary). */
  families(): Family[] {
    const requests: Sample[] = [];
    const latency: Sample[] = [];
    const limiter: Sample[] = [];
    const aborted: Sample[] = [];
    for (const stats of this.#routes.values()) {
      const route = stats.label;
      for (const [code, value] of stats.codes)
        requests.push({ suffix: '', labels: { route, code: String(code) }, value });
      if (stats.latency.count) latency.push(...stats.latency.samples({ route }));
      for (const [decision, value] of stats.limiter) limiter.push({ suffix: '', labels: { route, decision }, value });
      if (stats.aborted) aborted.push({ suffix: '', labels: { route }, value: stats.aborted });
    }
    const families: Family[] = [
      {
        name: `${PREFIX}requests_total`,
        help: 'Requests answered, by route prefix and status code.',
        type: 'counter',
        samples: requests,
      },
      {
        name: `${PREFIX}requests_aborted_total`,
        help: 'Requests whose answer never finished: the client left, or the answer was cut midway.',
        type: 'counter',
        samples: aborted,
      },
      {
        name: `${PREFIX}request_duration_seconds`,
        help: 'Time from the request reaching the gateway to the end of its answer.',
        type: 'histogram',
        samples: latency,
      },
      {
        name: `${PREFIX}upstream_failures_total`,
        help: 'Exchanges with an upstream target that failed, by kind (refused, reset, timeout, malformed …).',
        type: 'counter',
        samples: [...this.#failures.values()].map((s) => ({ ...s })),
      },
      {
        name: `${PREFIX}client_failures_total`,
        help: 'Exchanges the client made fail, by kind (body-timeout, body-aborted, body-too-large); breakers ignore them.',
        type: 'counter',
        samples: [...this.#clientFailures.values()].map((s) => ({ ...s })),
      },
      {
        name: `${PREFIX}limiter_decisions_total`,
        help: 'Rate limiter and load shedding decisions, by route.',
        type: 'counter',
        samples: limiter,
      },
    ];
    for (const source of this.#sources) families.push(...source());
    return families;
  }
}

/** The gauges of what a gateway has in hand now: forwarded requests not yet answered, and whether it drains. */
export function liveFamilies(inFlight: number, draining: boolean): Family[] {
  return [
    {
      name: 'statuskit_gateway_in_flight_requests',
      help: 'Requests forwarded to an upstream and not yet answered.',
      type: 'gauge',
      samples: [{ suffix: '', labels: {}, value: inFlight }],
    },
    {
      name: 'statuskit_gateway_draining',
      help: '1 while the gateway is shutting down.',
      type: 'gauge',
      perProcess: true,
      samples: [{ suffix: '', labels: {}, value: draining ? 1 : 0 }],
    },
  ];
}
