import type { RouteConfig } from '../config/route.ts';
import type { StoreHealth } from '../policies/index.ts';
import type { Upstream } from '../upstream/targets.ts';
import type { NotReady, ReadyReport } from './admin.ts';
import type { Family } from './prometheus.ts';

export interface Readiness {
  /** Why this process should get no traffic, or undefined when it can serve. */
  notReady(): NotReady | undefined;
  /** Per-route health, shared stores and what is degraded: the body of /readyz. */
  report(): ReadyReport;
  /** `statuskit_gateway_route_ready` and `statuskit_gateway_store_reachable`. */
  families(): Family[];
}

/**
 * Readiness means this process can serve: it is not draining, and some
 * route has a target able to take requests. One route's upstream being down
 * is that route's 503 (with Retry-After), not a reason to take the whole
 * gateway out of rotation — unless the route says `critical: true`. A shared
 * store that cannot be reached takes it out only when it fails closed (every
 * request it decides would be 503); failing open it is ready, and says why in
 * the body.
 */
export function createReadiness(
  upstreams: readonly { route: RouteConfig; upstream: Upstream }[],
  stores: () => StoreHealth[],
  draining: () => boolean,
): Readiness {
  const notReady = (): NotReady | undefined => {
    if (draining()) return { reason: 'the gateway is draining.' };
    const critical = upstreams.find(({ route, upstream }) => route.critical && !upstream.healthy);
    if (critical)
      return {
        reason: `the critical route ${critical.route.path} has no target able to take requests (${critical.upstream.downReason}).`,
        retryAfter: critical.upstream.retryAfter(),
      };
    if (upstreams.length > 0 && upstreams.every(({ upstream }) => !upstream.healthy)) {
      const retryAfter = Math.min(...upstreams.map(({ upstream }) => upstream.retryAfter()));
      const why = upstreams.map(({ route, upstream }) => `${route.path}: ${upstream.downReason}`).join('; ');
      return { reason: `no route has a target able to take requests (${why}).`, retryAfter };
    }
    const closed = stores().find((s) => !s.reachable && s.failure === 'closed');
    // RFC 9110 §10.2.3: the store reconnects in the background; ask again in a second.
    if (closed)
      return { reason: `the ${closed.store} store is unreachable and fails closed (${closed.reason}).`, retryAfter: 1 };
    return undefined;
  };

  const report = (): ReadyReport => {
    const degraded: string[] = [];
    const routes: Record<string, { ready: boolean; critical: boolean; reason?: string }> = {};
    for (const { route, upstream } of upstreams) {
      const ready = upstream.healthy;
      routes[route.path] = { ready, critical: route.critical, ...(ready ? {} : { reason: upstream.downReason }) };
      if (!ready) degraded.push(`route ${route.path}: no target can take requests (${upstream.downReason}).`);
    }
    const shared: Record<string, { reachable: boolean; failure: string; reason?: string }> = {};
    for (const s of stores()) {
      shared[s.store] = { reachable: s.reachable, failure: s.failure, ...(s.reason ? { reason: s.reason } : {}) };
      if (!s.reachable)
        degraded.push(
          `the ${s.store} store is unreachable (${s.reason}); ${s.failure === 'open' ? 'requests are let through unchecked' : 'its checks answer 503'}.`,
        );
    }
    return { routes, stores: shared, degraded };
  };

  const families = (): Family[] => [
    {
      name: 'statuskit_gateway_route_ready',
      help: 'Whether each route has a target able to take requests (1) or not (0).',
      type: 'gauge',
      perProcess: true,
      samples: upstreams.map(({ route, upstream }) => ({
        suffix: '',
        labels: { route: route.path },
        value: upstream.healthy ? 1 : 0,
      })),
    },
    {
      name: 'statuskit_gateway_store_reachable',
      help: 'Whether each shared store (Redis) can be reached (1) or not (0).',
      type: 'gauge',
      perProcess: true,
      samples: stores().map((s) => ({ suffix: '', labels: { store: s.store }, value: s.reachable ? 1 : 0 })),
    },
  ];

  return { notReady, report, families };
}
