/**
 * A credential the gateway did not authenticate must not choose its rate
 * bucket, and guessing credentials is itself limited per client address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FailedAuthLimiter } from '../../../src/gateway/policies/auth/failed-auth.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
} from '../support.ts';

const withKey = (key: string, path = '/x') => `GET ${path} HTTP/1.1\r\nHost: h\r\nX-Api-Key: ${key}\r\n\r\n`;

describe('rateLimit.key: api-key on a route without auth', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: { rateLimit: { limit: 2, window: '60s', key: 'api-key' } },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('made-up keys share the client address’s bucket: the third request is 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await rawExchange(gateway.port, withKey(`invented-${i}`), completeByLength)).status);
    assert.deepEqual(statuses, [200, 200, 429, 429]);
  });
});

describe('failed authentication is limited per client address', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: {
        auth: { apiKeys: [{ id: 'alice', key: 'alice-key-1' }], failureLimit: { limit: 3, window: '60s' } },
        rateLimit: { limit: 100, window: '60s', key: 'api-key' },
      },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('a valid key is counted by its own bucket (authenticated)', async () => {
    const res = await rawExchange(gateway.port, withKey('alice-key-1'), completeByLength);
    assert.equal(res.status, 200);
    assert.match(res.headers.ratelimit ?? '', /r=99/);
  });

  it('three wrong keys get 401, then 429 + Retry-After, never forwarded', async () => {
    const seen = upstream.seen.length;
    for (let i = 0; i < 3; i++)
      assert.equal((await rawExchange(gateway.port, withKey(`guess-${i}`), completeByLength)).status, 401);
    const limited = await rawExchange(gateway.port, withKey('guess-9'), completeByLength);
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.equal((JSON.parse(limited.body) as { error_code: string }).error_code.endsWith('AUTH_FAILURES'), true);
    assert.equal(upstream.seen.length, seen);
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_auth_failures_total\{outcome="counted"\} 3/);
    assert.match(text, /statuskit_gateway_auth_failures_total\{outcome="limited"\} 1/);
  });

  it('missing credentials are a plain 401, never counted', async () => {
    const res = await rawExchange(gateway.port, 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    assert.equal(res.status, 401);
  });
});

describe('the failed-auth limit is on by default', () => {
  it('10 failures per minute, then 429', async () => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    const gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: { auth: { apiKeys: [{ id: 'alice', key: 'alice-key-1' }] } },
    });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await rawExchange(gateway.port, withKey(`guess-${i}`), completeByLength)).status);
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    } finally {
      await gateway.close();
      await upstream.close();
    }
  });
});

describe('FailedAuthLimiter', () => {
  it('lets `limit` failures per window, then waits until one fits; forgets an address whose failures aged out', () => {
    const limiter = new FailedAuthLimiter({ limit: 2, window: 10_000 });
    limiter.fail('ip:a', 0);
    assert.equal(limiter.retryAfter('ip:a', 0), 0);
    limiter.fail('ip:a', 0);
    assert.equal(limiter.retryAfter('ip:a', 0), 5, 'one failure fits again after window / limit');
    assert.equal(limiter.retryAfter('ip:b', 0), 0, 'per address');
    assert.equal(limiter.retryAfter('ip:a', 5_000), 0);
    assert.equal(limiter.retryAfter('ip:a', 10_000), 0);
    assert.equal(limiter.size, 0, 'nothing left to remember');
  });
});
