import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startRedis } from '../support/redis.ts';
import { startServe } from './process.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
} from './support.ts';

const GET = 'GET /x HTTP/1.1\r\nHost: h\r\n\r\n';

describe('the policy guards in front of the proxy', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: {
        auth: { apiKeys: [{ id: 'alice', key: 'alice-key-1' }] },
        rateLimit: { limit: 3, window: '60s', key: 'principal' },
      },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('401 without credentials, never forwarded', async () => {
    const seen = upstream.seen.length;
    const res = await rawExchange(gateway.port, GET, completeByLength);
    assert.equal(res.status, 401);
    assert.ok(res.headers['www-authenticate']);
    assert.equal(upstream.seen.length, seen);
  });

  it('Expect: 100-continue: the 100 only after the guards passed, then the body streams up', async (t) => {
    const refused = await rawExchange(
      gateway.port,
      'POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      completeByLength,
    );
    assert.equal(refused.status, 401, 'no 100 Continue before the final answer');
    const socket = connect(gateway.port, '127.0.0.1');
    t.after(() => socket.destroy());
    let text = '';
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.write(
      'POST /x HTTP/1.1\r\nHost: h\r\nX-Api-Key: alice-key-1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
    );
    while (!text.includes('\r\n\r\n')) await once(socket, 'data');
    assert.match(text, /^HTTP\/1\.1 100 Continue\r\n\r\n$/);
    socket.write('hello');
    while (!text.endsWith('ok')) await once(socket, 'data');
    assert.match(text, /HTTP\/1\.1 200 OK/);
    assert.equal(upstream.seen.at(-1)?.headers.expect, undefined, 'Expect is not forwarded');
  });

  it('429 with Retry-After and RateLimit fields past the limit; the decision is in the log and the metrics', async () => {
    const send = () =>
      rawExchange(gateway.port, 'GET /x HTTP/1.1\r\nHost: h\r\nX-Api-Key: alice-key-1\r\n\r\n', completeByLength);
    const first = await send();
    assert.equal(first.status, 200);
    // The proxied answer carries the limiter's fields beside the upstream's own.
    assert.match(first.headers.ratelimit ?? '', /^"[^"]+";r=\d+;t=\d+$/);
    assert.match(first.headers['ratelimit-policy'] ?? '', /;q=\d+;w=\d+$/);
    assert.equal(first.headers.via, '1.1 statuskit');
    assert.equal((await send()).status, 200);
    const seen = upstream.seen.length;
    const limited = await send();
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    assert.ok(limited.headers.ratelimit);
    assert.equal(upstream.seen.length, seen, 'a limited request never reaches the upstream');
    gateway.gw.flushLogs();
    assert.deepEqual(
      gateway.logs.filter((l) => l.msg === 'request' && l.limit).map((l) => [l.status, l.limit]),
      [
        [200, 'allowed'],
        [200, 'allowed'],
        [200, 'allowed'],
        [429, 'limited'],
      ],
    );
    const text = gateway.gw.metricsText();
    assert.match(text, /statuskit_gateway_limiter_decisions_total\{route="\/",decision="allowed"\} 3/);
    assert.match(text, /statuskit_gateway_limiter_decisions_total\{route="\/",decision="limited"\} 1/);
  });
});

describe('two gateway processes sharing one Redis-backed limit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-gw-redis-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the limit holds across both: 3 allowed in total, then 429 from either', async (t) => {
    const redis = await startRedis();
    t.after(() => redis.stop());
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'routes:',
        `  - { path: /, targets: [${upstream.url}] }`,
        'policies:',
        '  rateLimit:',
        '    limit: 3',
        '    window: 60s',
        '    key: ip',
        `    redis: { url: "${redis.url}", prefix: "gw-test-${process.pid}:" }`,
      ].join('\n'),
    );
    const [a, b] = await Promise.all([
      startServe(['--config', file, '--port', '0', '--admin-port', '0', '--log-level', 'warn']),
      startServe(['--config', file, '--port', '0', '--admin-port', '0', '--log-level', 'warn']),
    ]);
    t.after(() => a?.stop());
    t.after(() => b?.stop());
    const statuses: number[] = [];
    for (const gw of [a, b, a, b, a, b]) statuses.push((await fetch(`${gw?.url}/x`)).status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429, 429]);
    assert.equal(upstream.seen.length, 3);
  });
});
