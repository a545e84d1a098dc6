import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { Breaker } from '../../src/gateway/upstream/breaker.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
} from './support.ts';

describe('Breaker: closed → open after N consecutive failures → half-open probe', () => {
  it('opens at the threshold, lets one probe through after the cooldown, closes on its success', () => {
    let now = 0;
    const b = new Breaker({ failures: 3, cooldown: 1000, now: () => now });
    b.failure();
    b.success(); // a success in between resets the count
    b.failure();
    b.failure();
    assert.equal(b.state, 'closed');
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.acquire(), false);
    assert.equal(b.retryInMs(), 1000);
    now = 999;
    assert.equal(b.acquire(), false);
    now = 1000;
    assert.equal(b.acquire(), true, 'the probe');
    assert.equal(b.state, 'half-open');
    assert.equal(b.acquire(), false, 'only one probe at a time');
    b.success();
    assert.equal(b.state, 'closed');
    assert.equal(b.acquire(), true);
  });

  it('a failed probe opens it again for a whole cooldown; a probe that ends without verdict frees the slot', () => {
    let now = 0;
    const b = new Breaker({ failures: 1, cooldown: 500, now: () => now });
    b.failure();
    now = 500;
    assert.equal(b.acquire(), true);
    b.release();
    assert.equal(b.acquire(), true, 'released probe slot is available again');
    b.failure();
    assert.equal(b.state, 'open');
    assert.equal(b.retryInMs(), 500);
  });
});

describe('circuit breaker through the gateway: 503 + Retry-After while open, half-open probe', () => {
  let now = 0;
  let mode: 'fail' | 'hold' | 'ok' = 'fail';
  let held: ServerResponse | undefined;
  let upstream: Upstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (mode === 'fail') req.socket.destroy();
      else if (mode === 'hold') held = res;
      else res.end('ok');
    });
    gateway = await startGateway(
      { routes: [{ path: '/', targets: [upstream.url], breaker: { failures: 2, cooldown: '10s' } }] },
      { now: () => now },
    );
  });
  after(async () => {
    held?.end();
    await gateway.close();
    await upstream.close();
  });

  const get = () => rawExchange(gateway.port, 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);

  it('two consecutive failures (502) open it; then 503 with Retry-After, without asking the upstream', async () => {
    assert.equal((await get()).status, 502);
    assert.equal((await get()).status, 502);
    const seen = upstream.seen.length;
    const res = await get();
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '10');
    assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'SVC.0503.BREAKER_OPEN');
    assert.equal(upstream.seen.length, seen, 'the open breaker kept the request from the upstream');
    now = 4_000;
    assert.equal((await get()).headers['retry-after'], '6');
  });

  it('/readyz is 503 while no target can take requests, and /metrics shows the open state', async () => {
    const ready = await fetch(`${gateway.adminUrl}/readyz`);
    assert.equal(ready.status, 503);
    assert.equal(ready.headers.get('retry-after'), '6');
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_breaker_state\{route="\/",target="[^"]+",state="open"\} 1/);
  });

  it('after the cooldown exactly one probe goes through; others still get 503 until it succeeds', async () => {
    now = 10_000;
    mode = 'hold';
    const probe = get();
    while (!held) await new Promise((r) => setTimeout(r, 5));
    const during = await get();
    assert.equal(during.status, 503, 'half-open: the probe slot is taken');
    mode = 'ok';
    held.end('probe ok');
    const answered = await probe;
    assert.equal(answered.status, 200);
    assert.equal(answered.body, 'probe ok');
    assert.equal((await get()).status, 200, 'closed again');
    assert.equal((await fetch(`${gateway.adminUrl}/readyz`)).status, 200);
  });

  it('a failing probe opens it again for a whole cooldown', async () => {
    mode = 'fail';
    await get();
    await get();
    assert.equal((await get()).status, 503);
    now = 20_000;
    assert.equal((await get()).status, 502, 'the probe failed');
    const res = await get();
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '10');
  });
});
