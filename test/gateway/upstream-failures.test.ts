import assert from 'node:assert/strict';
import { once } from 'node:events';
import {
  type AddressInfo,
  connect,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { after, before, describe, it } from 'node:test';
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

/** A TCP server that answers every connection with `behave`, counting connections. */
async function rawUpstream(
  behave: (socket: Socket) => void,
): Promise<{ server: NetServer; port: number; connections: () => number }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    n++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    behave(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = server.close.bind(server);
  server.close = ((cb?: (err?: Error) => void) => {
    for (const s of sockets) s.destroy();
    return close(cb);
  }) as typeof server.close;
  return { server, port: (server.address() as AddressInfo).port, connections: () => n };
}

const GET = (path: string) => `GET ${path} HTTP/1.1\r\nHost: h\r\n\r\n`;

describe('upstream failures: 502 when no valid answer came, 504 at the deadline', () => {
  const cleanup: (() => unknown)[] = [];
  let gateway: RunningGateway;
  let hanging: Upstream;
  let hangingClosed = 0;
  let midBody: Awaited<ReturnType<typeof rawUpstream>>;
  let garbage: Awaited<ReturnType<typeof rawUpstream>>;
  let resetter: Awaited<ReturnType<typeof rawUpstream>>;
  let refusedPort: number;

  before(async () => {
    hanging = await startUpstream((req) => {
      // Never answers; counts the requests the gateway aborted.
      req.socket.on('close', () => hangingClosed++);
    });
    midBody = await rawUpstream((s) =>
      s.once('data', () => {
        s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nonly part of it');
        setImmediate(() => s.destroy());
      }),
    );
    garbage = await rawUpstream((s) => s.once('data', () => s.end('SSH-2.0-OpenSSH_9.6\r\nthis is not http\r\n\r\n')));
    resetter = await rawUpstream((s) => s.once('data', () => s.resetAndDestroy()));
    refusedPort = await closedPort();
    gateway = await startGateway({
      routes: [
        { path: '/hang', targets: [hanging.url], timeout: '5s', breaker: false },
        { path: '/short', targets: [hanging.url], timeout: '100ms', breaker: false },
        { path: '/mid', targets: [`http://127.0.0.1:${midBody.port}`], breaker: false },
        { path: '/garbage', targets: [`http://127.0.0.1:${garbage.port}`], breaker: false },
        { path: '/reset', targets: [`http://127.0.0.1:${resetter.port}`], breaker: false },
        { path: '/refused', targets: [`http://127.0.0.1:${refusedPort}`], breaker: false },
      ],
    });
    cleanup.push(
      () => gateway.close(),
      () => hanging.close(),
      () => new Promise((r) => midBody.server.close(r)),
      () => new Promise((r) => garbage.server.close(r)),
      () => new Promise((r) => resetter.server.close(r)),
    );
  });
  after(async () => {
    for (const c of cleanup) await c();
  });

  it('502 with the error body when the upstream refuses the connection', async () => {
    const res = await rawExchange(gateway.port, GET('/refused/x'), completeByLength);
    assert.equal(res.status, 502);
    const body = JSON.parse(res.body) as { error_code: string; error_msg: string; request_id: string };
    assert.equal(body.error_code, 'SVC.0502.UPSTREAM_CONNECT');
    assert.match(body.error_msg, /refused the connection/);
    assert.equal(res.headers['x-request-id'], body.request_id);
  });

  it('502 when the upstream answers something that is not HTTP', async () => {
    const res = await rawExchange(gateway.port, GET('/garbage'), completeByLength);
    assert.equal(res.status, 502);
    assert.match((JSON.parse(res.body) as { error_code: string }).error_code, /^SVC\.0502/);
  });

  it('502 when the upstream resets the connection before answering', async () => {
    const res = await rawExchange(gateway.port, GET('/reset'), completeByLength);
    assert.equal(res.status, 502);
    assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'SVC.0502.UPSTREAM_RESET');
  });

  it('an upstream killed mid-body: the client gets the status line already sent and then a cut connection, never a complete message', async () => {
    const res = await rawExchange(gateway.port, GET('/mid'));
    assert.equal(res.status, 200, 'the status line had gone out before the upstream died');
    assert.equal(res.closed, true, 'the gateway closed the connection');
    assert.equal(res.headers['content-length'], '100');
    assert.ok(
      res.body.length < 100,
      `the body is short of its declared length (${res.body.length} < 100): incomplete (RFC 9112 §8)`,
    );
  });

  it('an answer cut midway is logged as aborted with the status that went out, and counted apart from answers', async () => {
    const res = await rawExchange(gateway.port, 'GET /mid HTTP/1.1\r\nHost: h\r\nX-Request-Id: cut-1\r\n\r\n');
    assert.equal(res.status, 200);
    gateway.gw.flushLogs();
    const lineOf = (id: string) => gateway.logs.find((l) => l.request_id === id && l.msg === 'request');
    await waitFor('the access line', () => lineOf('cut-1') !== undefined);
    const line = lineOf('cut-1');
    assert.equal(line?.status, 200);
    assert.equal(line?.aborted, true);
    assert.equal(line?.path, '/mid');
    const text = gateway.gw.metricsText();
    assert.match(text, /statuskit_gateway_requests_aborted_total\{route="\/mid"\} [1-9]/);
    assert.doesNotMatch(text, /statuskit_gateway_requests_total\{route="\/mid"/);
  });

  it('a client that leaves while the upstream hangs: the upstream request is aborted, the line says aborted with status 0', async () => {
    const before = hangingClosed;
    const client = connect(gateway.port, '127.0.0.1');
    client.on('error', () => {});
    client.write('GET /hang HTTP/1.1\r\nHost: h\r\nX-Request-Id: left-1\r\n\r\n');
    // The gateway has forwarded the request once the upstream holds a connection for it.
    await waitFor('the forwarded request', () => gateway.gw.inFlight > 0);
    client.destroy();
    await waitFor('the upstream request aborted', () => hangingClosed > before);
    gateway.gw.flushLogs();
    const lineOf = (id: string) => gateway.logs.find((l) => l.request_id === id && l.msg === 'request');
    await waitFor('the access line', () => lineOf('left-1') !== undefined);
    const line = lineOf('left-1');
    assert.equal(line?.status, 0, 'nothing was sent');
    assert.equal(line?.aborted, true);
    assert.equal(typeof line?.upstream, 'string');
    assert.match(gateway.gw.metricsText(), /statuskit_gateway_requests_aborted_total\{route="\/hang"\} 1/);
  });

  it('504 when the upstream hangs past X-Request-Timeout, and the upstream request is aborted', async () => {
    const before = hangingClosed;
    const res = await rawExchange(
      gateway.port,
      'GET /hang HTTP/1.1\r\nHost: h\r\nX-Request-Timeout: 100\r\n\r\n',
      completeByLength,
    );
    assert.equal(res.status, 504);
    assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'SVC.0504');
    // The upstream sees its connection closed: the gateway aborted the request rather than leaving it hanging.
    for (let i = 0; i < 100 && hangingClosed === before; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(hangingClosed, before + 1);
  });

  it("504 at the route's own timeout, counted as the upstream's failure (a client's shorter deadline is not)", async () => {
    const res = await rawExchange(gateway.port, GET('/short'), completeByLength);
    assert.equal(res.status, 504);
    assert.match((JSON.parse(res.body) as { error_msg: string }).error_msg, /deadline of 100 ms/);
  });

  it('counts each failure kind on the metrics and logs it', async () => {
    const text = gateway.gw.metricsText();
    assert.match(
      text,
      /statuskit_gateway_upstream_failures_total\{route="\/refused",target="[^"]+",kind="refused"\} 1/,
    );
    assert.match(
      text,
      /statuskit_gateway_upstream_failures_total\{route="\/garbage",target="[^"]+",kind="malformed"\} 1/,
    );
    assert.match(text, /statuskit_gateway_upstream_failures_total\{route="\/reset",target="[^"]+",kind="reset"\} 1/);
    assert.match(text, /statuskit_gateway_upstream_failures_total\{route="\/short",target="[^"]+",kind="timeout"\} 1/);
    assert.doesNotMatch(text, /upstream_failures_total\{route="\/hang"/);
    // Two requests to /mid above, each cut by the upstream.
    assert.match(text, /upstream_failures_total\{route="\/mid",target="[^"]+",kind="reset"\} 2/);
    assert.ok(gateway.logs.some((l) => l.msg === 'upstream failure' && l.kind === 'refused'));
  });
});

describe('retries: never a non-idempotent request twice; an idempotent one once more only when nothing was sent', () => {
  let counting: Awaited<ReturnType<typeof rawUpstream>>;
  let healthy: Upstream;
  let gateway: RunningGateway;
  let refusedPort: number;

  before(async () => {
    // Reads the request, then resets: bytes were sent, so nothing may be repeated.
    counting = await rawUpstream((s) => s.once('data', () => s.resetAndDestroy()));
    healthy = await startUpstream((_req, res) => res.end('ok'));
    refusedPort = await closedPort();
    gateway = await startGateway({
      routes: [
        {
          path: '/reset',
          targets: [`http://127.0.0.1:${counting.port}`, `http://127.0.0.1:${counting.port}`],
          breaker: false,
        },
        { path: '/failover', targets: [`http://127.0.0.1:${refusedPort}`, healthy.url], breaker: false },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    await healthy.close();
    await new Promise((r) => counting.server.close(r));
  });

  it('a POST that reached the upstream is not sent again when the connection then fails: one connection, 502', async () => {
    const res = await rawExchange(
      gateway.port,
      'POST /reset HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi',
      completeByLength,
    );
    assert.equal(res.status, 502);
    assert.equal(counting.connections(), 1);
  });

  it('a GET whose bytes reached the upstream is not repeated either', async () => {
    const before = counting.connections();
    const res = await rawExchange(gateway.port, GET('/reset'), completeByLength);
    assert.equal(res.status, 502);
    assert.equal(counting.connections(), before + 1);
  });

  it('a GET refused at connect goes to the next target once', async () => {
    const seen = healthy.seen.length;
    const res = await rawExchange(gateway.port, GET('/failover/a'), completeByLength);
    assert.equal(res.status, 200);
    assert.equal(res.body, 'ok');
    assert.equal(healthy.seen.length, seen + 1);
  });

  it('a POST refused at connect is not retried, even though nothing was sent: 502', async () => {
    // Round robin: make sure the POST lands on the refusing target first.
    const results = await Promise.all(
      [0, 1].map(() =>
        rawExchange(gateway.port, 'POST /failover HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n', completeByLength),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 502]);
  });
});
