/**
 * The cost of the front: one trivial JSON route behind the full guard chain
 * (statuskit/server createServer) against the same answer from a bare
 * node:http handler. Each server runs in its own child process; wrk loads
 * them in alternating rounds and the median ratio is reported. On a shared
 * machine req/s swings with whatever else runs, so each child also reports
 * the CPU time it spent per request, which other load barely moves.
 * node --import tsx bench/front.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer as createBare } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer, sendJson } from '../src/server/index.ts';
import { measure } from './lib/load.ts';
import { machine, table, writeSection } from './lib/report.ts';

const ROUNDS = 9; // odd, for a median; the per-round ratio varies by ±0.05 on a shared VM
const DURATION_S = 3;
const WARMUP_S = 1;
const CONNECTIONS = 50;
const PAYLOAD = { hello: 'world' };

type Mode = 'bare' | 'front';

/** Child side: serve /hello, print the port, and answer each stdin line with `cpu-µs requests`. */
function serve(mode: Mode): void {
  let served = 0;
  const server =
    mode === 'front'
      ? createServer({
          routes: [
            {
              path: '/hello',
              methods: {
                GET: (ctx) => {
                  served++;
                  sendJson(ctx, 200, PAYLOAD);
                },
              },
            },
          ],
        })
      : createBare((req, res) => {
          served++;
          if (req.url !== '/hello') {
            res.statusCode = 404;
            res.end();
            return;
          }
          const text = JSON.stringify(PAYLOAD);
          res.writeHead(200, {
            'content-type': 'application/json; charset=utf-8',
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
        });
  server.listen(0, '127.0.0.1', () => console.log((server.address() as AddressInfo).port));
  process.stdin.on('data', () => {
    const { user, system } = process.cpuUsage();
    console.log(`${user + system} ${served}`);
  });
}

interface Child {
  child: ChildProcess;
  url: string;
  /** CPU µs used and requests served so far. */
  usage(): Promise<[number, number]>;
}

async function start(mode: Mode): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_FRONT_ROLE: mode, NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const usage = async (): Promise<[number, number]> => {
    child.stdin!.write('\n');
    const [out] = (await once(child.stdout!, 'data')) as [Buffer];
    const [cpu, served] = String(out).trim().split(' ').map(Number);
    return [cpu!, served!];
  };
  return { child, url: `http://127.0.0.1:${Number(String(line).trim())}/hello`, usage };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const servers = { bare: await start('bare'), front: await start('front') };
  try {
    for (const mode of ['bare', 'front'] as const) {
      await measure({ url: servers[mode].url, connections: CONNECTIONS, durationSec: WARMUP_S });
    }
    const rps: Record<Mode, number[]> = { bare: [], front: [] };
    const p99: Record<Mode, number[]> = { bare: [], front: [] };
    const cpu: Record<Mode, number[]> = { bare: [], front: [] };
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let tool = '';
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['bare', 'front'] as const) {
        const [cpu0, n0] = await servers[mode].usage();
        const r = await measure({ url: servers[mode].url, connections: CONNECTIONS, durationSec: DURATION_S });
        const [cpu1, n1] = await servers[mode].usage();
        if (r.errors || r.non2xx) throw new Error(`${mode}: ${r.errors} socket errors, ${r.non2xx} non-2xx answers`);
        rps[mode].push(r.rps);
        p99[mode].push(r.p99);
        cpu[mode].push((cpu1 - cpu0) / (n1 - n0));
        tool = r.tool;
      }
      ratios.push(rps.front[round]! / rps.bare[round]!);
      // Requests per CPU-second, front over bare: the throughput ratio a CPU-bound server would see.
      cpuRatios.push(cpu.bare[round]! / cpu.front[round]!);
    }
    const ratio = median(ratios);
    const cpuRatio = median(cpuRatios);
    const rows = (['bare', 'front'] as const).map((mode) => ({
      server: mode === 'bare' ? 'bare node:http handler' : 'statuskit front (all guards)',
      'req/s (median)': Math.round(median(rps[mode])),
      'p99 ms (median)': median(p99[mode]),
      'req/s vs bare': mode === 'bare' ? '1.00×' : `${ratio.toFixed(2)}×`,
      'CPU µs/request': median(cpu[mode]),
      'requests per CPU-s vs bare': mode === 'bare' ? '1.00×' : `${cpuRatio.toFixed(2)}×`,
    }));
    const md = [
      '## Front: guards vs bare node:http',
      '',
      machine(),
      '',
      `GET /hello answering \`${JSON.stringify(PAYLOAD)}\`; ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s (${tool}); each server in its own process. Ratios = medians of the per-round ratios; goal ≥ 0.90×. The CPU ratio (server CPU time per request, from the child's own process.cpuUsage) is the steadier one on a busy machine.`,
      '',
      table(rows),
      '',
      `Per-round req/s ratios: ${ratios.map((r) => r.toFixed(3)).join(', ')}; CPU ratios: ${cpuRatios.map((r) => r.toFixed(3)).join(', ')}.`,
    ].join('\n');
    writeSection('front', md);
    console.log(md);
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
  }
}

const role = process.env.BENCH_FRONT_ROLE;
if (role === 'bare' || role === 'front') serve(role);
else await main();
