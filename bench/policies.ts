/**
 * The cost of the gateway's policies: decisions per second of the rate-limit
 * stores in process, then HTTP throughput of the front with and without the
 * guards, against fastify with and without @fastify/rate-limit, same run.
 * node --import tsx bench/policies.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { compilePolicy } from '../src/gateway/policies/limits/gcra.ts';
import { MemoryStore } from '../src/gateway/policies/limits/memory.ts';
import { RedisStore } from '../src/gateway/policies/limits/redis.ts';
import { startRedis } from '../test/support/redis.ts';
import { startRedisCluster } from '../test/support/redis-cluster.ts';
import { measure } from './lib/load.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DURATION_S = 3;
const CONNECTIONS = 50;

/** Decisions per second of a Redis store, `inFlight` at once over 10 000 keys. */
async function redisRate(store: RedisStore, keys: readonly string[], inFlight: number): Promise<number> {
  const policy = compilePolicy({ limit: 100, window: 60 });
  await store.ready();
  const m = 50_000;
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < m) await store.take(keys[next++ % keys.length]!, policy, Date.now());
    }),
  );
  const rate = m / ((performance.now() - t) / 1000);
  await store.close();
  return rate;
}

async function storeRates(redisUrl: string, clusterUrls: string[]): Promise<Record<string, string | number>[]> {
  const policy = compilePolicy({ limit: 100, window: 60 });
  const memory = new MemoryStore();
  const keys = Array.from({ length: 10_000 }, (_, i) => `client-${i}`);
  const n = 1_000_000;
  const t = performance.now();
  const now = Date.now();
  for (let i = 0; i < n; i++) memory.take(keys[i % keys.length]!, policy, now + i / 1000);
  const memRate = n / ((performance.now() - t) / 1000);

  const inFlight = 64;
  const redisRate1 = await redisRate(new RedisStore({ url: redisUrl, prefix: 'bench:' }), keys, inFlight);
  const clusterRate = await redisRate(new RedisStore({ cluster: clusterUrls, prefix: 'bench:' }), keys, inFlight);
  return [
    { store: 'memory (synchronous)', 'decisions/s': Math.round(memRate), 'µs/decision': 1e6 / memRate },
    {
      store: `redis (${inFlight} concurrent, one EVALSHA each)`,
      'decisions/s': Math.round(redisRate1),
      'µs/decision': 1e6 / redisRate1,
    },
    {
      store: `Redis Cluster, 3 masters (${inFlight} concurrent, one EVALSHA each)`,
      'decisions/s': Math.round(clusterRate),
      'µs/decision': 1e6 / clusterRate,
    },
  ];
}

async function start(
  mode: string,
  redisUrl: string,
  cluster: string[],
): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL('./policies/server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, MODE: mode, REDIS_URL: redisUrl, REDIS_CLUSTER: cluster.join(','), NODE_ENV: 'production' },
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
  ['statuskit-redis-cluster', 'statuskit + rate guard (Redis Cluster, 3 masters)'],
  ['fastify-redis-cluster', 'fastify + @fastify/rate-limit (Redis Cluster, 3 masters)'],
  ['statuskit-all', 'statuskit + API key auth + rate (memory) + shedding'],
] as const;

// The 1-minute load average when the run starts: on a shared machine, how busy it was.
const load = loadavg()[0]?.toFixed(1);
const busy =
  Number(load) > cpus().length
    ? ` The machine was busy (load average ${load} on ${cpus().length} cores, other work running): these figures are not a speed claim; re-run \`npm run bench policies\` on a quiet machine.`
    : '';
const redis = await startRedis();
const cluster = await startRedisCluster();
try {
  const stores = await storeRates(redis.url, cluster.urls);
  console.log(table(stores));
  const rows: Record<string, string | number>[] = [];
  const rps: Record<string, number> = {};
  for (const [mode, label] of MODES) {
    const { child, port } = await start(mode, redis.url, cluster.urls);
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

${machine()}, load average ${load} at the start. ${CONNECTIONS} connections, ${DURATION_S} s per server (wrk), each server in its own process; Redis is a local redis-server, Redis Cluster 3 local masters (no replicas) on the same 2 cores. Over HTTP every request has one client key, so every cluster decision goes to one master (one slot), for statuskit and fastify alike.${busy}

Rate-limit store decisions in process:

${table(stores)}

HTTP, \`GET /\` answering a small JSON body; every limit is set high enough that no request is refused:

${table(rows)}

Ratios (statuskit ÷ fastify): bare ${ratio('statuskit-bare', 'fastify-bare')}, memory limiter ${ratio('statuskit-memory', 'fastify-memory')}, Redis limiter ${ratio('statuskit-redis', 'fastify-redis')}, Redis Cluster limiter ${ratio('statuskit-redis-cluster', 'fastify-redis-cluster')}. Cost of the memory rate guard on the statuskit front: ${((1 - (rps['statuskit-memory'] ?? 0) / (rps['statuskit-bare'] ?? 1)) * 100).toFixed(1)} % of throughput.
`;
  writeSection('policies', md);
  console.log(md);
} finally {
  await cluster.stop();
  await redis.stop();
}
