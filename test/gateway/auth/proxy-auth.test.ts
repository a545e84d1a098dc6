import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAuthGuard } from '../../../src/gateway/policies/guards/auth.ts';
import { createProxyAuthGuard } from '../../../src/gateway/policies/guards/proxy-auth.ts';
import { createRateLimitGuard } from '../../../src/gateway/policies/guards/rate.ts';
import { manualClock, type Served, send, serve } from '../limits/harness.ts';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const CHALLENGE = 'Basic realm="statuskit-gateway", charset="UTF-8"';

describe('proxy authentication (407)', () => {
  let server: Served;
  const forwarded: (string | undefined)[] = [];
  before(async () => {
    const guard = createProxyAuthGuard({ users: [{ user: 'ops', password: 'pässword' }] });
    server = await serve([guard], { onRequest: (ctx) => void forwarded.push(ctx.req.headers['proxy-authorization']) });
  });
  after(() => server.close());

  it('407 + Proxy-Authenticate when proxy credentials are missing, malformed or wrong', async () => {
    const cases: [Record<string, string>, string][] = [
      [{}, 'MISSING'],
      [{ 'Proxy-Authorization': 'Bearer abc' }, 'MALFORMED'],
      [{ 'Proxy-Authorization': `Basic ${Buffer.from('no-colon').toString('base64')}` }, 'MALFORMED'],
      [{ 'Proxy-Authorization': basic('ops', 'wrong') }, 'INVALID'],
      [{ 'Proxy-Authorization': basic('nobody', 'pässword') }, 'INVALID'],
    ];
    for (const [headers, subcode] of cases) {
      const r = await send(server.port, { headers });
      assert.equal(r.status, 407, JSON.stringify(headers));
      assert.equal(r.headers['proxy-authenticate'], CHALLENGE);
      assert.equal(r.json().error_code, `SVC.0407.${subcode}`);
    }
    assert.deepEqual(forwarded, []);
  });

  it('admits valid credentials (UTF-8, case-insensitive scheme) and consumes the header', async () => {
    const r = await send(server.port, {
      headers: { 'Proxy-Authorization': basic('ops', 'pässword').replace('Basic', 'BASIC') },
    });
    assert.equal(r.status, 200);
    assert.deepEqual(forwarded, [undefined]);
  });

  it('refuses users it cannot check', () => {
    assert.throws(() => createProxyAuthGuard({ users: [] }), /users/);
    assert.throws(() => createProxyAuthGuard({ users: [{ user: 'a:b', password: 'x' }] }), /users\[0\]\.user/);
  });
});

describe('access guards in contract order', () => {
  it('answers 407 before 401, and 401 before 429', async () => {
    const clock = manualClock();
    const server = await serve([
      createProxyAuthGuard({ users: [{ user: 'ops', password: 'pw' }] }),
      createAuthGuard({ apiKeys: [{ key: 'key-0001', id: 'k' }], clock }),
      createRateLimitGuard({ policy: { limit: 1, window: 60 }, clock }),
    ]);
    try {
      const proxy = { 'Proxy-Authorization': basic('ops', 'pw') };
      const both = { ...proxy, 'X-Api-Key': 'key-0001' };
      assert.equal((await send(server.port, { headers: both })).status, 200);
      assert.equal((await send(server.port)).status, 407);
      assert.equal((await send(server.port, { headers: proxy })).status, 401);
      const limited = await send(server.port, { headers: both });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers['ratelimit-policy'], '"default";q=1;w=60');
    } finally {
      await server.close();
    }
  });
});
