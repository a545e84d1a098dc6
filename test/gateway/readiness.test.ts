/**
 * /readyz says whether this process can serve: one route's upstream being
 * down is that route's business (shown per route in the body and in
 * /metrics), unless the route is `critical: true`; a shared store that is
 * down takes the gateway out only when it fails closed, and then fails fast
 * until it reconnects (a real redis-server the test stops and restarts).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RedisHandle, startRedis } from '../support/redis.ts';
import {
  closedPort,
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

const get = (port: number, path: string) =>
  rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`, completeByLength);

async function readyz(gateway: RunningGateway): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${gateway.adminUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('readiness with one route down', () => {
  let upstream: Upstream;
  let down: number;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    down = await closedPort();
  });
  after(() => upstream.close());

  const routes = (critical: boolean) => [
    { path: '/a', targets: [upstream.url] },
    {
      path: '/b',
      targets: [`http://127.0.0.1:${down}`],
      breaker: { failures: 1, cooldown: '60s' },
      ...(critical ? { critical } : {}),
    },
  ];

  it('stays ready while another route serves; the body and /metrics name the route that cannot', async (t) => {
    const gateway = await startGateway({ routes: routes(false) });
    t.after(() => gateway.close());
    assert.equal((await get(gateway.port, '/b/x')).status, 502);
    assert.equal((await get(gateway.port, '/b/x')).status, 503, 'the breaker of /b is open');
    const { status, body } = await readyz(gateway);
    assert.equal(status, 200);
    const byRoute = body.routes as Record<string, { ready: boolean; reason?: string }>;
    assert.equal(byRoute['/a']?.ready, true);
    assert.equal(byRoute['/b']?.ready, false);
    assert.equal(byRoute['/b']?.reason, 'circuit breaker open');
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_route_ready\{route="\/a"\} 1/);
    assert.match(text, /statuskit_gateway_route_ready\{route="\/b"\} 0/);
    assert.equal((await get(gateway.port, '/a/x')).status, 200);
  });

  it('a critical route that cannot serve makes the gateway not ready (503 + Retry-After)', async (t) => {
    const gateway = await startGateway({ routes: routes(true) });
    t.after(() => gateway.close());
    assert.equal((await readyz(gateway)).status, 200);
    assert.equal((await get(gateway.port, '/b/x')).status, 502);
    const res = await fetch(`${gateway.adminUrl}/readyz`);
    assert.equal(res.status, 503);
    assert.ok(Number(res.headers.get('retry-after')) >= 1);
    const body = (await res.json()) as { error_msg: string; routes: Record<string, { ready: boolean }> };
    assert.match(body.error_msg, /critical route \/b/);
    assert.equal(body.routes['/b']?.ready, false);
  });
});

describe('a Redis store down at start, then back, then down again', () => {
  let upstream: Upstream;
  let redis: RedisHandle;
  let port: number;
  let open: RunningGateway;
  let closed: RunningGateway;

  const withStore = (failure: 'open' | 'closed') =>
    startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: {
        rateLimit: { limit: 1000, window: '60s', key: 'ip', redis: { url: `redis://127.0.0.1:${port}`, failure } },
      },
    });

  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    // A port where a redis-server ran and no longer does: the gateways start with Redis down.
    redis = await startRedis();
    port = redis.port;
    await redis.stop();
    open = await withStore('open');
    closed = await withStore('closed');
  });
  after(async () => {
    await open.close();
    await closed.close();
    await redis.stop();
    await upstream.close();
  });

  it('open: ready, with the unreachable store in the body; requests pass without a command sent', async () => {
    const { status, body } = await readyz(open);
    assert.equal(status, 200);
    const store = (body.stores as Record<string, { reachable: boolean; failure: string; reason: string }>).redis;
    assert.equal(store?.reachable, false);
    assert.equal(store?.failure, 'open');
    assert.ok(store?.reason, 'the connection error is named');
    assert.ok((body.degraded as string[]).some((d) => /redis store is unreachable/.test(d)));
    for (let i = 0; i < 5; i++) assert.equal((await get(open.port, '/x')).status, 200);
    open.gw.flushLogs();
    const failures = open.logs.filter((l) => l.msg === 'rate-limit store failure');
    assert.ok(failures.length >= 5);
    // Known down, the store failed at once: no command was sent to wait out its timeout.
    for (const f of failures.slice(-5)) assert.match(String(f.err), /Redis is unreachable/);
    const text = await (await fetch(`${open.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_store_reachable\{store="redis"\} 0/);
  });

  it('closed: not ready (503), and its requests get 503 RATE_STORE', async () => {
    const { status, body } = await readyz(closed);
    assert.equal(status, 503);
    assert.match(String(body.error_msg), /redis store is unreachable and fails closed/);
    const res = await get(closed.port, '/x');
    assert.equal(res.status, 503);
    assert.match(res.body, /RATE_STORE/);
  });

  it('once Redis is back both are ready and decide in Redis; when it goes again, closed is not ready', async () => {
    redis = await startRedis({ port });
    await waitFor('the closed gateway reconnected', async () => (await readyz(closed)).status === 200);
    await waitFor('the open gateway reconnected', async () => {
      const { body } = await readyz(open);
      return (body.stores as Record<string, { reachable: boolean }>).redis?.reachable === true;
    });
    const res = await get(closed.port, '/x');
    assert.equal(res.status, 200);
    assert.match(res.headers.ratelimit ?? '', /r=\d+/);
    await redis.stop();
    await waitFor('the closed gateway saw it go', async () => (await readyz(closed)).status === 503);
    assert.equal((await get(closed.port, '/x')).status, 503);
  });
});
