import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TextOutput } from '../io.ts';
import type { RunningLab } from '../lab/index.ts';
import { createAdminPort } from './admin-port.ts';
import { banner } from './banner.ts';
import { ClusterCounters, REFRESH } from './cluster-counters.ts';
import type { GatewayConfig } from './config/index.ts';
import { type Gateway, ListenError } from './gateway.ts';
import type { Reloads } from './launch.ts';
import { urlOf } from './listener.ts';
import { answerReplay, ReplayCache } from './policies/auth/ipc-replay.ts';
import { createLogger } from './telemetry/access-log.ts';
import type { NotReady, ReadyReport, ReloadResult } from './telemetry/admin.ts';
import { answerDashboard, workerSource } from './telemetry/dashboard/index.ts';
import { type Family, merge, render } from './telemetry/prometheus.ts';

/** Messages between the primary and its workers, over the cluster's IPC channel. */
type Message =
  | { statuskit: 'scrape'; id: number }
  | {
      statuskit: 'scraped';
      id: number;
      families: Family[];
      notReady: NotReady | undefined;
      report: ReadyReport | undefined;
    }
  | { statuskit: 'drain' }
  | { statuskit: 'reload' };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && 'statuskit' in m;

/** How long the primary waits for a worker's metrics before leaving it out. */
const SCRAPE_TIMEOUT = 2_000; // 2 s

export interface PrimaryOptions {
  /** SIGHUP (or the admin port's POST /reload) and how to read the configuration again (./launch.ts). */
  reload?: Reloads;
  config: GatewayConfig;
  workers: number;
  banner?: boolean;
  io: TextOutput;
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
  const counters = new ClusterCounters();
  // The one replay cache of the cluster (without Redis): every worker asks here.
  const auth = config.policies.auth;
  const replay = auth && !auth.replayRedis ? new ReplayCache({ maxEntries: auth.replayCache }) : undefined;

  const fork = (): Worker => {
    const worker = cluster.fork(env);
    worker.on('message', (m: unknown) => {
      if (replay && answerReplay(replay, m, (answer) => worker.isConnected() && worker.send(answer))) return;
      if (isMessage(m) && m.statuskit === 'scraped') pending.get(m.id)?.(m);
    });
    worker.on('exit', (code, signal) => {
      counters.retire(String(worker.id));
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

  type Reply = { worker: string; families: Family[]; notReady: NotReady | undefined; report: ReadyReport | undefined };
  /** Every live worker's answer; `parts` also gets what to merge for /metrics (see ClusterCounters). */
  const scrape = async (parts?: { worker: string; families: Family[] }[]): Promise<Reply[]> => {
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    const answers = await Promise.all(
      workers.map(
        (w) =>
          new Promise<Reply | undefined>((resolve) => {
            const id = ++seq;
            const timer = setTimeout(() => {
              pending.delete(id);
              resolve(undefined);
            }, SCRAPE_TIMEOUT);
            pending.set(id, (m) => {
              clearTimeout(timer);
              pending.delete(id);
              resolve({ worker: String(w.id), families: m.families, notReady: m.notReady, report: m.report });
            });
            w.send({ statuskit: 'scrape', id } satisfies Message);
          }),
      ),
    );
    const replies: Reply[] = [];
    answers.forEach((r, i) => {
      const worker = String(workers[i]?.id);
      if (r) {
        counters.seen(worker, r.families);
        replies.push(r);
        parts?.push(r);
      } else {
        const stale = counters.stale(worker);
        if (stale) parts?.push({ worker, families: stale });
      }
    });
    parts?.push({ worker: 'retired', families: counters.retired });
    return replies;
  };
  const refresh = setInterval(() => void scrape(), REFRESH);
  refresh.unref();
  // /readyz asks for readiness and the report at once: one scrape answers both.
  let asking: Promise<Reply[]> | undefined;
  const ask = (): Promise<Reply[]> =>
    (asking ??= scrape().finally(() => {
      asking = undefined;
    }));

  // The dashboard's seconds come from every worker and are summed, as /metrics merges their families.
  // SIGHUP / POST /reload: the primary checks the file first, so no worker swaps to a configuration that does not validate.
  const reloadAll = async (): Promise<ReloadResult> => {
    try {
      options.reload?.config();
    } catch (err) {
      const message = (err as Error).message;
      log.error({ err: message }, 'reload refused: the configuration does not validate; the old one keeps serving');
      options.io.err(`statuskit: reload refused, the old configuration keeps serving:\n${message}`);
      return { reloaded: false, message: `The configuration does not validate; the old one keeps serving. ${message}` };
    }
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w?.isConnected() === true);
    for (const w of workers) w.send({ statuskit: 'reload' } satisfies Message);
    return { reloaded: true, message: `Reload sent to ${workers.length} workers.` };
  };

  const adminPort = createAdminPort(config, {
    source: workerSource(),
    ...(options.reload ? { reload: reloadAll } : {}),
    metrics: async () => {
      const parts: { worker: string; families: Family[] }[] = [];
      await scrape(parts);
      return render(merge(parts));
    },
    ready: async () => {
      if (stopping) return { reason: 'the gateway is draining.' };
      const replies = await ask();
      if (replies.length === 0) return { reason: 'no worker is running.', retryAfter: 1 };
      return replies.find((r) => r.notReady)?.notReady;
    },
    // Each worker's own view: health checks, breakers and store connections are per process.
    report: async () => ({
      workers: Object.fromEntries((await ask()).map((r) => [r.worker, r.report])),
    }),
    log,
  });
  const adminUrl = await adminPort?.listen();
  const first = listening[0]?.[0];
  const url = urlOf(config.listen.tls ? 'https' : 'http', {
    address: config.listen.host,
    port: first?.port ?? config.listen.port,
  });
  if (options.banner !== false) options.io.err(banner(fronted, url, adminUrl, lab !== undefined, options.workers));

  options.reload?.on(() => void reloadAll());

  await options.stopSignal;
  stopping = true;
  clearInterval(refresh);
  const exits = Object.values(cluster.workers ?? {})
    .filter((w): w is Worker => w !== undefined)
    .map((w) => {
      const exited = once(w, 'exit');
      if (w.isConnected()) w.send({ statuskit: 'drain' } satisfies Message);
      return exited;
    });
  await Promise.all(exits);
  await adminPort?.close();
  await lab?.close();
  log.flush();
  return 0;
}

/**
 * A worker: answers the primary's scrapes, drains on its word (or on a
 * signal of its own), then lets go of the IPC channel so the process ends.
 */
export async function runWorker(
  holder: { current: Gateway },
  stopSignal: Promise<NodeJS.Signals>,
  reload: () => void = () => {},
): Promise<number> {
  let onDrain: () => void = () => {};
  const drainAsked = new Promise<void>((resolve) => {
    onDrain = resolve;
  });
  const onMessage = (m: unknown): void => {
    if (!isMessage(m)) return;
    if (m.statuskit === 'drain') onDrain();
    else if (m.statuskit === 'reload') reload();
    else if (m.statuskit === 'scrape') {
      const gateway = holder.current;
      process.send?.({
        statuskit: 'scraped',
        id: m.id,
        families: gateway.metrics.families(),
        notReady: gateway.notReady(),
        report: gateway.readyReport(),
      } satisfies Message);
    }
  };
  process.on('message', onMessage);
  const stopAnswering = answerDashboard((since, until, histFrom) =>
    holder.current.dashboardData(since, until, histFrom),
  );
  await Promise.race([stopSignal, drainAsked]);
  await holder.current.shutdown();
  process.off('message', onMessage);
  stopAnswering();
  if (process.connected) process.disconnect();
  return 0;
}
