/**
 * One server under test for bench/policies.ts, run in its own process.
 * MODE: statuskit-bare | statuskit-memory | statuskit-redis | statuskit-all |
 *       fastify-bare | fastify-memory | fastify-redis, and statuskit-redis-cluster | fastify-redis-cluster.
 * REDIS_URL for the redis modes, REDIS_CLUSTER (node URLs, comma-separated) for the cluster modes.
 * Prints the port once listening.
 */
import type { AddressInfo } from 'node:net';
import { Cluster, Redis } from 'ioredis';
import { createAuthGuard } from '../../src/gateway/policies/guards/auth.ts';
import { createRateLimitGuard } from '../../src/gateway/policies/guards/rate.ts';
import { createLoadShedder } from '../../src/gateway/policies/guards/shed.ts';
import { RedisStore } from '../../src/gateway/policies/limits/redis.ts';
import { createServer, type Guard, sendJson } from '../../src/server/index.ts';

const mode = process.env.MODE ?? 'statuskit-bare';
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const cluster = (process.env.REDIS_CLUSTER ?? '').split(',').filter(Boolean);
// High enough that no request of a run is refused: both limiters do the full work of a decision.
const LIMIT = 600_000;
const WINDOW_S = 60;

async function statuskit(): Promise<number> {
  const guards: Guard[] = [];
  const policy = { limit: LIMIT, window: WINDOW_S };
  if (mode === 'statuskit-memory') guards.push(createRateLimitGuard({ policy, key: 'ip' }));
  if (mode === 'statuskit-redis' || mode === 'statuskit-redis-cluster') {
    const store = new RedisStore(mode === 'statuskit-redis' ? { url } : { cluster });
    await store.ready();
    guards.push(createRateLimitGuard({ policy, key: 'ip', store }));
  }
  if (mode === 'statuskit-all') {
    guards.push(
      createAuthGuard({ apiKeys: [{ key: 'bench-key-0001', id: 'bench' }] }),
      createRateLimitGuard({ policy, key: 'principal' }),
      createLoadShedder({ maxInFlight: 10_000 }).guard,
    );
  }
  const server = createServer({
    accessGuards: guards,
    routes: [{ path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, { ok: true }) } }],
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function fastify(): Promise<number> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  if (mode !== 'fastify-bare') {
    const { default: rateLimit } = await import('@fastify/rate-limit');
    await app.register(rateLimit, {
      max: LIMIT,
      timeWindow: WINDOW_S * 1000,
      ...(mode === 'fastify-redis' ? { redis: new Redis(url) } : {}),
      ...(mode === 'fastify-redis-cluster' ? { redis: new Cluster(cluster) } : {}),
    });
  }
  app.get('/', async () => ({ ok: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return (app.server.address() as AddressInfo).port;
}

const port = mode.startsWith('fastify') ? await fastify() : await statuskit();
process.stdout.write(`${port}\n`);
