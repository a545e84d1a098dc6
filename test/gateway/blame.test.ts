/**
 * Blame the right party: a request body that stops arriving is the client's
 * fault (408 + Connection: close, RFC 9110 §15.5.9), never counted by the
 * target's circuit breaker; an upstream that stays silent after the whole
 * request reached it is the upstream's (504, counted).
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { checkGatewayConfig } from '../../src/gateway/config/index.ts';
import {
  closedPort,
  completeByLength,
  parseRaw,
  type RawResponse,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

/** Starts a chunked POST, sends one chunk, then stalls; resolves with what the gateway answered. */
function stalledPost(port: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.on('connect', () =>
      socket.write('POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n'),
    );
    socket.on('data', (c) => (text += c.toString('latin1')));
    socket.on('close', () => resolve(parseRaw(text, true)));
    socket.on('error', (err) => (text ? undefined : reject(err)));
  });
}

describe('a stalled request body is the client’s fault', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.method === 'POST') {
        req.resume();
        req.on('end', () => res.end('stored'));
        return;
      }
      if (req.url === '/silent') return; // never answers
      res.end('victim ok');
    });
    gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url], timeout: '300ms', breaker: { failures: 5, cooldown: '60s' } }],
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('five stalled bodies get 408 + Connection: close; the breaker stays closed and a victim gets its answer', async () => {
    const stalled = await Promise.all(Array.from({ length: 5 }, () => stalledPost(gateway.port)));
    for (const res of stalled) {
      assert.equal(res.status, 408, res.text);
      assert.equal(res.headers.connection, 'close');
      assert.equal(res.closed, true);
    }
    const victim = await rawExchange(gateway.port, 'GET /page HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    assert.equal(victim.status, 200);
    assert.equal(victim.body, 'victim ok');
    await waitFor('the upstream saw the aborts', () => upstream.seen.length >= 6);
  });

  it('metrics and the access log name the client as the side that failed', async () => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_client_failures_total\{route="\/",kind="body-timeout"\} 5/);
    assert.doesNotMatch(text, /statuskit_gateway_upstream_failures_total\{/);
    assert.match(text, /statuskit_gateway_breaker_state\{route="\/",target="[^"]+",state="closed"\} 1/);
    gateway.gw.flushLogs();
    const lines = gateway.logs.filter((l) => l.msg === 'request' && l.status === 408);
    assert.equal(lines.length, 5);
    for (const l of lines) assert.equal(l.fault, 'client');
  });

  it('an upstream silent after the whole request reached it is the upstream’s: 504, counted, fault upstream', async () => {
    const res = await rawExchange(gateway.port, 'GET /silent HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    assert.equal(res.status, 504);
    await waitFor('the failure is counted', async () =>
      /statuskit_gateway_upstream_failures_total\{route="\/",target="[^"]+",kind="timeout"\} 1/.test(
        await (await fetch(`${gateway.adminUrl}/metrics`)).text(),
      ),
    );
    gateway.gw.flushLogs();
    const line = gateway.logs.find((l) => l.msg === 'request' && l.status === 504);
    assert.equal(line?.fault, 'upstream');
  });
});

describe('error bodies name the route and the kind of failure, never the upstream’s address', () => {
  let gateway: RunningGateway;
  let resetting: Upstream;
  let refusedPort: number;

  before(async () => {
    refusedPort = await closedPort();
    resetting = await startUpstream((req) => req.socket.destroy());
    gateway = await startGateway({
      routes: [
        { path: '/refused', targets: [`http://127.0.0.1:${refusedPort}`], breaker: false },
        { path: '/reset', targets: [resetting.url], breaker: false },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    await resetting.close();
  });

  for (const [path, kind] of [
    ['/refused', 'refused'],
    ['/reset', 'reset'],
  ] as const) {
    it(`${path}: 502 with the route in the message; the address only in the log`, async () => {
      const res = await rawExchange(
        gateway.port,
        `POST ${path}/x HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n`,
        completeByLength,
      );
      assert.equal(res.status, 502);
      const body = JSON.parse(res.body) as { error_msg: string };
      assert.match(body.error_msg, new RegExp(`upstream of ${path}`));
      const port = path === '/refused' ? refusedPort : resetting.port;
      assert.doesNotMatch(res.text, /127\.0\.0\.1/);
      assert.doesNotMatch(res.text, new RegExp(String(port)));
      await waitFor('the failure is logged', () =>
        gateway.logs.some((l) => l.msg === 'upstream failure' && l.kind === kind),
      );
      const line = gateway.logs.find((l) => l.msg === 'upstream failure' && l.kind === kind);
      assert.equal(line?.upstream, `http://127.0.0.1:${port}`);
    });
  }
});

describe('5xx answers feed the breaker only where the route says so (breaker.failOn)', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    });
    gateway = await startGateway({
      routes: [
        { path: '/counted', targets: [upstream.url], breaker: { failures: 2, cooldown: '60s', failOn: [503] } },
        { path: '/plain', targets: [upstream.url], breaker: { failures: 2, cooldown: '60s' } },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const get = (path: string) => rawExchange(gateway.port, `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`, completeByLength);

  it('failOn: [503]: two 503s open the breaker; the third request is the gateway’s BREAKER_OPEN', async () => {
    assert.equal((await get('/counted/x')).body, 'busy');
    assert.equal((await get('/counted/x')).body, 'busy');
    const seen = upstream.seen.length;
    const open = await get('/counted/x');
    assert.equal(open.status, 503);
    assert.match(open.body, /BREAKER_OPEN/);
    assert.equal(upstream.seen.length, seen);
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_upstream_failures_total\{route="\/counted",target="[^"]+",kind="status"\} 2/);
  });

  it('without failOn any answer, 5xx included, is a success', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get('/plain/x')).body, 'busy');
  });

  it('failOn takes 5xx codes only', () => {
    assert.throws(
      () => checkGatewayConfig({ routes: [{ path: '/', targets: [upstream.url], breaker: { failOn: [404] } }] }),
      /failOn: must be a list of 5xx status codes/,
    );
  });
});
