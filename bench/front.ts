/**
 * The cost of the front: one trivial JSON route behind the full guard chain
 * (statuskit/server createServer) against the same answer from a bare
 * node:http handler. Each server runs in its own child process; wrk loads
 * them in alternating rounds and the median ratio is reported.
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

const ROUNDS = 3;
const DURATION_S = 4;
const WARMUP_S = 1;
const CONNECTIONS = 50;
const PAYLOAD = { hello: 'world' };

type Mode = 'bare' | 'front';

/** Child side: serve /hello and print the port. */
function serve(mode: Mode): void {
  const server =
    mode === 'front'
      ? createServer({ routes: [{ path: '/hello', methods: { GET: (ctx) => sendJson(ctx, 200, PAYLOAD) } }] })
      : createBare((req, res) => {
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
}

async function start(mode: Mode): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_FRONT_ROLE: mode, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, url: `http://127.0.0.1:${Number(String(line).trim())}/hello` };
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
    const ratios: number[] = [];
    let tool = '';
    for (let round = 0; round < ROUNDS; round++) {
      for (const mode of ['bare', 'front'] as const) {
        const r = await measure({ url: servers[mode].url, connections: CONNECTIONS, durationSec: DURATION_S });
        if (r.errors || r.non2xx) throw new Error(`${mode}: ${r.errors} socket errors, ${r.non2xx} non-2xx answers`);
        rps[mode].push(r.rps);
        p99[mode].push(r.p99);
        tool = r.tool;
      }
      ratios.push(rps.front[round]! / rps.bare[round]!);
    }
    const ratio = median(ratios);
    const rows = (['bare', 'front'] as const).map((mode) => ({
      server: mode === 'bare' ? 'bare node:http handler' : 'statuskit front (all guards)',
      'req/s (median)': Math.round(median(rps[mode])),
      'p99 ms (median)': median(p99[mode]),
      'vs bare': mode === 'bare' ? '1.00×' : `${ratio.toFixed(2)}×`,
    }));
    const md = [
      '## Front: guards vs bare node:http',
      '',
      machine(),
      '',
      `GET /hello answering \`${JSON.stringify(PAYLOAD)}\`; ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s (${tool}); each server in its own process. Ratio = median of the per-round ratios; goal ≥ 0.90×.`,
      '',
      table(rows),
      '',
      `Per-round ratios: ${ratios.map((r) => r.toFixed(3)).join(', ')}.`,
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
