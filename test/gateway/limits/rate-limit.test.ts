import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRateLimitGuard } from '../../../src/gateway/policies/guards/rate.ts';
import { compilePolicy, gcraStep } from '../../../src/gateway/policies/limits/gcra.ts';
import { MemoryStore } from '../../../src/gateway/policies/limits/memory.ts';
import type { Guard } from '../../../src/server/types.ts';
import { manualClock, type Served, send, serve } from './harness.ts';

describe('GCRA math (injected clock)', () => {
  const policy = compilePolicy({ limit: 100, window: 60 });

  it('allows exactly `limit` at once, then one per emission interval', () => {
    const store = new MemoryStore();
    const t0 = 1_700_000_000_000;
    for (let i = 1; i <= 100; i++) {
      const d = store.take('k', policy, t0);
      assert.equal(d.allowed, true, `request ${i}`);
      assert.equal(d.remaining, 100 - i);
    }
    const refused = store.take('k', policy, t0);
    assert.deepEqual(refused, { allowed: false, limit: 100, remaining: 0, reset: 60, retryAfter: 1 });
    // T = 60 s / 100 = 600 ms: 599 ms later still refused, at 600 ms one request fits.
    assert.equal(store.take('k', policy, t0 + 599).allowed, false);
    const next = store.take('k', policy, t0 + 600);
    assert.deepEqual(next, { allowed: true, limit: 100, remaining: 0, reset: 60, retryAfter: 0 });
    assert.equal(store.take('k', policy, t0 + 600).allowed, false);
  });

  it('refills in proportion to elapsed time and is whole again after the window', () => {
    const store = new MemoryStore();
    const t0 = 1_700_000_000_000;
    for (let i = 0; i < 100; i++) store.take('k', policy, t0);
    // 30 s later half the quota is back: 50 allowed (this one + 49 remaining); whole again in 30.6 s.
    assert.deepEqual(store.take('k', policy, t0 + 30_000), {
      allowed: true,
      limit: 100,
      remaining: 49,
      reset: 31,
      retryAfter: 0,
    });
    assert.equal(store.take('fresh', policy, t0 + 30_000).remaining, 99);
    assert.equal(store.take('k', policy, t0 + 30_000 + 60_000).remaining, 99);
  });

  it('rounds Retry-After up to whole seconds and keeps counts exact for uneven intervals', () => {
    const seven = compilePolicy({ name: 'seven', limit: 7, window: 10 }); // T = 1428.571… ms → 1428571 µs
    let tat: number | undefined;
    const now = 5_000_000;
    let allowed = 0;
    for (let i = 0; i < 20; i++) {
      const step = gcraStep(tat, now, seven);
      tat = step.tat;
      if (step.decision.allowed) allowed++;
      else assert.equal(step.decision.retryAfter, 2); // 1.428… s → 2
    }
    assert.equal(allowed, 7);
    assert.equal(seven.policyField, '"seven";q=7;w=10');
  });

  it('rejects policies that cannot be written or computed', () => {
    assert.throws(() => compilePolicy({ limit: 0, window: 60 }), /limit/);
    assert.throws(() => compilePolicy({ limit: 1.5, window: 60 }), /limit/);
    assert.throws(() => compilePolicy({ limit: 10, window: 0 }), /window/);
    assert.throws(() => compilePolicy({ name: 'é', limit: 10, window: 1 }), /name/);
    // RFC 9651 §4.1.6: the serialiser escapes " and \ in the sf-string.
    assert.equal(compilePolicy({ name: 'a"b', limit: 10, window: 1 }).policyField, '"a\\"b";q=10;w=1');
    assert.equal(compilePolicy({ limit: 10_000, window: 1 }).costUs, 100);
    assert.throws(() => compilePolicy({ limit: 10_001, window: 1 }), /10000 requests per second/);
  });
});

describe('memory store bounds', () => {
  const policy = compilePolicy({ limit: 2, window: 10 });

  it('sweeps keys whose state has expired, a few per decision', () => {
    const store = new MemoryStore({ sweepIntervalMs: 1000 });
    for (let i = 0; i < 50; i++) store.take(`k${i}`, policy, 0);
    assert.equal(store.size, 50);
    store.take('late1', policy, 20_000);
    assert.equal(store.size, 50 - 32 + 1, 'one decision examines 32 keys');
    store.take('late2', policy, 20_000);
    assert.equal(store.size, 2);
    // Live keys survive a sweep (T = 5 s: late1 and late2 hold state until 25 s, late3 until 27 s).
    store.take('late3', policy, 22_000);
    store.sweep(24_999);
    assert.equal(store.size, 3);
    store.sweep(25_000);
    assert.equal(store.size, 1);
    store.sweep(60_000);
    assert.equal(store.size, 0);
  });

  it('holds at most maxKeys, dropping the least recently used', () => {
    const store = new MemoryStore({ maxKeys: 3 });
    store.take('a', policy, 0);
    store.take('b', policy, 0);
    store.take('c', policy, 0);
    store.take('a', policy, 1); // a is now the most recent
    store.take('d', policy, 2); // drops b
    assert.equal(store.size, 3);
    assert.equal(store.evictions, 1);
    assert.equal(store.take('a', policy, 3).allowed, false); // a kept its state
    assert.equal(store.take('b', policy, 3).remaining, 1); // b starts afresh
  });

  it('never drops a key that keeps being decided on, however many others come and go', () => {
    const store = new MemoryStore({ maxKeys: 3 });
    const hot = compilePolicy({ limit: 1_000, window: 1_000 });
    for (let i = 0; i < 20; i++) {
      store.take('hot', hot, i);
      store.take(`cold${i}`, hot, i);
      assert.ok(store.size <= 3);
    }
    assert.equal(store.evictions, 18, 'every cold key but the last two was dropped, holding state');
    // 20 decisions spent: the hot key kept its count all along.
    assert.equal(store.take('hot', hot, 20).remaining, 1_000 - 21);
  });

  it('keeps the counts of one key under two policies apart, within one bound', () => {
    const store = new MemoryStore({ maxKeys: 2 });
    const gold = compilePolicy({ name: 'gold', limit: 5, window: 10 });
    const basic = compilePolicy({ name: 'basic', limit: 2, window: 10 });
    assert.equal(store.take('k', gold, 0).remaining, 4);
    assert.equal(store.take('k', basic, 0).remaining, 1);
    assert.equal(store.take('k', basic, 0).remaining, 0);
    assert.equal(store.take('k', gold, 0).remaining, 3);
    // Full: a third policy holds no key, so room is made in another policy's map.
    store.take('k', compilePolicy({ name: 'third', limit: 2, window: 10 }), 0);
    assert.equal(store.size, 2);
    assert.equal(store.evictions, 1);
    store.sweep(60_000);
    assert.equal(store.size, 0, 'a sweep covers every policy');
  });
});

describe('rate-limit guard over a real socket', () => {
  const clock = manualClock();
  const guard = createRateLimitGuard({ policy: { limit: 3, window: 60 }, key: 'ip', clock });
  let server: Served;
  before(async () => {
    server = await serve([guard]);
  });
  after(() => server.close());

  it('is synchronous with the memory store', () => {
    const fields: string[] = [];
    const ctx = {
      req: { headers: {}, socket: { remoteAddress: '203.0.113.9' } },
      state: {},
      addResponseField: (name: string, value: string) => fields.push(name, value),
    };
    assert.equal(guard(ctx as never), undefined);
    assert.deepEqual(fields, ['RateLimit-Policy', '"default";q=3;w=60', 'RateLimit', '"default";r=2;t=20']);
  });

  it('answers 429 with exact Retry-After, RateLimit and RateLimit-Policy fields', async () => {
    const seen: [number, unknown, unknown][] = [];
    for (let i = 0; i < 3; i++) {
      const r = await send(server.port);
      seen.push([r.status, r.headers.ratelimit, r.headers['ratelimit-policy']]);
    }
    assert.deepEqual(seen, [
      [200, '"default";r=2;t=20', '"default";q=3;w=60'],
      [200, '"default";r=1;t=40', '"default";q=3;w=60'],
      [200, '"default";r=0;t=60', '"default";q=3;w=60'],
    ]);
    clock.advance(5_500);
    const r = await send(server.port);
    assert.equal(r.status, 429);
    // The next request fits at 20 s; 14.5 s to go, rounded up.
    assert.equal(r.headers['retry-after'], '15');
    assert.equal(r.headers.ratelimit, '"default";r=0;t=55');
    assert.equal(r.headers['ratelimit-policy'], '"default";q=3;w=60');
    assert.equal(r.headers['content-type'], 'application/json; charset=utf-8');
    const body = r.json();
    assert.equal(body.error_code, 'SVC.0429.RATE_LIMIT');
    assert.equal(body.error_msg, 'Rate limit exceeded: 3 requests per 60 s.');
    assert.equal(body.request_id, r.headers['x-request-id']);
    clock.advance(14_500);
    assert.equal((await send(server.port)).status, 200);
    assert.equal((await send(server.port)).status, 429);
  });
});

describe('rate-limit keys', () => {
  it('counts API keys apart and falls back to the IP without one', async () => {
    const clock = manualClock();
    const guard = createRateLimitGuard({ policy: { limit: 1, window: 60 }, key: 'api-key', clock });
    // Stands in for the auth guard: key-a and key-b authenticate; any other key does not.
    const authenticated: Guard = (ctx) => {
      const key = ctx.req.headers['x-api-key'] ?? ctx.req.headers.authorization?.slice(7);
      if (key === 'key-a' || key === 'key-b') ctx.state.principal = { scheme: 'api-key', id: key };
    };
    const server = await serve([authenticated, guard]);
    try {
      const a = { 'X-Api-Key': 'key-a' };
      const b = { Authorization: 'Bearer key-b' };
      assert.equal((await send(server.port, { headers: a })).status, 200);
      assert.equal((await send(server.port, { headers: b })).status, 200);
      assert.equal((await send(server.port, { headers: { 'X-Api-Key': 'invented' } })).status, 200);
      assert.equal((await send(server.port)).status, 429, 'the invented key spent the IP’s bucket');
      assert.equal((await send(server.port, { headers: a })).status, 429);
      assert.equal((await send(server.port, { headers: b })).status, 429);
      assert.equal((await send(server.port)).status, 429);
    } finally {
      await server.close();
    }
  });

  it('counts by access key and by a custom function', async () => {
    const clock = manualClock();
    const byAk = createRateLimitGuard({ policy: { limit: 1, window: 60 }, key: 'access-key', clock });
    const byTenant = createRateLimitGuard({
      policy: { name: 'tenant', limit: 2, window: 60 },
      key: (ctx) => ctx.req.headers['x-tenant'] as string | undefined,
      clock,
    });
    // Stands in for the auth guard: the signature is taken as verified.
    const verified: Guard = (ctx) => {
      const m = /Access=(\w+)/.exec(ctx.req.headers.authorization ?? '');
      if (m) ctx.state.principal = { scheme: 'signature', id: m[1] };
    };
    const server = await serve([verified, byTenant, byAk]);
    try {
      const sig = (ak: string) => ({
        Authorization: `SDK-HMAC-SHA256 Access=${ak}, SignedHeaders=host, Signature=x`,
        'X-Tenant': ak,
      });
      assert.equal((await send(server.port, { headers: sig('AK1') })).status, 200);
      assert.equal((await send(server.port, { headers: sig('AK2') })).status, 200);
      const r = await send(server.port, { headers: sig('AK1') });
      assert.equal(r.status, 429);
      assert.equal(r.headers['ratelimit-policy'], '"default";q=1;w=60');
      // The tenant policy spent two for AK1 and refuses the third.
      const t = await send(server.port, { headers: sig('AK1') });
      assert.equal(t.status, 429);
      assert.equal(t.headers['ratelimit-policy'], '"tenant";q=2;w=60');
    } finally {
      await server.close();
    }
  });
});
