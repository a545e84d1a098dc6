import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { CommandIO } from '../cli/command.ts';
import type { RunningLab } from '../lab/index.ts';
import { createLogger } from './access-log.ts';
import { createAdminServer, type NotReady } from './admin.ts';
import { banner } from './banner.ts';
import type { GatewayConfig } from './config.ts';
import { type Gateway, ListenError } from './gateway.ts';
import { type Family, merge, render } from './prometheus.ts';

/** Messages between the primary and its workers, over the cluster's IPC channel. */
type Message =
  | { statuskit: 'scrape'; id: number }
  | { statuskit: 'scraped'; id: number; families: Family[]; notReady: NotReady | undefined }
  | { statuskit: 'drain' };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && 'statuskit' in m;

/** How long the primary waits for a worker's metrics before leaving it out. */
const SCRAPE_TIMEOUT = 2_000; // 2 s

export interface PrimaryOptions {
  config: GatewayConfig;
  workers: number;
  banner?: boolean;
  io: CommandIO;
  stopSignal: Promise<NodeJS.Signals>;
  withLab: (config: GatewayConfig) => Promise<{ config: GatewayConfig; lab: RunningLab | undefined }>;
}

/**
 * The cluster primary: starts the lab (once, when fronted), forks the
 * workers that share the gateway port, serves the admin port itself with
 * the workers' metrics merged, replaces a worker that dies, and on the stop
 * signal has every worker drain before it exits.
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { config: fronted, lab } = await options.withLab(options.config);
  const config = options.config;
  const log = createLogger(config.logLevel);
  const env = lab ? { STATUSKIT_LAB_URL: lab.url } : {};
  let stopping = false;
  let seq = 0;
  const pending = new Map<number, (m: Extract<Message, { statuskit: 'scraped' }>) => void>();

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('message', (m: unknown) => {
      if (isMessage(m) && m.statuskit === 'scraped') pending.get(m.id)?.(m);
    });
    worker.on('exit', (code, signal) => {
      if (stopping) return;
      log.error({ worker: worker.id, code, signal }, 'worker died; starting another');
      fork();
    });
    return worker;
  };

  const started: Worker[] = [];
  for (let i = 0; i < options.workers; i++) started.push(fork());
  const listening = await Promise.race([
    Promise.all(started.map((w) => once(w, 'listening') as Promise<[AddressInfo]>)),
    ...started.map((w) => once(w, 'exit').then(([code]) => Promise.reject(new Error(`worker exited with ${code}`)))),
  ]).catch(async (err: Error) => {
    stopping = true;
    for (const w of Object.values(cluster.workers ?? {})) w?.kill();
    await lab?.close();
    throw new ListenError(`The gateway workers could not start (${err.message}); run without --workers to see why.`);
  });

  const scrape = async (): Promise<{ worker: string; families: Family[]; notReady: NotReady | undefined }[]> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const replies = await Promise.all(
      workers.map(
        (w) =>
          new Promise<{ worker: string; families: Family[]; notReady: NotReady | undefined } | undefined>((resolve) => {
            const id = ++seq;
            const timer = setTimeout(() => {
              pending.delete(id);
              resolve(undefined);
            }, SCRAPE_TIMEOUT);
            pending.set(id, (m) => {
              clearTimeout(timer);
              pending.delete(id);
              resolve({ worker: String(w.id), families: m.families, notReady: m.notReady });
            });
            w.send({ statuskit: 'scrape', id } satisfies Message);
          }),
      ),
    );
    return replies.filter((r) => r !== undefined);
  };

  const admin =
    config.admin === false
      ? undefined
      : createAdminServer({
          profile: config.profile,
          metrics: async () => render(merge(await scrape())),
          ready: async () => {
            if (stopping) return { reason: 'the gateway is draining.' };
            const replies = await scrape();
            if (replies.length === 0) return { reason: 'no worker is running.', retryAfter: 1 };
            return replies.find((r) => r.notReady)?.notReady;
          },
        });
  let adminUrl: string | undefined;
  if (admin && config.admin) {
    admin.listen(config.admin.port, config.admin.host);
    await once(admin, 'listening');
    const a = admin.address() as AddressInfo;
    adminUrl = `http://${a.address}:${a.port}`;
  }
  const first = listening[0]?.[0];
  const url = `${config.listen.tls ? 'https' : 'http'}://${config.listen.host}:${first?.port ?? config.listen.port}`;
  if (options.banner !== false) options.io.err(banner(fronted, url, adminUrl, lab !== undefined, options.workers));

  await options.stopSignal;
  stopping = true;
  const exits = Object.values(cluster.workers ?? {})
    .filter((w): w is Worker => w !== undefined)
    .map((w) => {
      const exited = once(w, 'exit');
      if (w.isConnected()) w.send({ statuskit: 'drain' } satisfies Message);
      return exited;
    });
  await Promise.all(exits);
  if (admin?.listening) {
    admin.closeAllConnections();
    await new Promise((resolve) => admin.close(resolve));
  }
  await lab?.close();
  log.flush();
  return 0;
}

/**
 * A worker: answers the primary's scrapes, drains on its word (or on a
 * signal of its own), then lets go of the IPC channel so the process ends.
 */
export async function runWorker(gateway: Gateway, stopSignal: Promise<NodeJS.Signals>): Promise<number> {
  let onDrain: () => void = () => {};
  const drainAsked = new Promise<void>((resolve) => {
    onDrain = resolve;
  });
  const onMessage = (m: unknown): void => {
    if (!isMessage(m)) return;
    if (m.statuskit === 'drain') onDrain();
    else if (m.statuskit === 'scrape')
      process.send?.({
        statuskit: 'scraped',
        id: m.id,
        families: gateway.metrics.families(),
        notReady: gateway.notReady(),
      } satisfies Message);
  };
  process.on('message', onMessage);
  await Promise.race([stopSignal, drainAsked]);
  await gateway.shutdown();
  process.off('message', onMessage);
  if (process.connected) process.disconnect();
  return 0;
}
