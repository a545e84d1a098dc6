import { Pool } from 'undici';
import type { RouteConfig } from '../config/route.ts';
import type { Family } from '../telemetry/prometheus.ts';
import { Breaker, type BreakerState } from './breaker.ts';
import { HealthProbe } from './health.ts';

/** What an Upstream tells the gateway (logs, metrics). */
export interface UpstreamEvents {
  /** A target's circuit breaker changed state. */
  breaker(target: Target): void;
  /** A target's active health checks took it out of rotation or brought it back. */
  health(target: Target, reason: string): void;
}

/** One upstream server of a route: its connection pool and its circuit breaker. */
export class Target {
  readonly url: URL;
  /** `http://host:port/base`, for logs and metric labels. */
  readonly label: string;
  /** The target's own path, prepended to forwarded paths ('' for none). */
  readonly basePath: string;
  readonly pool: Pool;
  readonly breaker: Breaker | undefined;
  /** False while active health checks (a route's `healthCheck`) have it out of rotation. */
  healthy = true;
  readonly probe: HealthProbe | undefined;

  constructor(url: URL, route: RouteConfig, now: (() => number) | undefined, events: UpstreamEvents) {
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
        : new Breaker({ ...route.breaker, ...(now ? { now } : {}), onChange: () => events.breaker(this) });
    const check = route.healthCheck;
    this.probe = check && new HealthProbe(this, check, (reason) => events.health(this, reason));
  }

  get state(): BreakerState {
    return this.breaker?.state ?? 'closed';
  }

  get available(): boolean {
    return this.healthy && (this.breaker?.available ?? true);
  }

  /** Ms until this target may take requests again: its breaker's cooldown, or the next health check. */
  retryInMs(): number {
    if (!this.healthy) return this.probe?.interval ?? 0;
    return this.breaker?.retryInMs() ?? 0;
  }
}

/** The targets of one route, chosen in turn among those whose breaker lets requests through. */
export class Upstream {
  readonly targets: readonly Target[];
  #next = 0;

  constructor(route: RouteConfig, now: (() => number) | undefined, events: UpstreamEvents) {
    this.targets = route.targets.map((url) => new Target(url, route, now, events));
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
      if (t === skip || !t.healthy) continue;
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

  /** Why no target can take requests: their breakers are open, their health checks fail, or both. */
  get downReason(): string {
    const unhealthy = this.targets.some((t) => !t.healthy);
    const open = this.targets.some((t) => t.healthy && !(t.breaker?.available ?? true));
    if (unhealthy && open) return 'circuit breaker open or failing health checks';
    return unhealthy ? 'failing health checks' : 'circuit breaker open';
  }

  /** Whole seconds until the first target may take requests again (at least 1; RFC 9110 §10.2.3). */
  retryAfter(): number {
    let ms = Number.POSITIVE_INFINITY;
    for (const t of this.targets) ms = Math.min(ms, t.retryInMs());
    return Math.max(1, Math.ceil(ms / 1000));
  }

  /** Starts the targets' active health checks (a route with `healthCheck`). */
  startHealthChecks(): void {
    for (const t of this.targets) t.probe?.start();
  }

  async close(): Promise<void> {
    for (const t of this.targets) t.probe?.stop();
    await Promise.all(this.targets.map((t) => t.pool.close()));
  }
}

const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

/** The metric families of the routes' targets: breaker state, and health where a route checks it. */
export function upstreamFamilies(upstreams: readonly { route: RouteConfig; upstream: Upstream }[]): Family[] {
  return [
    {
      name: 'statuskit_gateway_breaker_state',
      help: 'Circuit breaker state of each upstream target (1 for the current state).',
      type: 'gauge',
      perProcess: true,
      samples: upstreams.flatMap(({ route, upstream }) =>
        upstream.targets.flatMap((t) =>
          BREAKER_STATES.map((state) => ({
            suffix: '',
            labels: { route: route.path, target: t.label, state },
            value: t.state === state ? 1 : 0,
          })),
        ),
      ),
    },
    {
      name: 'statuskit_gateway_target_healthy',
      help: 'Whether each upstream target passes its active health checks (routes with healthCheck only).',
      type: 'gauge',
      perProcess: true,
      samples: upstreams.flatMap(({ route, upstream }) =>
        route.healthCheck
          ? upstream.targets.map((t) => ({
              suffix: '',
              labels: { route: route.path, target: t.label },
              value: t.healthy ? 1 : 0,
            }))
          : [],
      ),
    },
  ];
}
