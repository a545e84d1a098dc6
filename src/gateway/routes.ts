/**
 * The front's route table of a gateway: one proxy route per configured
 * route (./proxy/), each with its upstream targets (./upstream/), split along
 * the upstream's own routes where those are known (./proxy/split-route.ts).
 * Every failure an exchange reports is attributed here to the side that
 * caused it — `ctx.state.fault`, the metric and the log line say the same.
 */
import type { Duplex } from 'node:stream';
import { setFault } from '../server/state.ts';
import type { RouteDef } from '../server/types.ts';
import type { GatewayConfig } from './config/index.ts';
import type { RouteConfig } from './config/route.ts';
import { createProxyHandler } from './proxy/exchange.ts';
import { escapedSlashesFor } from './proxy/paths.ts';
import type { ProxyRoute } from './proxy/route.ts';
import { splitAlongUpstreamRoutes } from './proxy/split-route.ts';
import { createUpgradeHandler } from './proxy/websocket.ts';
import type { AccessLog, Logger } from './telemetry/access-log.ts';
import type { DashboardStats } from './telemetry/dashboard/index.ts';
import type { GatewayMetrics, RouteStats } from './telemetry/metrics.ts';
import { Upstream } from './upstream/targets.ts';

export interface RouteParts {
  log: Logger;
  metrics: GatewayMetrics;
  dashboard: DashboardStats;
  accessLog: AccessLog;
  /** Exchanges not yet settled, across the gateway. */
  active: { count: number };
  /** Upgraded client sockets, cut when a drain's grace runs out. */
  tunnels: Set<Duplex>;
  /** Monotonic clock for the breakers (tests). */
  now?: (() => number) | undefined;
  /** The upstream's own route table by gateway route path (GatewayOptions.upstreamRoutes). */
  upstreamRoutes?: Readonly<Record<string, readonly RouteDef[]>> | undefined;
}

export interface GatewayRoutes {
  /** What the front routes on. */
  defs: RouteDef[];
  /** Each configured route's upstream: closed on stop, health-checked once listening. */
  upstreams: { route: RouteConfig; upstream: Upstream }[];
  /** The metrics of the configured route a front route belongs to. */
  statsOf: Map<RouteDef, RouteStats>;
}

export function createRoutes(config: GatewayConfig, parts: RouteParts): GatewayRoutes {
  const { log, metrics, dashboard, accessLog } = parts;
  const upstreams: GatewayRoutes['upstreams'] = [];
  const statsOf = new Map<RouteDef, RouteStats>();

  const defs = config.routes.flatMap((route) => {
    const upstream = new Upstream(route, parts.now, {
      breaker: (t) => log.warn({ route: route.path, target: t.label, state: t.state }, 'circuit breaker changed state'),
      health: (t, reason) =>
        log.warn({ route: route.path, target: t.label, healthy: t.healthy, reason }, 'upstream health changed'),
    });
    upstreams.push({ route, upstream });
    const stats = metrics.route(route.path);
    const proxyRoute: ProxyRoute = {
      config: route,
      upstream,
      profile: config.profile,
      metrics,
      active: parts.active,
      tunnels: parts.tunnels,
      onFailure: (ctx, target, kind, err) => {
        setFault(ctx, 'upstream');
        metrics.failure(route.path, target.label, kind);
        // The target's address goes here, never into the client's error body.
        log.warn(
          { request_id: ctx.requestId, route: route.path, upstream: target.label, kind, err: err.message },
          'upstream failure',
        );
      },
      onClientFailure: (ctx, kind) => {
        setFault(ctx, 'client');
        metrics.clientFailure(route.path, kind);
        log.info({ request_id: ctx.requestId, route: route.path, kind }, 'client failure');
      },
      onUpgrade: (ctx, status) => {
        metrics.observe(stats, status, 0);
        dashboard.record(stats.label, ctx, status, 0, undefined);
        accessLog.write(ctx, status, 0, undefined, route.path);
      },
    };
    const handler = createProxyHandler(proxyRoute);
    const def: RouteDef = {
      path: route.path === '/' ? '/*' : `${route.path}/*`,
      methods: Object.fromEntries(route.methods.map((m) => [m, handler])),
      requireLength: route.requireLength,
      mergeSlashes: route.mergeSlashes,
      escapedSlashes: escapedSlashesFor(route, config.policies),
      timeout: route.timeout,
      timeoutQuery: route.timeoutQuery,
      ...(route.bodyLimit === undefined ? {} : { bodyLimit: route.bodyLimit }),
      ...(route.accepts ? { accepts: route.accepts } : {}),
      ...(route.unavailable ? { unavailable: route.unavailable } : {}),
      ...(route.websocket ? { upgrade: createUpgradeHandler(proxyRoute) } : {}),
    };
    const known = parts.upstreamRoutes?.[route.path];
    const split = known ? splitAlongUpstreamRoutes(def, known) : [def];
    for (const d of split) statsOf.set(d, stats);
    return split;
  });
  return { defs, upstreams, statsOf };
}
