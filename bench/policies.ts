/**
 * The cost of the gateway's policies: decisions per second of the rate-limit
 * stores in process, then HTTP throughput of the front with and without the
 * guards, against fastify with and without @fastify/rate-limit, same run.
 * node --import tsx bench/policies.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compilePolicy } from '../src/gateway/limits/gcra.ts';
import { MemoryStore } from '../src/gateway/limits/memory.ts';
import { RedisStore } from '../src/gateway/limits/redis.ts';
import { startRedis } from '../test/support/redis.ts';
import { measure } from './lib/load.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DURATION_S = 3;
const CONNECTIONS = 50;

async function storeRates(redisUrl: string): Promise<Record<string, string | number>[]> {
  const policy = compilePolicy({ limit: 100, window: 60 });
  const memory = new MemoryStore();
  const keys = Array.from({ length: 10_000 }, (_, i) => `client-${i}`);
  const n = 1_000_000;
  let t = performance.now();
  const now = Date.now();
  for (let i = 0; i < n; i++) memory.take(keys[i % keys.length]!, policy, now + i / 1000);
  const memRate = n / ((performance.now() - t) / 1000);

  const redis = new RedisStore({ url: redisUrl, prefix: 'bench:' });
  await redis.ready();
  const m = 50_000;
  const inFlight = 64;
  t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < m) await redis.take(keys[next++ % keys.length]!, policy, Date.now());
    }),
  );
  const redisRate = m / ((performance.now() - t) / 1000);
  await redis.close();
  return [
    { store: 'memory (synchronous)', 'decisions/s': Math.round(memRate), 'µs/decision': 1e6 / memRate },
    {
      store: `redis (${inFlight} concurrent, one EVALSHA each)`,
      'decisions/s': Math.round(redisRate),
      'µs/decision': 1e6 / redisRate,
    },
  ];
}

async function start(mode: string, redisUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./policies/server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, MODE: mode, REDIS_URL: redisUrl, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(line.toString().trim()) };
}

const MODES = [
  ['statuskit-bare', 'statuskit front, no guards'],
  ['fastify-bare', 'fastify, no plugin'],
  ['statuskit-memory', 'statuskit + rate guard (memory)'],
  ['fastify-memory', 'fastify + @fastify/rate-limit (memory)'],
  ['statuskit-redis', 'statuskit + rate guard (Redis)'],
  ['fastify-redis', 'fastify + @fastify/rate-limit (Redis)'],
  ['statuskit-all', 'statuskit + API key auth + rate (memory) + shedding'],
] as const;

const redis = await startRedis();
try {
  const stores = await storeRates(redis.url);
  console.log(table(stores));
  const rows: Record<string, string | number>[] = [];
  const rps: Record<string, number> = {};
  for (const [mode, label] of MODES) {
    const { child, port } = await start(mode, redis.url);
    try {
      const headers: Record<string, string> = mode === 'statuskit-all' ? { 'X-Api-Key': 'bench-key-0001' } : {};
      const url = `http://127.0.0.1:${port}/`;
      await measure({ url, headers, connections: CONNECTIONS, durationSec: 1 }); // warm-up
      const r = await measure({ url, headers, connections: CONNECTIONS, durationSec: DURATION_S });
      rps[mode] = r.rps;
      rows.push({
        server: label,
        'req/s': Math.round(r.rps),
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        'non-2xx': r.non2xx,
        errors: r.errors,
      });
      console.log(label, Math.round(r.rps), 'req/s');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  }
  const ratio = (a: string, b: string) => ((rps[a] ?? 0) / (rps[b] ?? 1)).toFixed(2);
  const md = `## Gateway policies (rate limits, auth, shedding)

${machine()}. ${CONNECTIONS} connections, ${DURATION_S} s per server (wrk), each server in its own process; Redis is a local redis-server.

Rate-limit store decisions in process:

${table(stores)}

HTTP, \`GET /\` answering a small JSON body; every limit is set high enough that no request is refused:

${table(rows)}

Ratios (statuskit ÷ fastify): bare ${ratio('statuskit-bare', 'fastify-bare')}, memory limiter ${ratio('statuskit-memory', 'fastify-memory')}, Redis limiter ${ratio('statuskit-redis', 'fastify-redis')}. Cost of the memory rate guard on the statuskit front: ${((1 - (rps['statuskit-memory'] ?? 0) / (rps['statuskit-bare'] ?? 1)) * 100).toFixed(1)} % of throughput.
`;
  writeSection('policies', md);
  console.log(md);
} finally {
  await redis.stop();
}
