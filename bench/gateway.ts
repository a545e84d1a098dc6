/**
 * The gateway against its peers, one shared upstream, same run:
 * direct to the upstream, statuskit (every guard, access log, metrics on),
 * a minimal undici proxy (bare, and adding the fields statuskit adds), fast-gateway, @fastify/http-proxy, and nginx when
 * installed. Each server runs in its own child process; wrk (or autocannon)
 * loads it from another. Reports rps, p50/p99 and peak RSS, with ratios.
 *   node --import tsx bench/gateway.ts            (BENCH_PROFILE=1: --cpu-prof for statuskit)
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type LoadResult, measure } from './lib/load.ts';
import { freePort, listeningPort, stopChild } from './lib/proc.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
/**
 * Load before measuring: the JIT needs it. Measured one second at a time from a cold start,
 * statuskit and the Node peers reach their steady throughput after 2–4 s, the minimal proxy
 * (less code to compile) after 1–2 s; a long-running gateway lives in the steady state.
 */
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 4);
const CONNECTIONS = 50;
const PATH = '/streams/example';
const SCRIPT = fileURLToPath(new URL('./gateway/servers.ts', import.meta.url));

interface Running {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startNode(kind: string, upstream: string, profileDir?: string): Promise<Running> {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', SCRIPT, kind, upstream], {
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await listeningPort(child, kind);
  return { child, port, stop: () => stopChild(child) };
}

function nginxInstalled(): boolean {
  return spawnSync('nginx', ['-v']).status === 0;
}

/** nginx with one worker, keep-alive to the upstream, no access log: its best case. */
async function startNginx(upstreamPort: number): Promise<Running> {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-bench-nginx-'));
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  const port = await freePort();
  const conf = `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  upstream up { server 127.0.0.1:${upstreamPort}; keepalive 128; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${port}${PATH}`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    port,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Peak resident set size of a process in MiB (VmHWM), or NaN where /proc is not there. */
function peakRssMiB(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1]);
    return kb / 1024;
  } catch {
    return Number.NaN;
  }
}

async function run(port: number): Promise<LoadResult> {
  const url = `http://127.0.0.1:${port}${PATH}`;
  await measure({ url, connections: CONNECTIONS, durationSec: WARMUP_S });
  return measure({ url, connections: CONNECTIONS, durationSec: DURATION_S });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

interface Row {
  name: string;
  results: LoadResult[];
  rss: number;
}

/*
 * Every server is measured in ROUNDS rounds, the order rotating each round:
 * a busy moment of the machine then hits every server alike, and the ratios
 * are the medians of each round's ratios. A server runs only while it is
 * measured (started fresh each round), so no idle peer holds connections to
 * the shared upstream meanwhile.
 */
const profileDir = process.env.BENCH_PROFILE ? mkdtempSync(join(tmpdir(), 'statuskit-gw-prof-')) : undefined;
const upstream = await startNode('upstream', '');
const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
const peers: [string, () => Promise<Running | undefined>][] = [
  ['direct (no proxy)', async () => undefined],
  ['statuskit gateway', () => startNode('statuskit', upstreamUrl, profileDir)],
  ['minimal undici proxy', () => startNode('undici-proxy', upstreamUrl)],
  ["minimal undici proxy + statuskit's fields", () => startNode('undici-proxy-fields', upstreamUrl)],
  ['fast-gateway', () => startNode('fast-gateway', upstreamUrl)],
  ['@fastify/http-proxy', () => startNode('fastify-http-proxy', upstreamUrl)],
];
if (nginxInstalled()) peers.push(['nginx (1 worker)', () => startNginx(upstream.port)]);
const rows: Row[] = peers.map(([name]) => ({ name, results: [], rss: Number.NaN }));
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < peers.length; i++) {
      const k = (i + round) % peers.length;
      const [name, start] = peers[k]!;
      const row = rows[k]!;
      const server = await start();
      try {
        row.results.push(await run(server?.port ?? upstream.port));
        if (server) row.rss = Math.max(Number.isNaN(row.rss) ? 0 : row.rss, peakRssMiB(server.child.pid));
      } finally {
        await server?.stop();
      }
      console.error(`round ${round + 1}: ${name} ${Math.round(row.results.at(-1)?.rps ?? 0)} rps`);
    }
  }
} finally {
  await upstream.stop();
}

const byName = (n: string) => rows.find((r) => r.name === n)!;
const rps = (r: Row) => median(r.results.map((x) => x.rps));
const statuskit = byName('statuskit gateway');
const nodePeers = ['fast-gateway', '@fastify/http-proxy'].map(byName);
const bestPeer = nodePeers.reduce((a, b) => (rps(b) > rps(a) ? b : a));
const undiciProxy = byName('minimal undici proxy');
const undiciFields = byName("minimal undici proxy + statuskit's fields");
const fmt = (n: number) => (Number.isFinite(n) ? n : Number.NaN);
/** The median over rounds of statuskit's value ÷ the other's, in the same round. */
const ratio = (of: (r: LoadResult) => number, other: Row): number =>
  median(statuskit.results.map((r, i) => of(r) / of(other.results[i]!)));

const markdown = [
  `${machine()}. ${CONNECTIONS} connections, ${ROUNDS} rounds of ${DURATION_S} s per server (after ${WARMUP_S} s warm-up each),`,
  `the order rotating each round; GET ${PATH}`,
  `(${Buffer.byteLength('{"id":"example","partitions":1,"retention_hours":24,"status":"ACTIVE"}')} B JSON) from one shared`,
  `upstream; every server in its own process, load from ${rows[0]?.results[0]?.tool ?? 'wrk'} in another. statuskit runs with`,
  'every front guard, rate limit (keyed per connection, so it decides but never refuses) + load shedding +',
  'body budget, JSON access log to stdout and metrics on, from the built dist/. Values are medians over the rounds;',
  'ratios are medians of the per-round ratios.',
  '',
  table(
    rows.map((r) => ({
      server: r.name,
      rps: Math.round(rps(r)),
      'p50 ms': median(r.results.map((x) => x.p50)),
      'p99 ms': median(r.results.map((x) => x.p99)),
      'peak RSS MiB': fmt(r.rss),
      'errors / non-2xx': `${r.results.reduce((a, x) => a + x.errors, 0)} / ${r.results.reduce((a, x) => a + x.non2xx, 0)}`,
    })),
  ),
  '',
  table([
    {
      ratio: `statuskit rps ÷ best Node gateway peer (${bestPeer.name})`,
      value: ratio((r) => r.rps, bestPeer),
      goal: '≥ 1.5',
    },
    { ratio: 'statuskit rps ÷ minimal undici proxy', value: ratio((r) => r.rps, undiciProxy), goal: '≥ 0.8' },
    {
      ratio: 'minimal undici proxy + the same fields ÷ minimal undici proxy (what the fields cost alone)',
      value: median(undiciFields.results.map((r, i) => r.rps / undiciProxy.results[i]!.rps)),
      goal: '–',
    },
    {
      ratio: "statuskit rps ÷ minimal undici proxy + the same fields (statuskit's machinery)",
      value: ratio((r) => r.rps, undiciFields),
      goal: '–',
    },
    { ratio: `statuskit p99 ÷ ${bestPeer.name} p99`, value: ratio((r) => r.p99, bestPeer), goal: '≤ 1' },
  ]),
].join('\n');

writeSection('gateway', markdown);
console.log(markdown);
if (profileDir) console.log(`\nCPU profile of the statuskit gateway: ${profileDir}`);
