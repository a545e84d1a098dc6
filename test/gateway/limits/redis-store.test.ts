import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createRateLimitGuard } from '../../../src/gateway/policies/guards/rate.ts';
import { compilePolicy } from '../../../src/gateway/policies/limits/gcra.ts';
import { MemoryStore } from '../../../src/gateway/policies/limits/memory.ts';
import { GCRA_SCRIPT_SHA, RedisStore } from '../../../src/gateway/policies/limits/redis.ts';
import type { RedisClient } from '../../../src/gateway/policies/limits/redis-connection.ts';
import { StoreUnavailableError } from '../../../src/gateway/policies/limits/store.ts';
import { type RedisHandle, startRedis } from '../../support/redis.ts';
import { manualClock, send, serve } from './harness.ts';

const T0 = Date.UTC(2026, 0, 1);

/** Waits for one event; unlike events.once, an 'error' meanwhile (ioredis reconnecting) does not reject. */
const next = (client: RedisClient, event: string) =>
  new Promise<void>((resolve) => client.once(event, () => resolve()));

describe('Redis store', () => {
  let redis: RedisHandle;
  let admin: Redis;
  before(async () => {
    redis = await startRedis();
    admin = new Redis(redis.url);
  });
  after(async () => {
    admin.disconnect();
    await redis.stop();
  });

  it('decides exactly as the memory store, one script call per decision', async () => {
    const store = new RedisStore({ url: redis.url, prefix: 'same:', clock: 'caller' });
    await store.ready();
    const memory = new MemoryStore();
    const policy = compilePolicy({ limit: 7, window: 10 });
    try {
      const times = [0, 0, 0, 0, 0, 0, 0, 0, 1000, 1428, 1429, 2000, 2857, 9000, 30_000, 30_000];
      for (const [i, t] of times.entries()) {
        assert.deepEqual(
          await store.take('k', policy, T0 + t),
          memory.take('k', policy, T0 + t),
          `step ${i} at ${t} ms`,
        );
      }
    } finally {
      await store.close();
    }
  });

  it('decides on the Redis server’s clock by default: a node whose clock runs ahead gets no early refill', async () => {
    const policy = compilePolicy({ limit: 2, window: 60 });
    const later = T0 + 10 * 60_000; // a node 10 min ahead: with its own clock the 60 s window would be over
    const onServer = [0, 1].map(() => new RedisStore({ url: redis.url, prefix: 'skew:' }));
    const onCallers = [0, 1].map(() => new RedisStore({ url: redis.url, prefix: 'skew-caller:', clock: 'caller' }));
    try {
      await Promise.all([...onServer, ...onCallers].map((s) => s.ready()));
      const [a, b] = onServer as [RedisStore, RedisStore];
      assert.deepEqual(
        [await a.take('k', policy, T0), await a.take('k', policy, T0), await b.take('k', policy, later)].map(
          (d) => d.allowed,
        ),
        [true, true, false],
      );
      // The same with each node's own clock: the node ahead sees the quota whole again.
      const [c, d] = onCallers as [RedisStore, RedisStore];
      assert.deepEqual(
        [await c.take('k', policy, T0), await c.take('k', policy, T0), await d.take('k', policy, later)].map(
          (x) => x.allowed,
        ),
        [true, true, true],
      );
      assert.throws(() => new RedisStore({ url: redis.url, clock: 'sundial' as never }), /clock: "server" or "caller"/);
    } finally {
      await Promise.all([...onServer, ...onCallers].map((s) => s.close()));
    }
  });

  it('waits for the first connection instead of failing the first decisions', async () => {
    // A generous timeout keeps this independent of how fast the machine connects.
    const store = new RedisStore({ url: redis.url, prefix: 'first:', failure: 'closed', commandTimeoutMs: 5000 });
    try {
      const policy = compilePolicy({ limit: 1, window: 10 });
      const decisions = await Promise.all([store.take('k', policy, T0), store.take('k', policy, T0)]);
      assert.deepEqual(
        decisions.map((d) => [d.allowed, d.degraded]),
        [
          [true, undefined],
          [false, undefined],
        ],
      );
      assert.equal(store.failures, 0);
    } finally {
      await store.close();
    }
  });

  it('falls back to EVAL when the server lost the script, and keys expire with the state', async () => {
    const store = new RedisStore({ url: redis.url, prefix: 'ttl:', clock: 'caller' });
    await store.ready();
    try {
      await admin.script('FLUSH');
      assert.deepEqual(await admin.script('EXISTS', GCRA_SCRIPT_SHA), [0]);
      const policy = compilePolicy({ limit: 2, window: 10 });
      assert.equal((await store.take('k', policy, T0)).allowed, true);
      // EVALSHA got NOSCRIPT; the EVAL that followed put the script back in the cache.
      assert.deepEqual(await admin.script('EXISTS', GCRA_SCRIPT_SHA), [1]);
      assert.equal((await store.take('k', policy, T0)).allowed, true);
      assert.equal((await store.take('k', policy, T0)).allowed, false);
      // TAT − now = 10 s after two requests: the key lives at most that long.
      const ttl = await admin.pttl('ttl:{default:k}');
      assert.ok(ttl > 0 && ttl <= 10_000, `PTTL ${ttl}`);
      assert.equal(await admin.get('ttl:{default:k}'), String((T0 + 10_000) * 1000));
    } finally {
      await store.close();
    }
  });

  it('shares one limit between two gateway processes', async () => {
    const script = fileURLToPath(new URL('./fixtures/redis-node.ts', import.meta.url));
    const env = { ...process.env, REDIS_URL: redis.url, PREFIX: 'shared:', LIMIT: '10', NOW: String(T0) };
    const nodes: ChildProcess[] = [];
    after(() => {
      for (const n of nodes) if (n.exitCode === null) n.kill('SIGTERM');
    });
    const ports: number[] = [];
    for (let i = 0; i < 2; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
      nodes.push(child);
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      ports.push(Number(line.toString().trim()));
    }
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await send(ports[i % 2]!)).status);
    const allowed = statuses.filter((s) => s === 200).length;
    assert.equal(allowed, 10, `statuses: ${statuses.join(' ')}`);
    assert.equal(statuses.filter((s) => s === 429).length, 20);
    // Both nodes answered some of the allowed ones: the count is shared, not per node.
    assert.deepEqual(
      [0, 1].map((n) => statuses.slice(0, 10).filter((_, i) => i % 2 === n).length),
      [5, 5],
    );
    for (const n of nodes) {
      n.kill('SIGTERM');
      await once(n, 'exit');
    }
  });
});

describe('redis-server test helper', () => {
  it('fails with a clear message when redis-server cannot be run', async () => {
    await assert.rejects(startRedis({ binary: '/nonexistent/redis-server' }), (err: Error) => {
      assert.match(err.message, /need a real redis-server, and "\/nonexistent\/redis-server" could not be run/);
      assert.match(err.message, /apt-get install redis-server/);
      return true;
    });
  });
});

describe('Redis store without a server', () => {
  it('rejects ready() at once and answers by its failure policy', async () => {
    const free = await startRedis();
    await free.stop(); // a port where nothing listens now
    const events: string[] = [];
    const store = new RedisStore({ url: free.url, failure: 'closed', onFailure: (e) => events.push(e.outcome) });
    try {
      await assert.rejects(store.ready(), /Redis is not reachable/);
      await assert.rejects(store.take('k', compilePolicy({ limit: 1, window: 1 }), T0), StoreUnavailableError);
      assert.deepEqual(events, ['refused']);
    } finally {
      await store.close();
    }
  });
});

describe('Redis store when Redis dies', () => {
  it('fails open or closed as configured, and reports each failure', async () => {
    const redis = await startRedis();
    const events: { store: string; outcome: string; error: Error }[] = [];
    const onFailure = (e: (typeof events)[number]) => events.push(e);
    const open = new RedisStore({ url: redis.url, prefix: 'open:', failure: 'open', onFailure });
    const closed = new RedisStore({ url: redis.url, prefix: 'closed:', failure: 'closed', onFailure });
    await Promise.all([open.ready(), closed.ready()]);
    const clock = manualClock(T0);
    const policy = { limit: 1, window: 60 };
    const a = await serve([createRateLimitGuard({ store: open, key: 'ip', policy, clock })]);
    const b = await serve([
      createRateLimitGuard({ store: closed, key: 'ip', policy, clock, unavailableRetryAfter: 3 }),
    ]);
    let again: RedisHandle | undefined;
    try {
      assert.equal((await send(a.port)).status, 200);
      assert.equal((await send(a.port)).status, 429);
      assert.equal((await send(b.port)).status, 200);
      assert.equal((await send(b.port)).status, 429);
      assert.equal(events.length, 0);

      const lost = Promise.all([next(open.client, 'close'), next(closed.client, 'close')]);
      await redis.kill();
      await lost;

      const ra = await send(a.port);
      assert.equal(ra.status, 200, 'fail-open lets the request through');
      assert.equal(ra.headers['ratelimit-policy'], '"default";q=1;w=60');
      assert.equal(ra.headers.ratelimit, undefined, 'no remaining count is claimed while the store is down');
      const rb = await send(b.port);
      assert.equal(rb.status, 503, 'fail-closed refuses');
      assert.equal(rb.headers['retry-after'], '3');
      assert.equal(rb.json().error_code, 'SVC.0503.RATE_STORE');
      assert.deepEqual(
        events.map((e) => [e.store, e.outcome]),
        [
          ['redis', 'allowed'],
          ['redis', 'refused'],
        ],
      );
      assert.ok(events.every((e) => e.error instanceof Error));
      assert.equal(open.failures, 1);
      assert.equal(closed.failures, 1);

      // Redis comes back on the same port, empty: the clients reconnect, EVALSHA meets
      // NOSCRIPT and falls back to EVAL, and limits apply again from a fresh state.
      const back = Promise.all([next(open.client, 'ready'), next(closed.client, 'ready')]);
      again = await startRedis({ port: redis.port });
      await back;
      assert.equal((await send(b.port)).status, 200);
      assert.equal((await send(b.port)).status, 429);
      assert.equal(closed.failures, 1);
    } finally {
      await a.close();
      await b.close();
      await open.close();
      await closed.close();
      await again?.stop();
    }
  });
});
