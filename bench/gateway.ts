/**
 * The gateway against its peers, in the same run: statuskit as users run it (`statuskit serve
 * --upstream …`, defaults, access log on), one worker and --workers 2, a minimal undici proxy,
 * fast-gateway, @fastify/http-proxy, nginx with 1 and 2 workers, on GET (1 KiB answer) and
 * POST 16 KiB, from one nginx upstream. One-worker contestants run on CPU 1, wrk and the
 * upstream on CPU 0; the two-worker ones are not pinned. Every contestant stays up for a run;
 * after a warm-up, rounds of short phases alternate between them (order rotating), and each
 * phase records throughput, p99 and the CPU time the contestant's own processes spent per
 * request (/proc). Two runs back to back, fresh processes each; ratios are per round, and each
 * is reported with its spread over the rounds and the gap between the runs' medians.
 *   node --import tsx bench/gateway.ts     BENCH_QUICK=1: about 3 minutes instead of 10
 *   BENCH_ROUNDS, BENCH_DURATION (s per phase), BENCH_WARMUP (s per contestant and workload), BENCH_RUNS
 */
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  type Contestant,
  contestants,
  LOAD_CPU,
  NGINX,
  NGINX_2,
  NODE_PEERS,
  type Running,
  STATUSKIT,
  STATUSKIT_2,
  UNDICI,
} from './gateway/contestants.ts';
import { cpuSeconds, peakRssMiB, processTree } from './lib/cpu.ts';
import { type LoadResult, measure } from './lib/load.ts';
import { nginxInstalled, startNginx } from './lib/nginx.ts';
import { listeningPort, median, stopChild } from './lib/proc.ts';
import { machine, table, writeSection } from './lib/report.ts';
import { runGap, type Spread, showSpread, spread, verdict } from './lib/stats.ts';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 6));
const PHASE_S = Number(process.env.BENCH_DURATION ?? 2);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? (QUICK ? 3 : 5));
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const CONNECTIONS = 50;

/** A 1 KiB JSON answer (the upstream's, to every request). */
const ANSWER = JSON.stringify({ id: 'example', status: 'ACTIVE', pad: 'x'.repeat(1024 - 39) });
interface Workload {
  name: string;
  method: string;
  body: string | undefined;
  headers: Record<string, string>;
}
const WORKLOADS: Workload[] = [
  { name: 'GET 1 KiB', method: 'GET', body: undefined, headers: {} },
  {
    name: 'POST 16 KiB',
    method: 'POST',
    body: JSON.stringify({ data: 'y'.repeat(16 * 1024 - 11) }),
    headers: { 'content-type': 'application/json' },
  },
];

interface Phase {
  load: LoadResult;
  /** CPU µs the contestant's processes spent per request. */
  cpuUs: number;
}
/** results[run][workload][contestant] = phases, one a round. */
type Results = Phase[][][][];

async function upstream(): Promise<Running> {
  if (nginxInstalled()) {
    const n = await startNginx({
      workers: 1,
      cpus: LOAD_CPU,
      server: `default_type application/json; location / { return 200 '${ANSWER}'; }`,
    });
    return { child: n.child, port: n.port, stop: n.stop };
  }
  const servers = fileURLToPath(new URL('./gateway/servers.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', servers, 'upstream'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await listeningPort(child, 'upstream');
  return { child, port, stop: () => stopChild(child) };
}

async function phase(c: Contestant, server: Running, w: Workload, s: number): Promise<Phase> {
  const pids = processTree(server.child.pid as number);
  const before = cpuSeconds(pids);
  const load = await measure({
    url: `http://127.0.0.1:${server.port}/streams/example`,
    connections: CONNECTIONS,
    durationSec: s,
    method: w.method,
    body: w.body,
    headers: w.headers,
    cpus: c.loadCpus,
  });
  return { load, cpuUs: ((cpuSeconds(pids) - before) * 1e6) / Math.max(1, load.requests) };
}

const list = contestants();
const results: Results = [];
const rss: number[][] = list.map(() => []);
for (let run = 0; run < RUNS; run++) {
  const up = await upstream();
  const servers: Running[] = [];
  try {
    for (const c of list) servers.push(await c.start(up.port));
    for (let k = 0; k < list.length; k++) for (const w of WORKLOADS) await phase(list[k]!, servers[k]!, w, WARMUP_S);
    const byWorkload = WORKLOADS.map(() => list.map((): Phase[] => []));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < list.length; i++) {
        const k = (i + round) % list.length;
        for (let j = 0; j < WORKLOADS.length; j++)
          byWorkload[j]![k]!.push(await phase(list[k]!, servers[k]!, WORKLOADS[j]!, PHASE_S));
      }
      console.error(`run ${run + 1} round ${round + 1}/${ROUNDS} done`);
    }
    results.push(byWorkload);
    servers.forEach((s, k) => {
      rss[k]!.push(peakRssMiB(processTree(s.child.pid as number)));
    });
  } finally {
    for (const s of servers) await s.stop();
    await up.stop();
  }
}

const index = (name: string) => list.findIndex((c) => c.name === name);
const phasesOf = (run: number, w: number, name: string) => results[run]?.[w]?.[index(name)] ?? [];
const rps = (p: Phase) => p.load.rps;
/** Per-request efficiency: the other's CPU µs ÷ statuskit's (higher is better for the first). */
const cpuEff = (p: Phase) => 1 / p.cpuUs;
const p99 = (p: Phase) => p.load.p99;

/** The per-round ratios a ÷ b of one figure, each run's list. */
function perRun(w: number, a: string, b: string, of: (p: Phase) => number): number[][] {
  return results.map((_, run) => {
    const pb = phasesOf(run, w, b);
    return phasesOf(run, w, a).map((p, i) => of(p) / of(pb[i]!));
  });
}

interface RatioRow {
  ratio: string;
  runs: number[][];
  goal?: { value: number; atLeast: boolean };
}
function ratioRow(r: RatioRow): Record<string, string> {
  const all: Spread = spread(r.runs.flat());
  const medians = r.runs.map((x) => median(x));
  const gap = medians.length > 1 ? runGap(medians[0]!, medians[1]!) : Number.NaN;
  return {
    ratio: r.ratio,
    'median (range over rounds)': showSpread(all),
    'per run': medians.map((m) => m.toFixed(2)).join(' / '),
    'run gap': Number.isFinite(gap) ? `${(gap * 100).toFixed(1)} %` : '–',
    goal: r.goal ? `${r.goal.atLeast ? '≥' : '≤'} ${r.goal.value}` : '–',
    verdict: r.goal ? verdict(all, r.goal.value, r.goal.atLeast) : '–',
  };
}

const medianOver = (w: number, name: string, of: (p: Phase) => number) =>
  median(results.flatMap((_, run) => phasesOf(run, w, name).map(of)));
const sections: string[] = [];
for (let w = 0; w < WORKLOADS.length; w++) {
  const wl = WORKLOADS[w]!.name;
  const best = NODE_PEERS.reduce((a, b) => (medianOver(w, b, rps) > medianOver(w, a, rps) ? b : a));
  const bestTail = NODE_PEERS.reduce((a, b) => (medianOver(w, b, p99) < medianOver(w, a, p99) ? b : a));
  const rows: RatioRow[] = [
    { ratio: `rps ÷ ${UNDICI}`, runs: perRun(w, STATUSKIT, UNDICI, rps), goal: { value: 1, atLeast: true } },
    { ratio: `CPU per request: ${UNDICI}'s ÷ statuskit's`, runs: perRun(w, STATUSKIT, UNDICI, cpuEff) },
    {
      ratio: `rps ÷ best Node peer (${best})`,
      runs: perRun(w, STATUSKIT, best, rps),
      goal: { value: 1.5, atLeast: true },
    },
    { ratio: `CPU per request: ${best}'s ÷ statuskit's`, runs: perRun(w, STATUSKIT, best, cpuEff) },
    { ratio: `p99 ÷ ${bestTail} p99`, runs: perRun(w, STATUSKIT, bestTail, p99), goal: { value: 1, atLeast: false } },
    {
      ratio: `--workers 2 rps ÷ 1 worker`,
      runs: perRun(w, STATUSKIT_2, STATUSKIT, rps),
      goal: { value: 1.7, atLeast: true },
    },
  ];
  if (index(NGINX) !== -1) {
    rows.push({ ratio: `rps ÷ ${NGINX}`, runs: perRun(w, STATUSKIT, NGINX, rps) });
    rows.push({ ratio: `--workers 2 rps ÷ ${NGINX_2}`, runs: perRun(w, STATUSKIT_2, NGINX_2, rps) });
    rows.push({ ratio: `${NGINX_2} rps ÷ ${NGINX}`, runs: perRun(w, NGINX_2, NGINX, rps) });
  }
  const servers = list.map((c, k) => ({
    server: c.name,
    rps: Math.round(medianOver(w, c.name, rps)),
    'CPU µs / request': medianOver(w, c.name, (p) => p.cpuUs),
    'p50 ms': medianOver(w, c.name, (p) => p.load.p50),
    'p99 ms': medianOver(w, c.name, p99),
    'peak RSS MiB': Math.max(...rss[k]!),
    'errors / non-2xx': results
      .flatMap((_, run) => phasesOf(run, w, c.name))
      .reduce((a, p) => [a[0]! + p.load.errors, a[1]! + p.load.non2xx], [0, 0])
      .join(' / '),
  }));
  sections.push(`\n### ${wl}\n\n${table(servers)}\n\nstatuskit (1 worker):\n\n${table(rows.map(ratioRow))}`);
}

const markdown = [
  '## Gateway',
  '',
  `${machine()}, load average ${loadavg()[0]?.toFixed(1)} at the end. \`node --import tsx bench/gateway.ts\`${QUICK ? ' (BENCH_QUICK)' : ''}:`,
  `${RUNS} runs back to back, fresh processes each; per run every contestant warmed ${WARMUP_S} s per workload, then ${ROUNDS} rounds`,
  `of ${PHASE_S} s phases per contestant and workload, the order rotating each round; ${CONNECTIONS} connections from wrk.`,
  'One-worker contestants on CPU 1, wrk and the nginx upstream (1 KiB JSON answer) on CPU 0; the two-worker ones unpinned.',
  'statuskit is `statuskit serve --upstream …` (defaults, access log to /dev/null). CPU per request: the user + system',
  "time of the contestant's own processes (/proc, 10 ms ticks) over the requests wrk counted in the phase.",
  'Peak RSS: the largest VmHWM over the runs, summed over a contestant’s processes. A ratio’s range is over every round',
  'of both runs; the run gap is the distance of the two runs’ medians; a verdict is `met` only when the range does not cross the goal.',
  '',
  ...sections,
].join('\n');
writeSection('gateway', markdown);
console.log(markdown);
