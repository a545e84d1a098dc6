import cluster from 'node:cluster';
import type { TextOutput } from '../io.ts';
import { createLab, type RunningLab, startLab } from '../lab/index.ts';
import type { RouteDef } from '../server/types.ts';
import { banner } from './banner.ts';
import { runPrimary, runWorker } from './cluster.ts';
import { DEFAULTS, type GatewayConfig, readGatewayConfig } from './config/index.ts';
import type { RouteConfig } from './config/route.ts';
import { createGateway, type Gateway, type GatewayOptions, ListenError } from './gateway.ts';
import { IpcReplayStore } from './policies/auth/ipc-replay.ts';
import { reloadGateway } from './reload.ts';
import type { ReloadResult } from './telemetry/admin.ts';

/** Where reloads come from (SIGHUP, in the CLI shell) and how the configuration is read again (throws when it does not validate). */
export interface Reloads {
  on(listener: () => void): void;
  config(): GatewayConfig;
}

export interface LaunchOptions {
  /** Reload on request: in place, without dropping a request (./reload.ts). @default none */
  reload?: Reloads;
  /** Validated configuration; with no routes the lab is started and fronted. */
  config: GatewayConfig;
  /** Processes sharing the port (node:cluster); 1 = this process only. @default 1 */
  workers?: number;
  /** Print the start-up banner (stderr). @default true */
  banner?: boolean;
  io: TextOutput;
  stopSignal: Promise<NodeJS.Signals>;
}

/** Environment variable a cluster primary passes the lab's address in. */
export const LAB_URL_ENV = 'STATUSKIT_LAB_URL';

/** The catch-all route `/` to one upstream, with every route default. */
export function defaultRoute(url: string): RouteConfig {
  const { config, issues } = readGatewayConfig({ routes: [{ path: '/', targets: [url] }] });
  if (issues.length || !config.routes[0]) throw new TypeError(`Not an upstream URL: ${url}`);
  return config.routes[0];
}

/**
 * The embedded lab's route table, for the gateway route in front of it (see
 * ./proxy/split-route.ts). A cluster worker did not start the lab: it builds the same
 * table from the same options (the routes are code; the state is discarded).
 */
function labRoutes(config: GatewayConfig, lab: RunningLab | undefined): Record<string, readonly RouteDef[]> {
  if (lab) return { '/': lab.lab.routes };
  const table = createLab({ profile: config.profile });
  table.close();
  return { '/': table.routes };
}

async function withLab(config: GatewayConfig): Promise<{ config: GatewayConfig; lab: RunningLab | undefined }> {
  if (config.routes.length) return { config, lab: undefined };
  const given = process.env[LAB_URL_ENV];
  if (cluster.isWorker && given) return { config: { ...config, routes: [defaultRoute(given)] }, lab: undefined };
  // The lab listens on an ephemeral loopback port: only this gateway reaches it.
  const lab = await startLab({ port: 0, host: '127.0.0.1', profile: config.profile });
  return { config: { ...config, routes: [defaultRoute(lab.url)] }, lab };
}

export async function listenOrExplain(gateway: Gateway): Promise<{ url: string; adminUrl: string | undefined }> {
  try {
    return await gateway.listen();
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    const where = `${e.address ?? gateway.config.listen.host}:${e.port ?? ''}`;
    const why =
      e.code === 'EADDRINUSE'
        ? `${where} is already in use (choose another with --port / --admin-port)`
        : e.code === 'EACCES'
          ? `no permission to listen on ${where}`
          : e.code === 'EADDRNOTAVAIL'
            ? `${where} is not an address of this machine`
            : e.message;
    await gateway.shutdown(0);
    throw new ListenError(`The gateway cannot listen: ${why}.`);
  }
}

/**
 * Runs the gateway until the stop signal: in this process, or as a cluster
 * primary with `workers` processes sharing the port. Resolves with the exit
 * status once everything has shut down.
 */
export async function launch(options: LaunchOptions): Promise<number> {
  const workers = options.workers ?? DEFAULTS.workers;
  if (workers > 1 && cluster.isPrimary) return runPrimary({ ...options, workers, withLab });
  const { config, lab } = await withLab(options.config);
  const fronted = options.config.routes.length === 0;
  // In a cluster the primary serves the admin port, with every worker's metrics.
  // Replay protection without Redis is the primary's, shared by every worker (./auth/ipc-replay.ts).
  const sharedReplay = cluster.isWorker && config.policies.auth !== undefined && !config.policies.auth.replayRedis;
  // What every gateway of this process is built with, the reloaded ones too.
  let reloadNow: () => Promise<ReloadResult> = async () => ({ reloaded: false, message: 'Not started yet.' });
  const base: GatewayOptions = {
    ...(sharedReplay ? { replay: new IpcReplayStore() } : {}),
    ...(options.reload && !cluster.isWorker ? { reloadRequest: () => reloadNow() } : {}),
  };
  const forLab = fronted ? labRoutes(config, lab) : undefined;
  const gateway = createGateway(cluster.isWorker ? { ...config, admin: false } : config, {
    ...base,
    ...(forLab ? { upstreamRoutes: forLab } : {}),
  });
  let addresses: { url: string; adminUrl: string | undefined };
  try {
    addresses = await listenOrExplain(gateway);
  } catch (error) {
    await lab?.close();
    throw error;
  }
  const holder = { current: gateway };
  let queue: Promise<unknown> = Promise.resolve();
  // One reload at a time, in the order asked.
  reloadNow = () => {
    const done = queue.then(() => reloadOnce(holder, options, lab, base, forLab));
    queue = done;
    return done;
  };
  const reload = (): void => void reloadNow();
  if (cluster.isWorker) return runWorker(holder, options.stopSignal, reload);
  options.reload?.on(reload);
  if (options.banner !== false) options.io.err(banner(config, addresses.url, addresses.adminUrl, lab !== undefined, 1));
  await options.stopSignal;
  await queue;
  await holder.current.shutdown();
  await lab?.close();
  return 0;
}

/** One reload: read and validate the configuration again, then swap in place; on any problem the old one keeps serving. */
async function reloadOnce(
  holder: { current: Gateway },
  options: LaunchOptions,
  lab: RunningLab | undefined,
  base: GatewayOptions,
  forLab: Record<string, readonly RouteDef[]> | undefined,
): Promise<ReloadResult> {
  const log = holder.current.log;
  let next: GatewayConfig;
  try {
    if (!options.reload) return { reloaded: false, message: 'This gateway was started without a way to reload.' };
    next = options.reload.config();
  } catch (err) {
    const message = (err as Error).message;
    log.error({ err: message }, 'reload refused: the configuration does not validate; the old one keeps serving');
    if (!cluster.isWorker)
      options.io.err(`statuskit: reload refused, the old configuration keeps serving:\n${message}`);
    return { reloaded: false, message: `The configuration does not validate; the old one keeps serving. ${message}` };
  }
  // Fronting the lab: the same lab, which keeps running across reloads.
  const fronted = next.routes.length === 0;
  const labUrl = lab?.url ?? (cluster.isWorker ? process.env[LAB_URL_ENV] : undefined);
  if (fronted && labUrl) next = { ...next, routes: [defaultRoute(labUrl)] };
  if (cluster.isWorker) next = { ...next, admin: false };
  try {
    holder.current = await reloadGateway(holder.current, next, {
      ...base,
      ...(fronted && forLab ? { upstreamRoutes: forLab } : {}),
    });
    return { reloaded: true, message: `Reloaded: ${next.routes.map((r) => r.path).join(', ')}.` };
  } catch (err) {
    const message = (err as Error).message;
    log.error({ err: message }, 'reload refused');
    if (!cluster.isWorker) options.io.err(`statuskit: reload refused: ${message}`);
    return { reloaded: false, message };
  }
}
