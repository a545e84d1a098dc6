/**
 * The admin port of `config.admin` as one part: the admin server
 * (./telemetry/admin.ts) with the dashboard's routes (./telemetry/dashboard/)
 * mounted on it.
 * A single gateway and a cluster's primary build it the same way; they
 * differ only in where the data comes from (this process, or every worker).
 */
import type { Server } from 'node:http';
import type { GatewayConfig } from './config/index.ts';
import { listenOn } from './listener.ts';
import type { Logger } from './telemetry/access-log.ts';
import { type AdminOptions, createAdminServer, type ReloadResult } from './telemetry/admin.ts';
import { createDashboard } from './telemetry/dashboard/index.ts';
import type { DataSource } from './telemetry/dashboard/view.ts';
import { UNMATCHED } from './telemetry/metrics.ts';

export interface AdminPortParts {
  /** The dashboard's seconds, targets and live counts. */
  source: DataSource;
  metrics: AdminOptions['metrics'];
  ready: AdminOptions['ready'];
  report: AdminOptions['report'];
  /** POST /reload. @default no /reload */
  reload?: (() => Promise<ReloadResult>) | undefined;
  log: Logger;
}

export interface AdminPort {
  readonly server: Server;
  /** Binds the configured address, or `port` (a reload keeps the one bound before). Resolves with its URL. */
  listen(port?: number): Promise<string>;
  /** Shutdown: ends the dashboard's streams and every admin connection; resolves when the port is closed. */
  close(): Promise<void>;
  /**
   * Reload, the old side: stops accepting at once so the new gateway can bind
   * the same port; open connections (the POST /reload being answered, the
   * dashboards' streams) live on until `release`.
   */
  handOver(): void;
  /** Reload, once retired: ends the dashboard's streams, and the connections of a port handed over. */
  release(): void;
}

/** The admin port, or undefined when `config.admin` is false. */
export function createAdminPort(config: GatewayConfig, parts: AdminPortParts): AdminPort | undefined {
  const at = config.admin;
  if (at === false) return undefined;
  const board = createDashboard({
    profile: config.profile,
    source: parts.source,
    routes: [...config.routes.map((r) => r.path), UNMATCHED],
    host: at.host,
    token: at.token,
    onError: (err) => parts.log.error({ err }, 'dashboard failed'),
  });
  const server = createAdminServer({
    profile: config.profile,
    host: at.host,
    ...(at.token ? { token: at.token } : {}),
    ...(parts.reload ? { reload: parts.reload } : {}),
    metrics: parts.metrics,
    ready: parts.ready,
    ...(parts.report ? { report: parts.report } : {}),
    routes: board.routes,
  });
  return {
    server,
    listen: (port = at.port) => listenOn(server, at.host, port),
    handOver() {
      if (!server.listening) return;
      server.close();
      server.closeIdleConnections();
    },
    release() {
      board.stream.close();
      if (!server.listening) server.closeAllConnections();
    },
    async close() {
      board.stream.close();
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
