/**
 * What open dashboards cost the gateway: the gateway benchmark's statuskit
 * server (bench/gateway/servers.ts: every guard, access log, metrics) under
 * the same load, with no dashboard open and with 10 reading the admin port's
 * event stream (one snapshot a second each), the two alternating round by
 * round. The dashboards are read from this process, not the gateway's.
 *   node --import tsx bench/dashboard.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DashboardStats } from '../src/gateway/telemetry/dashboard/stats.ts';
import { DashboardView } from '../src/gateway/telemetry/dashboard/view.ts';
import type { RequestContext } from '../src/server/types.ts';
import { type LoadResult, measure } from './lib/load.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 4); // as bench/gateway.ts: the JIT's steady state
const CONNECTIONS = 50;
const DASHBOARDS = 10;
const PATH = '/streams/example';
const SCRIPT = fileURLToPath(new URL('./gateway/servers.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  port: number;
  adminPort: number;
  stop(): Promise<void>;
}

async function start(kind: string, upstream: string): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, kind, upstream], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [port, adminPort] = await new Promise<[number, number]>((resolve, reject) => {
    let text = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const m = /listening (\d+)(?: admin (\d+))?/.exec(text);
      if (m) {
        child.stdout?.off('data', onData);
        child.stdout?.resume(); // the access log, discarded
        resolve([Number(m[1]), Number(m[2] ?? 0)]);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${kind} exited with ${code} before listening`)));
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  return { child, port, adminPort, stop };
}

/** `n` dashboards reading the event stream to the end; returns how many events they got, and the closer. */
async function openDashboards(adminPort: number, n: number): Promise<{ events: () => number; close: () => void }> {
  const ac = new AbortController();
  let events = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const res = await fetch(`http://127.0.0.1:${adminPort}/dashboard/events`, { signal: ac.signal });
      void (async () => {
        try {
          for await (const chunk of res.body ?? []) events += String(chunk).length > 0 ? 1 : 0;
        } catch {
          // aborted at the end of the round
        }
      })();
    }),
  );
  return { events: () => events, close: () => ac.abort() };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * The stream's work in this process, without the noise of a shared machine:
 * 15 min of 5 routes at 5,000 answers a second (1 in 50 an error) recorded,
 * then a tick a second built and serialised, as the stream does for any
 * number of dashboards (built once, written to each).
 */
async function tickCost(): Promise<{ recordUs: number; tickMs: number; tickBytes: number }> {
  let now = 1_800_000_000_000;
  const stats = new DashboardStats({ errorCode: (s) => `SVC.0${s}`, clock: () => now });
  const routes = ['/a', '/b', '/c', '/d', '(none)'];
  const ctxs = Array.from(
    { length: 50 },
    (_, i) =>
      ({
        requestId: `id-${i}`,
        method: 'GET',
        path: '/x',
        route: {},
        state: i === 0 ? { error_subcode: 'UPSTREAM_CONNECT', upstream: 'http://t' } : {},
        req: { headers: { 'user-agent': 'bench' }, socket: { remoteAddress: '127.0.0.1' } },
      }) as unknown as RequestContext,
  );
  const second = (): void => {
    for (let i = 0; i < 5000; i++)
      stats.record(
        routes[i % 5] as string,
        ctxs[i % 50] as RequestContext,
        i % 50 === 0 ? 502 : 200,
        1 + (i % 100),
        undefined,
      );
    now += 1000;
  };
  const t0 = performance.now();
  for (let s = 0; s < 900; s++) second();
  const recordUs = ((performance.now() - t0) * 1000) / (900 * 5000);
  const source = async (a: number, b: number, c: number) => [
    { pid: 1, seconds: stats.collect(a, b, c), targets: [], draining: false, inFlight: 0 },
  ];
  const view = new DashboardView(source, routes, () => now);
  view.tick(await view.refresh());
  const times: number[] = [];
  let tickBytes = 0;
  for (let k = 0; k < 60; k++) {
    second();
    const a = performance.now();
    tickBytes = JSON.stringify(view.tick(await view.refresh())).length;
    times.push(performance.now() - a);
  }
  return { recordUs, tickMs: median(times), tickBytes };
}

const cost = await tickCost();
const load = loadavg()[0] ?? Number.NaN;
const upstream = await start('upstream', '');
const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
const variants = [
  { name: 'statuskit gateway, no dashboard open', dashboards: 0, results: [] as LoadResult[], chunks: 0 },
  { name: `statuskit gateway, ${DASHBOARDS} dashboards open`, dashboards: DASHBOARDS, results: [], chunks: 0 },
];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < variants.length; i++) {
      const v = variants[(i + round) % variants.length]!;
      const server = await start('statuskit', upstreamUrl);
      const boards = v.dashboards ? await openDashboards(server.adminPort, v.dashboards) : undefined;
      try {
        const url = `http://127.0.0.1:${server.port}${PATH}`;
        await measure({ url, connections: CONNECTIONS, durationSec: WARMUP_S });
        v.results.push(await measure({ url, connections: CONNECTIONS, durationSec: DURATION_S }));
        v.chunks += boards?.events() ?? 0;
      } finally {
        boards?.close();
        await server.stop();
      }
      console.error(`round ${round + 1}: ${v.name} ${Math.round(v.results.at(-1)?.rps ?? 0)} rps`);
    }
  }
} finally {
  await upstream.stop();
}

const [none, open] = variants as [(typeof variants)[0], (typeof variants)[0]];
const change = median(open.results.map((r, i) => r.rps / none.results[i]!.rps)) - 1;
const markdown = [
  `${machine()}. The gateway benchmark's statuskit server (every guard, access log, metrics), ${CONNECTIONS}`,
  `connections, GET ${PATH}, ${ROUNDS} rounds of ${DURATION_S} s (after ${WARMUP_S} s warm-up), the two variants`,
  `alternating; the ${DASHBOARDS} dashboards read /dashboard/events from the benchmark's process. The dashboard's`,
  'recorder is on in both (it is always on); the difference is the stream: one snapshot a second, written to each.',
  '',
  table(
    variants.map((v) => ({
      variant: v.name,
      rps: Math.round(median(v.results.map((r) => r.rps))),
      'p50 ms': median(v.results.map((r) => r.p50)),
      'p99 ms': median(v.results.map((r) => r.p99)),
      'stream chunks read': v.chunks,
    })),
  ),
  '',
  table([
    {
      ratio: `throughput change with ${DASHBOARDS} dashboards open (median of per-round ratios)`,
      value: `${(change * 100).toFixed(1)} %`,
      goal: '≥ −2 %',
    },
  ]),
  '',
  `1-minute load average at the start: ${load.toFixed(1)} on ${machine().split(',')[0]}. The stream's own work,`,
  'measured in process (15 min of 5 routes at 5,000 answers a second recorded, then one tick a second):',
  '',
  table([
    { measure: 'recording one answer (always on)', value: `${cost.recordUs.toFixed(2)} µs` },
    { measure: 'building and serialising one tick (median of 60)', value: `${cost.tickMs.toFixed(2)} ms` },
    { measure: 'one tick', value: `${cost.tickBytes} B` },
    {
      measure: `share of one core the ticks take (1 a second, for any number of dashboards)`,
      value: `${(cost.tickMs / 10).toFixed(2)} %`,
    },
  ]),
].join('\n');
writeSection('dashboard', markdown);
console.log(markdown);
