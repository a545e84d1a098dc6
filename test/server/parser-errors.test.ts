import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type RouteDef, type ServerOptions, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request, Wire } from './wire.ts';

const routes: RouteDef[] = [{ path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, { ok: true }) } }];

async function server(t: Parameters<typeof listen>[0], options: ServerOptions = {}) {
  return listen(t, createServer({ routes, ...options }));
}

/** Sends raw bytes; the answer must be `status` with the error body, Connection: close, and the socket closed. */
async function refusedAndClosed(t: Parameters<typeof listen>[0], port: number, bytes: string, status: number) {
  const { res, wire } = await exchange(t, port, bytes);
  assert.equal(res.status, status, res.body);
  assert.equal(res.headers.connection, 'close');
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  const body = errorBodyOf(res);
  assert.equal(body.error_code, `SVC.${String(status).padStart(4, '0')}`);
  assert.ok(await wire.closesWithoutMore(), 'the server closes the connection after the answer');
  return { res, body };
}

test('an unknown method (BREW) is 501, not node’s 400', async (t) => {
  const port = await server(t);
  const { body } = await refusedAndClosed(t, port, request('BREW', '/'), 501);
  assert.match(body.error_msg, /BREW/);
});

test('a method node knows but the server does not implement (PROPFIND) is 501 from the method guard', async (t) => {
  const port = await server(t);
  const { res } = await exchange(t, port, request('PROPFIND', '/'));
  assert.equal(res.status, 501);
  errorBodyOf(res);
});

test('CONNECT is 501: the front opens no tunnels', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n', 501);
});

for (const version of ['2.0', '3.0', '1.2', '0.9']) {
  test(`a request line naming HTTP/${version} is 505`, async (t) => {
    const port = await server(t);
    const { body } = await refusedAndClosed(t, port, `GET / HTTP/${version}\r\nHost: a\r\n\r\n`, 505);
    assert.match(body.error_msg, new RegExp(version.replace('.', '\\.')));
  });
}

test('the HTTP/2 connection preface (PRI * HTTP/2.0) is 505', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 505);
});

test('HTTP/1.0 and HTTP/1.1 are served', async (t) => {
  const port = await server(t);
  for (const v of ['1.0', '1.1']) {
    const { res } = await exchange(t, port, `GET / HTTP/${v}\r\nHost: a\r\n\r\n`);
    assert.equal(res.status, 200);
  }
});

test('a request target past node’s header limit (20,000 characters) is 414, never 431', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, request('GET', `/${'a'.repeat(20_000)}`), 414);
});

test('a request line over the request-line limit but under the header limit is 414 from the target guard', async (t) => {
  const port = await server(t, { limits: { requestLine: 1000, headerSize: 16_384 } });
  const { res } = await exchange(t, port, request('GET', `/${'a'.repeat(2000)}`));
  assert.equal(res.status, 414);
  errorBodyOf(res);
});

test('header fields over the header limit are 431 with the error body, and only they', async (t) => {
  const port = await server(t);
  const { res, body } = await refusedAndClosed(t, port, request('GET', '/', { 'x-big': 'a'.repeat(20_000) }), 431);
  assert.match(body.error_msg, /header section is larger/);
  assert.equal(res.headers['x-request-id'], body.request_id);
});

test('Content-Length together with Transfer-Encoding is 400 and the connection closes (no smuggling)', async (t) => {
  const port = await server(t);
  const smuggle =
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n';
  await refusedAndClosed(t, port, smuggle, 400);
});

test('two different Content-Length values are 400', async (t) => {
  const port = await server(t);
  await refusedAndClosed(
    t,
    port,
    'POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    400,
  );
});

test('a malformed header field name is 400', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, 'GET / HTTP/1.1\r\nHost: a\r\nBad Header: x\r\n\r\n', 400);
});

test('a bare LF line ending is 400, in the request line and in a header line', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, 'GET / HTTP/1.1\nHost: a\n\n', 400);
  await refusedAndClosed(t, port, 'GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n', 400);
});

test('obs-fold (a header line continued on the next) is 400', async (t) => {
  const port = await server(t);
  await refusedAndClosed(t, port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Folded: one\r\n  two\r\n\r\n', 400);
});

test('a client that does not finish its headers in time gets 408 + Connection: close', async (t) => {
  const port = await server(t, { limits: { headersTimeout: 200, requestTimeout: 400 }, timeoutCheckInterval: 20 });
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send('GET / HTTP/1.1\r\nHost: a\r\n');
  const res = await wire.read();
  assert.equal(res.status, 408);
  assert.equal(res.headers.connection, 'close');
  assert.equal(errorBodyOf(res).error_code, 'SVC.0408');
  assert.ok(await wire.closesWithoutMore());
});

test('parser-level answers echo a valid X-Request-Id and use the profile’s error_code', async (t) => {
  const port = await server(t, { profile: 'dis' });
  const { res } = await exchange(t, port, 'BREW / HTTP/1.1\r\nHost: a\r\nX-Request-Id: abc-123\r\n\r\n');
  assert.equal(res.status, 501);
  assert.equal(res.headers['x-request-id'], 'abc-123');
  assert.deepEqual(JSON.parse(res.body), {
    error_code: 'DIS.0501',
    error_msg: 'This server does not recognise the method BREW for any resource.',
    request_id: 'abc-123',
  });
});

test('a connection stays usable after an answer that did not need to close it', async (t) => {
  const port = await server(t);
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('GET', '/missing'));
  assert.equal((await wire.read()).status, 404);
  wire.send(request('GET', '/'));
  assert.equal((await wire.read()).status, 200);
});

test('a malformed request pipelined behind a slow one is answered after it, in order', async (t) => {
  const slow: RouteDef[] = [
    { path: '/slow', methods: { GET: (ctx) => void setImmediate(() => sendJson(ctx, 200, { slow: true })) } },
  ];
  const port = await listen(t, createServer({ routes: slow }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(`${request('GET', '/slow')}BREW / HTTP/1.1\r\nHost: a\r\n\r\n`);
  const first = await wire.read();
  assert.equal(first.status, 200);
  assert.equal(first.body, '{"slow":true}');
  const second = await wire.read();
  assert.equal(second.status, 501);
  assert.equal(second.headers.connection, 'close');
  assert.ok(await wire.closesWithoutMore());
});
