import type { Server } from 'node:http';
import { createServer } from '../server/serve.ts';
import type { Guard, RequestContext, RouteDef } from '../server/types.ts';
import type { GatewayConfig } from './config/index.ts';
import type { GatewayOptions } from './gateway.ts';
import { transportOf } from './listener.ts';
import { decisionOf, type LimitDecision } from './policies/registry.ts';
import { ensureClient, resolveClient, trustedProxies } from './proxy/client-address.ts';
import type { AccessLog, Logger } from './telemetry/access-log.ts';
import type { DashboardStats } from './telemetry/dashboard/index.ts';
import type { GatewayMetrics, RouteStats } from './telemetry/metrics.ts';

export interface FrontParts {
  defs: RouteDef[];
  statsOf: Map<RouteDef, RouteStats>;
  unmatched: RouteStats;
  /** Drain 503 and the policies' guards (./policies/registry.ts), in contract order. */
  guards: Guard[];
  metrics: GatewayMetrics;
  dashboard: DashboardStats;
  accessLog: AccessLog;
  log: Logger;
}

/**
 * The front (../server/) over the gateway's routes: the client address
 * resolved first (through trusted hops only, before any guard keys on it —
 * ./proxy/client-address.ts), then the access guards; each answer counted
 * in the metrics and the dashboard and written to the access log under its
 * configured route, with the limiter's decision (./policies/registry.ts).
 */
export function createFront(config: GatewayConfig, options: GatewayOptions, parts: FrontParts): Server {
  const { statsOf, unmatched, metrics, dashboard, accessLog, log } = parts;
  const trust = config.trustProxy.length ? trustedProxies(config.trustProxy) : undefined;
  const clientGuards: Guard[] = trust
    ? [
        function clientAddress(ctx: RequestContext): void {
          resolveClient(ctx.req, trust);
        },
      ]
    : [];
  const statsFor = (ctx: RequestContext): RouteStats => (ctx.route && statsOf.get(ctx.route)) || unmatched;
  const limitOf = (ctx: RequestContext): LimitDecision | undefined => (ctx.route ? decisionOf(ctx) : undefined);
  return createServer({
    profile: config.profile,
    routes: parts.defs,
    accessGuards: [...clientGuards, ...parts.guards, ...(options.accessGuards ?? [])],
    limits: config.limits,
    transport: transportOf(config, log),
    onResponse(ctx: RequestContext, status: number, ms: number): void {
      const stats = statsFor(ctx);
      metrics.observe(stats, status, ms);
      const limit = limitOf(ctx);
      if (limit) metrics.limiter(stats, limit);
      if (trust) ensureClient(ctx.req, trust);
      dashboard.record(stats.label, ctx, status, ms, limit);
      accessLog.write(ctx, status, ms, limit, ctx.route ? stats.label : undefined);
    },
    onAborted(ctx: RequestContext, sent: number | undefined, ms: number): void {
      const stats = statsFor(ctx);
      metrics.abort(stats);
      if (trust) ensureClient(ctx.req, trust);
      accessLog.aborted(ctx, sent, ms, limitOf(ctx), ctx.route ? stats.label : undefined);
    },
    onError(err: unknown, ctx: RequestContext | undefined): void {
      log.error({ request_id: ctx?.requestId, err }, 'request failed unexpectedly');
    },
  });
}
