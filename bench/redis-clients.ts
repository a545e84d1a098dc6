/**
 * Which Redis client for the shared stores: GCRA decisions per second (one
 * EVALSHA each, 64 in flight, 10 000 keys) through ioredis, node-redis and
 * iovalkey, against one redis-server and against a 3-master Redis Cluster,
 * rounds interleaved so the machine's noise hits every client alike.
 * The candidates that are not installed are skipped: to compare all three,
 *   npm install --no-save redis iovalkey
 *   node --import tsx bench/redis-clients.ts
 * With all three installed it writes its section of BENCHMARKS.md (docs/gateway-limits.md
 * cites it); with fewer it only prints, leaving the recorded comparison as it was.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { compilePolicy } from '../src/gateway/policies/limits/gcra.ts';
import { GCRA_SCRIPT, GCRA_SCRIPT_SHA } from '../src/gateway/policies/limits/redis.ts';
import { startRedis } from '../test/support/redis.ts';
import { startRedisCluster } from '../test/support/redis-cluster.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DECISIONS = 30_000;
const IN_FLIGHT = 64;
const ROUNDS = 3;

/** One decision: the script's reply. */
type Evalsha = (key: string, cost: number, burst: number) => Promise<unknown>;
interface Candidate {
  name: string;
  connect(target: { url: string } | { cluster: string[] }): Promise<{ call: Evalsha; close(): Promise<void> }>;
}

/** An optional package (not in package.json): typed loosely, so the type check passes without it. */
// biome-ignore lint/suspicious/noExplicitAny: the candidates' own types are not installed in CI.
const optional = (name: string): Promise<any> => import(name).catch(() => undefined);

/** "name version", from the installed package. */
function named(label: string, pkg: string): string {
  const file = new URL(`../node_modules/${pkg}/package.json`, import.meta.url);
  return `${label} ${(JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version}`;
}

async function ioredisLike(pkg: 'ioredis' | 'iovalkey'): Promise<Candidate | undefined> {
  const mod = await optional(pkg);
  if (!mod) return undefined;
  return {
    name: named(pkg, pkg),
    async connect(target) {
      const client = 'url' in target ? new mod.Redis(target.url) : new mod.Cluster(target.cluster);
      await new Promise((resolve) => client.once('ready', resolve));
      return {
        call: (key, cost, burst) => client.evalsha(GCRA_SCRIPT_SHA, 1, key, '', cost, burst),
        close: () => client.quit(),
      };
    },
  };
}

async function nodeRedis(): Promise<Candidate | undefined> {
  const mod = await optional('redis');
  if (!mod) return undefined;
  return {
    name: named('node-redis', 'redis'),
    async connect(target) {
      const client =
        'url' in target
          ? mod.createClient({ url: target.url })
          : mod.createCluster({ rootNodes: target.cluster.map((url) => ({ url })) });
      client.on('error', () => {});
      await client.connect();
      return {
        call: (key, cost, burst) =>
          client.evalSha(GCRA_SCRIPT_SHA, { keys: [key], arguments: ['', String(cost), String(burst)] }),
        close: () => client.close(),
      };
    },
  };
}

async function rate(call: Evalsha): Promise<number> {
  const policy = compilePolicy({ limit: 100, window: 60 });
  const keys = Array.from({ length: 10_000 }, (_, i) => `statuskit:rl:{default:client-${i}}`);
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < DECISIONS) await call(keys[next++ % keys.length]!, policy.costUs, policy.burstUs);
    }),
  );
  return DECISIONS / ((performance.now() - t) / 1000);
}

const candidates = (await Promise.all([ioredisLike('ioredis'), nodeRedis(), ioredisLike('iovalkey')])).filter(
  (c): c is Candidate => c !== undefined,
);
const load = loadavg()[0]?.toFixed(1); // how busy the (shared) machine was
const single = await startRedis();
const cluster = await startRedisCluster();
try {
  const loadAll = [single.port, ...cluster.ports].map((p) =>
    import('ioredis').then(async ({ Redis }) => {
      const admin = new Redis(p, '127.0.0.1');
      await admin.script('LOAD', GCRA_SCRIPT);
      admin.disconnect();
    }),
  );
  await Promise.all(loadAll);
  const rates = new Map<string, number[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of candidates) {
      for (const [where, target] of [
        ['single', { url: single.url }],
        ['cluster', { cluster: cluster.urls }],
      ] as const) {
        const conn = await c.connect(target);
        await rate(conn.call); // warm-up
        const r = await rate(conn.call);
        await conn.close();
        const k = `${c.name}|${where}`;
        rates.set(k, [...(rates.get(k) ?? []), r]);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const rows = candidates.map((c) => ({
    client: c.name,
    'single decisions/s': Math.round(median(rates.get(`${c.name}|single`) ?? [])),
    'cluster decisions/s': Math.round(median(rates.get(`${c.name}|cluster`) ?? [])),
  }));
  const md = `## Redis clients for the shared stores

${machine()}, load average ${load} at the start. GCRA decisions (one EVALSHA each, the store's script), ${DECISIONS.toLocaleString('en-US')} per run, ${IN_FLIGHT} in flight over 10 000 keys, median of ${ROUNDS} interleaved rounds; one local redis-server, and a Redis Cluster of 3 local masters on the same 2 cores.

${table(rows)}
`;
  console.log(md);
  if (candidates.length === 3) writeSection('redis-clients', md);
  else console.log('(not all three clients are installed: BENCHMARKS.md left as it was)');
} finally {
  await cluster.stop();
  await single.stop();
}
