import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DestinationStream } from 'pino';
import type { Transport } from '../server/h2.ts';
import { createServer } from '../server/serve.ts';
import type { Guard, RequestContext, RouteDef } from '../server/types.ts';
import type { GatewayConfig } from './config/index.ts';
import type { RouteConfig } from './config/route.ts';
import { createDrainGuard } from './policies/guards/drain.ts';
import { createPolicies, type Policies, type PolicyHooks } from './policies/index.ts';
import { decisionOf, type LimitDecision } from './policies/registry.ts';
import { ensureClient, resolveClient, trustedProxies } from './proxy/client-address.ts';
import { createProxyHandler } from './proxy/exchange.ts';
import { escapedSlashesFor } from './proxy/paths.ts';
import type { ProxyRoute } from './proxy/route.ts';
import { splitAlongUpstreamRoutes } from './proxy/split-route.ts';
import { createUpgradeHandler } from './proxy/websocket.ts';
import { createAccessLog, createLogger, type Logger } from './telemetry/access-log.ts';
import { createAdminServer, type NotReady, type ReadyReport, type ReloadResult } from './telemetry/admin.ts';
import {
  createDashboard,
  createDashboardStats,
  type DashboardStats,
  processData,
} from './telemetry/dashboard/index.ts';
import type { ProcessData } from './telemetry/dashboard/stats.ts';
import { GatewayMetrics, type RouteStats, UNMATCHED } from './telemetry/metrics.ts';
import { policyFamilies } from './telemetry/policy-metrics.ts';
import { processFamilies } from './telemetry/process-metrics.ts';
import { type Family, render } from './telemetry/prometheus.ts';
import { createReadiness } from './telemetry/readiness.ts';
import { Upstream, upstreamFamilies } from './upstream/targets.ts';

/** The gateway could not bind its address (port in use, no permission …). */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

export interface GatewayOptions {
  /**
   * More access guards, run after those of `config.policies` (which the
   * gateway builds itself: proxy-auth 407, auth 401/441/403, rate 429,
   * shedding 429, body budget 413). @default []
   */
  accessGuards?: readonly Guard[];
  /** Where log lines go. @default stdout, asynchronous */
  logStream?: DestinationStream;
  /** Monotonic clock in ms for the circuit breakers (tests). @default performance.now */
  now?: () => number;
  /** Epoch clock in ms for rate limits and signature dates (tests). @default Date.now */
  clock?: () => number;
  /** More metric families, read at scrape time (rate-limit store failures …). @default none */
  metricSources?: readonly (() => Family[])[];
  /**
   * The upstream's own route table by gateway route path, where it is known
   * (`statuskit serve` passes the embedded lab's under '/'): that route is
   * split along it, carrying the upstream's body limits (see ./proxy/split-route.ts).
   * @default none
   */
  upstreamRoutes?: Readonly<Record<string, readonly RouteDef[]>>;
  /** Where used signatures are remembered without `replayRedis` (a cluster worker: the primary's). @default in process */
  replay?: PolicyHooks['replay'];
  /** Runs once the gateway stopped (closes stores the guards use). @default none */
  onClose?: () => Promise<void>;
  /** POST /reload on the admin port (./launch.ts gives it). @default none */
  reloadRequest?: () => Promise<ReloadResult>;
  /** A reload: the metrics to keep counting in (./reload.ts). @default new ones */
  metrics?: GatewayMetrics;
  /** A reload with unchanged `policies`: the previous gateway's, so limits and replay state carry over. */
  policies?: Policies;
}

export interface Gateway {
  readonly config: GatewayConfig;
  readonly server: Server;
  /** undefined when `config.admin` is false. */
  readonly admin: Server | undefined;
  readonly metrics: GatewayMetrics;
  /** The policy guards' state (rate-limit counts, replay cache), kept across a reload when unchanged. */
  readonly policies: Policies;
  /** The server that listens: this gateway's own, or the one it took over in a reload. */
  readonly listener: Server;
  /**
   * Reload (./reload.ts): takes over `previous`'s listening server — new
   * requests on new and kept-alive connections come here from now on — and
   * its admin port. `previous` keeps answering what it already has.
   */
  adopt(previous: Gateway): Promise<void>;
  /**
   * After a reload: waits for the requests this gateway still has (at most
   * `grace` ms), then closes what only it uses (upstream pools, health checks,
   * its policies unless handed on). The listening server stays open.
   */
  retire(grace: number, keepPolicies: boolean): Promise<{ cut: number }>;
  /** What the admin port's dashboard shows of this process (seconds of answers, latest errors). */
  readonly dashboard: DashboardStats;
  /** This process's dashboard data, as a cluster worker hands it to the primary. */
  dashboardData(since: number, until: number, histFrom: number): ProcessData;
  readonly log: Logger;
  readonly draining: boolean;
  /** Requests forwarded and not yet answered. */
  readonly inFlight: number;
  /** Starts listening on both ports; resolves with the addresses actually bound. */
  listen(): Promise<{ url: string; adminUrl: string | undefined }>;
  /** Why the gateway should get no traffic, or undefined when it should. */
  notReady(): NotReady | undefined;
  /** Per-route health, shared stores, degraded parts (the body of /readyz). */
  readyReport(): ReadyReport;
  /** Hands the access lines collected so far to the log destination. */
  flushLogs(): void;
  /** This process's metrics in Prometheus text format. */
  metricsText(): string;
  /**
   * Graceful stop: no new connections; requests arriving on open connections
   * get 503 + Retry-After + Connection: close; in-flight requests finish
   * within `grace` ms (then their connections are cut). Resolves when closed.
   */
  shutdown(grace?: number): Promise<{ cut: number }>;
}

/** The HTTP front as a reverse proxy: the routes of `config`, each forwarding to its upstream targets. */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const log = createLogger(config.logLevel, options.logStream);
  const metrics = options.metrics ?? new GatewayMetrics();
  // A reload keeps the counters; the sources are this gateway's.
  metrics.resetSources();
  const dashboard = createDashboardStats(config.profile);
  const active = { count: 0 };
  const tunnels = new Set<Duplex>();
  let draining = false;

  const upstreams: { route: RouteConfig; upstream: Upstream }[] = [];
  const statsOf = new Map<RouteDef, RouteStats>();
  const unmatched = metrics.route(UNMATCHED);

  const routes: RouteDef[] = config.routes.flatMap((route) => {
    const upstream = new Upstream(route, options.now, {
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
      active,
      tunnels,
      onFailure: (ctx, target, kind, err) => {
        ctx.state.fault = 'upstream';
        metrics.failure(route.path, target.label, kind);
        // The target's address goes here, never into the client's error body.
        log.warn(
          { request_id: ctx.requestId, route: route.path, upstream: target.label, kind, err: err.message },
          'upstream failure',
        );
      },
      onClientFailure: (ctx, kind) => {
        ctx.state.fault = 'client';
        metrics.clientFailure(route.path, kind);
        log.info({ request_id: ctx.requestId, route: route.path, kind }, 'client failure');
      },
      onUpgrade: (ctx, status) => {
        metrics.observe(stats, status, 0);
        dashboard.record(stats.label, ctx, status, 0, undefined);
        access(ctx, status, 0, undefined, route.path);
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
    const known = options.upstreamRoutes?.[route.path];
    const defs = known ? splitAlongUpstreamRoutes(def, known) : [def];
    for (const d of defs) statsOf.set(d, stats);
    return defs;
  });

  const accessLog = createAccessLog(log);
  const access = accessLog.write;
  const policies =
    options.policies ??
    createPolicies(config.policies, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.replay ? { replay: options.replay } : {}),
      onStoreFailure: (e) =>
        log.warn({ store: e.store, outcome: e.outcome, err: e.error.message }, 'rate-limit store failure'),
    });
  const drainGuard = createDrainGuard(() => draining, config.drain.retryAfter);

  // trustProxy: the client address, through trusted hops only, before any guard keys on it (./client-address.ts).
  const trust = config.trustProxy.length ? trustedProxies(config.trustProxy) : undefined;
  const clientGuards: Guard[] = trust
    ? [
        function clientAddress(ctx: RequestContext): void {
          resolveClient(ctx.req, trust);
        },
      ]
    : [];

  const statsFor = (ctx: RequestContext): RouteStats => (ctx.route && statsOf.get(ctx.route)) || unmatched;
  // The limiter's decision, recorded in a routed request's state (./policies/registry.ts).
  const limitOf = (ctx: RequestContext): LimitDecision | undefined => (ctx.route ? decisionOf(ctx) : undefined);
  const server = createServer({
    profile: config.profile,
    routes,
    accessGuards: [...clientGuards, drainGuard, ...policies.guards, ...(options.accessGuards ?? [])],
    limits: config.limits,
    transport: transportOf(config, log),
    onResponse(ctx: RequestContext, status: number, ms: number): void {
      const stats = statsFor(ctx);
      metrics.observe(stats, status, ms);
      const limit = limitOf(ctx);
      if (limit) metrics.limiter(stats, limit);
      if (trust) ensureClient(ctx.req, trust);
      dashboard.record(stats.label, ctx, status, ms, limit);
      access(ctx, status, ms, limit, ctx.route ? stats.label : undefined);
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

  metrics.addSource(() => [
    ...upstreamFamilies(upstreams),
    {
      name: 'statuskit_gateway_in_flight_requests',
      help: 'Requests forwarded to an upstream and not yet answered.',
      type: 'gauge',
      samples: [{ suffix: '', labels: {}, value: active.count }],
    },
    {
      name: 'statuskit_gateway_draining',
      help: '1 while the gateway is shutting down.',
      type: 'gauge',
      perProcess: true,
      samples: [{ suffix: '', labels: {}, value: draining ? 1 : 0 }],
    },
  ]);
  metrics.addSource(() => policyFamilies(policies.stats()));
  metrics.addSource(processFamilies);
  for (const source of options.metricSources ?? []) metrics.addSource(source);

  const readiness = createReadiness(upstreams, policies.stores, () => draining);
  const notReady = readiness.notReady;
  metrics.addSource(readiness.families);
  const metricsText = (): string => render(metrics.families());
  const dashboardData = processData(dashboard, upstreams, () => ({ draining, inFlight: active.count }));
  const board =
    config.admin === false
      ? undefined
      : createDashboard({
          profile: config.profile,
          source: async (since, until, histFrom) => [dashboardData(since, until, histFrom)],
          routes: [...config.routes.map((r) => r.path), UNMATCHED],
          host: config.admin.host,
          token: config.admin.token,
          onError: (err) => log.error({ err }, 'dashboard failed'),
        });
  const admin =
    config.admin === false
      ? undefined
      : createAdminServer({
          profile: config.profile,
          host: config.admin.host,
          ...(config.admin.token ? { token: config.admin.token } : {}),
          ...(options.reloadRequest ? { reload: options.reloadRequest } : {}),
          metrics: metricsText,
          ready: notReady,
          report: readiness.report,
          routes: board?.routes,
        });

  const listenOn = async (s: Server, host: string, port: number, scheme = 'http'): Promise<string> => {
    s.listen(port, host);
    await once(s, 'listening');
    const a = s.address() as AddressInfo;
    return `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  };

  // What this gateway has on the listening server, for the one that takes it over (./reload.ts).
  let listener: Server = server;
  let handlers = ownHandlers(server);

  const gateway: Gateway & { [HANDLERS]: () => Map<string, Listener[]> } = {
    [HANDLERS]: () => handlers,
    config,
    server,
    admin,
    metrics,
    policies,
    get listener() {
      return listener;
    },
    async adopt(previous) {
      const s = previous.listener;
      const theirs = (previous as typeof gateway)[HANDLERS]();
      // From here on every new request, on a new or a kept-alive connection, is this gateway's.
      for (const [event, fns] of theirs) for (const fn of fns) s.off(event, fn);
      handlers = new Map(
        FRONT_EVENTS.map((event) => {
          const forward: Listener = (...args) => server.emit(event, ...args);
          s.on(event, forward);
          return [event, [forward]];
        }),
      );
      listener = s;
      const tuned = s as Server & { maxHeaderSize: number };
      tuned.maxHeaderSize = (server as Server & { maxHeaderSize: number }).maxHeaderSize;
      s.headersTimeout = server.headersTimeout;
      s.requestTimeout = server.requestTimeout;
      // Certificates reload with the rest: new handshakes use the files as they are now.
      const tls = config.listen.tls;
      if (tls && 'setSecureContext' in s)
        (s as unknown as { setSecureContext(o: object): void }).setSecureContext({
          cert: readFileSync(tls.cert),
          key: readFileSync(tls.key),
          ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
        });
      await policies
        .ready()
        .catch((err: Error) => log.warn({ err: err.message }, 'rate-limit store not reachable yet'));
      for (const { upstream } of upstreams) upstream.startHealthChecks();
      const before = previous.admin;
      // The same admin address as before (the port actually bound, when the config said 0).
      const bound = before?.listening ? (before.address() as AddressInfo) : undefined;
      if (before?.listening) {
        // Stops accepting at once (the port is free for ours); its open connections — the POST /reload
        // being answered, dashboards' streams — end when the previous gateway retires.
        before.close();
        before.closeIdleConnections();
      }
      if (admin && config.admin) await listenOn(admin, config.admin.host, bound?.port ?? config.admin.port);
    },
    async retire(grace, keepPolicies) {
      const deadline = Date.now() + grace;
      while (active.count > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20)); // 20 ms
      const cut = active.count;
      await Promise.all(upstreams.map(({ upstream }) => upstream.close()));
      board?.stream.close();
      if (admin && !admin.listening) admin.closeAllConnections();
      if (!keepPolicies) await policies.close();
      accessLog.close();
      log.flush();
      return { cut };
    },
    dashboard,
    dashboardData,
    log,
    get draining() {
      return draining;
    },
    get inFlight() {
      return active.count;
    },
    async listen() {
      // A shared store that cannot be reached is not fatal: its failure policy (open/closed) answers meanwhile.
      await policies
        .ready()
        .catch((err: Error) => log.warn({ err: err.message }, 'rate-limit store not reachable yet'));
      const url = await listenOn(server, config.listen.host, config.listen.port, config.listen.tls ? 'https' : 'http');
      for (const { upstream } of upstreams) upstream.startHealthChecks();
      const adminUrl = admin && config.admin ? await listenOn(admin, config.admin.host, config.admin.port) : undefined;
      return { url, adminUrl };
    },
    notReady,
    readyReport: () => readiness.report(),
    metricsText,
    flushLogs: () => accessLog.flush(),
    async shutdown(grace = config.drain.grace) {
      draining = true;
      log.info({ in_flight: active.count, grace_ms: grace }, 'draining');
      const cut = await drain(listener, active, grace, tunnels);
      await Promise.all(upstreams.map(({ upstream }) => upstream.close()));
      board?.stream.close();
      if (admin?.listening) {
        admin.closeAllConnections();
        await new Promise((resolve) => admin.close(resolve));
      }
      await policies.close();
      await options.onClose?.();
      accessLog.close();
      log.info({ cut }, 'stopped');
      log.flush();
      return { cut };
    },
  };
  return gateway;
}

type Listener = (...args: unknown[]) => void;
const HANDLERS = Symbol('statuskit.gateway.handlers');
/** The events the front attaches to its server (../server/pipeline.ts attach). */
const FRONT_EVENTS = ['request', 'checkContinue', 'checkExpectation', 'clientError', 'connect', 'upgrade'] as const;

function ownHandlers(server: Server): Map<string, Listener[]> {
  return new Map(FRONT_EVENTS.map((event) => [event, server.listeners(event) as Listener[]]));
}

/**
 * Stops accepting and waits until every connection ended, closing each one
 * as soon as it is idle (a kept-alive connection would otherwise hold the
 * server open; a request that still arrives on it gets the draining 503).
 * At `grace` ms the rest are cut, WebSocket tunnels included. Resolves
 * with the number of forwarded requests cut.
 */
async function drain(server: Server, active: { count: number }, grace: number, tunnels: Set<Duplex>): Promise<number> {
  if (!server.listening) return 0;
  const deadline = Date.now() + grace;
  let closed = false;
  server.close(() => {
    closed = true;
  });
  while (!closed) {
    server.closeIdleConnections();
    if (Date.now() >= deadline) {
      const cut = active.count;
      server.closeAllConnections();
      // Upgraded connections left node:http's bookkeeping: they are ended here, as the grace ran out.
      for (const socket of tunnels) socket.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      return cut;
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // 20 ms
  }
  return 0;
}

/** The listener's TLS / HTTP/2 (../server/h2.ts), the PEM files read now; undefined for cleartext HTTP/1.1. */
function transportOf(config: GatewayConfig, log: Logger): Transport | undefined {
  const { tls, http2 } = config.listen;
  if (!tls && !http2) return undefined;
  // A peer's bad frame, reset stream or failed handshake: node answered it (RFC 9113 §5.4); it is logged, not fatal.
  const onError = (err: Error, where: string): void => log.warn({ where, err: err.message }, 'http2/tls peer error');
  if (!tls) return { http2: true, onError };
  const material = { cert: readFileSync(tls.cert), key: readFileSync(tls.key), minVersion: tls.minVersion };
  return { tls: tls.ca ? { ...material, ca: readFileSync(tls.ca) } : material, http2, onError };
}
