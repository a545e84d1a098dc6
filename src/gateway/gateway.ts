import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { DestinationStream } from 'pino';
import type { Guard, RouteDef } from '../server/types.ts';
import { type AdminPort, createAdminPort } from './admin-port.ts';
import type { GatewayConfig } from './config/index.ts';
import { createFront } from './front.ts';
import { drain, type Listener, listenOn, ownHandlers, settle, takeOver } from './listener.ts';
import { createDrainGuard } from './policies/guards/drain.ts';
import { createPolicies, type Policies, type PolicyHooks } from './policies/index.ts';
import { createRoutes, type GatewayRoutes } from './routes.ts';
import { createAccessLog, createLogger, type Logger } from './telemetry/access-log.ts';
import type { NotReady, ReadyReport, ReloadResult } from './telemetry/admin.ts';
import { createDashboardStats, type DashboardStats, processData } from './telemetry/dashboard/index.ts';
import type { ProcessData } from './telemetry/dashboard/stats.ts';
import { GatewayMetrics, liveFamilies, UNMATCHED } from './telemetry/metrics.ts';
import { policyFamilies } from './telemetry/policy-metrics.ts';
import { processFamilies } from './telemetry/process-metrics.ts';
import { type Family, render } from './telemetry/prometheus.ts';
import { createReadiness } from './telemetry/readiness.ts';
import { upstreamFamilies } from './upstream/targets.ts';

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
  const accessLog = createAccessLog(log);
  const active = { count: 0 };
  const tunnels = new Set<Duplex>();
  let draining = false;

  const { defs, upstreams, statsOf } = createRoutes(config, {
    log,
    metrics,
    dashboard,
    accessLog,
    active,
    tunnels,
    now: options.now,
    upstreamRoutes: options.upstreamRoutes,
  });
  const policies =
    options.policies ??
    createPolicies(config.policies, {
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.replay ? { replay: options.replay } : {}),
      onStoreFailure: (e) =>
        log.warn({ store: e.store, outcome: e.outcome, err: e.error.message }, 'rate-limit store failure'),
    });
  const server = createFront(config, options, {
    defs,
    statsOf,
    unmatched: metrics.route(UNMATCHED),
    guards: [createDrainGuard(() => draining, config.drain.retryAfter), ...policies.guards],
    metrics,
    dashboard,
    accessLog,
    log,
  });

  const { readiness, metricsText, dashboardData, adminPort } = createTelemetry(config, options, {
    metrics,
    dashboard,
    upstreams,
    policies,
    log,
    live: () => ({ draining, inFlight: active.count }),
  });

  /** Once listening: the shared stores connected (or their failure policy answering) and health checks on. */
  const start = async (): Promise<void> => {
    // A shared store that cannot be reached is not fatal: its failure policy (open/closed) answers meanwhile.
    await policies.ready().catch((err: Error) => log.warn({ err: err.message }, 'rate-limit store not reachable yet'));
    for (const { upstream } of upstreams) upstream.startHealthChecks();
  };
  /** What only this gateway uses, closed: upstream pools and health checks. */
  const closeOwn = async (): Promise<void> => {
    await Promise.all(upstreams.map(({ upstream }) => upstream.close()));
  };
  const finish = (): void => {
    accessLog.close();
    log.flush();
  };

  // What this gateway has on the listening server, for the one that takes it over (./reload.ts).
  let listener: Server = server;
  const own: Handover = { handlers: ownHandlers(server), adminPort };

  const gateway: Gateway & { [HANDOVER]: Handover } = {
    [HANDOVER]: own,
    config,
    server,
    admin: adminPort?.server,
    metrics,
    policies,
    get listener() {
      return listener;
    },
    async adopt(previous) {
      const theirs = (previous as typeof gateway)[HANDOVER];
      // From here on every new request, on a new or a kept-alive connection, is this gateway's.
      own.handlers = takeOver(previous.listener, theirs.handlers, server, config.listen.tls);
      listener = previous.listener;
      await start();
      // The same admin address as before (the port actually bound, when the config said 0).
      const before = previous.admin;
      const bound = before?.listening ? (before.address() as AddressInfo).port : undefined;
      theirs.adminPort?.handOver();
      await adminPort?.listen(bound);
    },
    async retire(grace, keepPolicies) {
      const cut = await settle(active, grace);
      await closeOwn();
      adminPort?.release();
      if (!keepPolicies) await policies.close();
      finish();
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
      await start();
      const { host, port, tls } = config.listen;
      const url = await listenOn(server, host, port, tls ? 'https' : 'http');
      const adminUrl = await adminPort?.listen();
      return { url, adminUrl };
    },
    notReady: readiness.notReady,
    readyReport: () => readiness.report(),
    metricsText,
    flushLogs: () => accessLog.flush(),
    async shutdown(grace = config.drain.grace) {
      draining = true;
      log.info({ in_flight: active.count, grace_ms: grace }, 'draining');
      const cut = await drain(listener, active, grace, tunnels);
      await closeOwn();
      await adminPort?.close();
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

/** What a reload's next gateway takes from this one: the handlers on the listening server, the admin port. */
interface Handover {
  handlers: Map<string, Listener[]>;
  adminPort: AdminPort | undefined;
}
const HANDOVER = Symbol('statuskit.gateway.handover');

/**
 * What the gateway tells of itself: the metric sources (upstreams, live
 * gauges, policies, the process, readiness), the dashboard's data and the
 * admin port that serves them.
 */
function createTelemetry(
  config: GatewayConfig,
  options: GatewayOptions,
  parts: {
    metrics: GatewayMetrics;
    dashboard: DashboardStats;
    upstreams: GatewayRoutes['upstreams'];
    policies: Policies;
    log: Logger;
    live: () => { draining: boolean; inFlight: number };
  },
) {
  const { metrics, upstreams, policies, live } = parts;
  metrics.addSource(() => {
    const now = live();
    return [...upstreamFamilies(upstreams), ...liveFamilies(now.inFlight, now.draining)];
  });
  metrics.addSource(() => policyFamilies(policies.stats()));
  metrics.addSource(processFamilies);
  for (const source of options.metricSources ?? []) metrics.addSource(source);
  const readiness = createReadiness(upstreams, policies.stores, () => live().draining);
  metrics.addSource(readiness.families);
  const metricsText = (): string => render(metrics.families());
  const dashboardData = processData(parts.dashboard, upstreams, live);
  const adminPort = createAdminPort(config, {
    source: async (since, until, histFrom) => [dashboardData(since, until, histFrom)],
    metrics: metricsText,
    ready: readiness.notReady,
    report: readiness.report,
    reload: options.reloadRequest,
    log: parts.log,
  });
  return { readiness, metricsText, dashboardData, adminPort };
}
