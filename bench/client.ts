/**
 * The client's own cost: statuskit's client with its defaults (`createClient()`,
 * `api.get(url).json()`) against undici.request (and fetch; ky and got with BENCH_CLIENT_ALL=1),
 * at 1 and 16 lanes (requests in flight), on a small JSON body and a 64 KiB one, served by
 * nginx on CPU 0 (else a Node server). Two runs back to back (bench/client/run.ts), each a
 * fresh process on CPU 1; in each, short phases of a fixed request count alternate between
 * the contenders. Ratios are taken within each round, then the median, with their range over
 * the rounds of both runs and the gap between the two runs' medians.
 *   node --import tsx bench/client.ts      BENCH_QUICK=1: fewer rounds; BENCH_ROUNDS, BENCH_RUNS
 */
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { BASELINE, CELLS, OURS, type PhaseResult, type RunResult } from './client/run.ts';
import { nginxInstalled, startNginx } from './lib/nginx.ts';
import { median } from './lib/proc.ts';
import { machine, table, writeSection } from './lib/report.ts';
import { runGap, showSpread, spread, verdict } from './lib/stats.ts';

const QUICK = Boolean(process.env.BENCH_QUICK);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 8 : 16));
const RUNS = Number(process.env.BENCH_RUNS ?? 2);
const RUN = fileURLToPath(new URL('./client/run.ts', import.meta.url));
const SMALL = JSON.stringify({ id: 'item-1', ok: true, tags: ['a', 'b'] });
const BIG = JSON.stringify({ id: 'item-1', rows: 'z'.repeat(64 * 1024 - 30) });

async function server(): Promise<{ base: string; stop: () => Promise<void>; what: string }> {
  if (nginxInstalled()) {
    const n = await startNginx({
      workers: 1,
      cpus: '0',
      server: 'default_type application/json; location / { }',
      files: { 'small.json': SMALL, 'big.json': BIG },
      probe: '/small.json',
    });
    return { base: `http://127.0.0.1:${n.port}`, stop: n.stop, what: 'nginx (1 worker, CPU 0, static files)' };
  }
  const child = fork(new URL('./client/server.mjs', import.meta.url), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const [port] = (await once(child.stdout!, 'data')) as [Buffer];
  return {
    base: `http://127.0.0.1:${String(port).trim()}`,
    stop: async () => void child.disconnect(),
    what: 'a Node http server in a child process',
  };
}

const srv = await server();
const runs: RunResult[] = [];
try {
  for (let r = 0; r < RUNS; r++) {
    const args = [process.execPath, '--import', 'tsx', RUN, srv.base, String(ROUNDS)];
    const { stdout } = await promisify(execFile)('taskset', ['-c', '1', ...args], {
      maxBuffer: 16 << 20,
      env: process.env,
    });
    runs.push(JSON.parse(stdout) as RunResult);
    console.error(`client run ${r + 1}/${RUNS} done`);
  }
} finally {
  await srv.stop();
}

const names = Object.keys(runs[0]?.[CELLS[0]!.name] ?? {});
const sections: string[] = [];
const goals: string[] = [];
for (const cell of CELLS) {
  const phases = (run: RunResult, name: string): PhaseResult[] => run[cell.name]?.[name] ?? [];
  /** Per run, each round's baseline figure ÷ the contender's (> 1: the contender is faster / cheaper). */
  const perRun = (name: string, of: (p: PhaseResult) => number) =>
    runs.map((run) => {
      const base = phases(run, BASELINE);
      return phases(run, name).map((p, i) => of(base[i]!) / of(p));
    });
  const describe = (xs: number[][]) => {
    const s = spread(xs.flat());
    const m = xs.map((x) => median(x));
    return { s, text: showSpread(s), runs: m.map((x) => x.toFixed(2)).join(' / '), gap: runGap(m[0]!, m[1] ?? m[0]!) };
  };
  const rows = names.map((name) => {
    const rps = describe(perRun(name, (p) => p.wallUs));
    const cpu = describe(perRun(name, (p) => p.cpuUs));
    if (name === OURS) {
      for (const [what, d] of [
        ['requests / s', rps],
        ['CPU per request', cpu],
      ] as const)
        goals.push(`| ${cell.name} | ${what} | ${d.text} | ${verdict(d.s, 0.9, true)} |`);
    }
    const all = runs.flatMap((run) => phases(run, name));
    return {
      client: name,
      'requests / s': Math.round(1e6 / median(all.map((p) => p.wallUs))),
      'CPU µs / request': median(all.map((p) => p.cpuUs)),
      '× undici.request, req/s (range)': rps.text,
      'per run': rps.runs,
      'run gap': `${(rps.gap * 100).toFixed(1)} %`,
      '× undici.request, CPU (range)': cpu.text,
      'per run ': cpu.runs,
      'run gap ': `${(cpu.gap * 100).toFixed(1)} %`,
    };
  });
  sections.push(`### ${cell.name} (${cell.count.toLocaleString('en-US')} requests a phase)\n\n${table(rows)}`);
}

const markdown = [
  '## Client: cost per request',
  '',
  `${machine()}, load average ${loadavg()[0]?.toFixed(1)} at the end. \`node --import tsx bench/client.ts\`${QUICK ? ' (BENCH_QUICK)' : ''}:`,
  `${RUNS} runs back to back, each a fresh process on CPU 1; the server is ${srv.what}. Per cell, a warm-up of`,
  `twice a phase per contender, then ${ROUNDS} rounds of one phase (a fixed request count) per contender, the order rotating;`,
  'every contender parses the JSON. The statuskit client is `createClient()` with its defaults and `api.get(url).json()`;',
  'undici.request uses undici’s global dispatcher. × undici.request is undici.request’s time (or CPU) per request ÷',
  'the contender’s, taken per round: above 1 is faster (cheaper). Ranges are over every round of both runs; the run gap',
  'is the distance between the two runs’ medians.',
  '',
  '| cell | statuskit client ÷ undici.request | median (range) | goal ≥ 0.9 |',
  '| --- | --- | --- | --- |',
  ...goals,
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
writeSection('client', markdown);
console.log(markdown);
