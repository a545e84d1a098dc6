import { Pool } from 'undici';
import { Breaker, type BreakerState } from './breaker.ts';
import type { RouteConfig } from './config-route.ts';

/** One upstream server of a route: its connection pool and its circuit breaker. */
export class Target {
  readonly url: URL;
  /** `http://host:port/base`, for logs and metric labels. */
  readonly label: string;
  /** The target's own path, prepended to forwarded paths ('' for none). */
  readonly basePath: string;
  readonly pool: Pool;
  readonly breaker: Breaker | undefined;

  constructor(url: URL, route: RouteConfig, now: (() => number) | undefined, onState: (t: Target) => void) {
    this.url = url;
    this.basePath = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
    this.label = `${url.origin}${this.basePath}`;
    this.pool = new Pool(url.origin, {
      connections: route.connections,
      pipelining: 1, // one request per connection at a time: a failure never takes a second request with it
      keepAliveTimeout: 4_000, // 4 s, below the 5 s node:http keeps idle sockets
      connect: { timeout: 10_000 }, // 10 s
      // The route's deadline (X-Request-Timeout, capped by `timeout`) governs the wait for headers.
      headersTimeout: route.timeout,
      bodyTimeout: route.idleTimeout,
    });
    this.breaker =
      route.breaker === false
        ? undefined
        : new Breaker({ ...route.breaker, ...(now ? { now } : {}), onChange: () => onState(this) });
  }

  get state(): BreakerState {
    return this.breaker?.state ?? 'closed';
  }

  get available(): boolean {
    return this.breaker?.available ?? true;
  }
}

/** The targets of one route, chosen in turn among those whose breaker lets requests through. */
export class Upstream {
  readonly targets: readonly Target[];
  #next = 0;

  constructor(route: RouteConfig, now: (() => number) | undefined, onState: (t: Target) => void) {
    this.targets = route.targets.map((url) => new Target(url, route, now, onState));
  }

  /**
   * The next target able to take a request, its breaker slot taken (see
   * Breaker.acquire); undefined when none can. `skip` leaves out a target
   * that just failed, for the one retry.
   */
  pick(skip?: Target): Target | undefined {
    const n = this.targets.length;
    for (let i = 0; i < n; i++) {
      const t = this.targets[(this.#next + i) % n] as Target;
      if (t === skip) continue;
      if (t.breaker === undefined || t.breaker.acquire()) {
        this.#next = (this.#next + i + 1) % n;
        return t;
      }
    }
    return undefined;
  }

  /** Whether some target could take a request now (for /readyz). */
  get healthy(): boolean {
    return this.targets.some((t) => t.available);
  }

  /** Whole seconds until the first open breaker lets a probe through (at least 1; RFC 9110 §10.2.3). */
  retryAfter(): number {
    let ms = Number.POSITIVE_INFINITY;
    for (const t of this.targets) ms = Math.min(ms, t.breaker?.retryInMs() ?? 0);
    return Math.max(1, Math.ceil(ms / 1000));
  }

  async close(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.pool.close()));
  }

  /** Ends every connection now, in-flight requests included. */
  async destroy(): Promise<void> {
    await Promise.all(this.targets.map((t) => t.pool.destroy()));
  }
}
