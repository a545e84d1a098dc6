import assert from 'node:assert/strict';
import { createServer as createNodeServer } from 'node:http';
import { test } from 'node:test';
import { skipDrain } from '../../src/server/body.ts';
import { createServer, type RouteDef, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request, Wire } from './wire.ts';

const echo: RouteDef['methods'][string] = async (ctx) => {
  const body = await ctx.body();
  sendJson(ctx, 200, { bytes: body.length });
};

const routes: RouteDef[] = [
  { path: '/strict', requireLength: true, methods: { POST: echo, PUT: echo } },
  { path: '/small', bodyLimit: 10, methods: { POST: echo } },
  {
    path: '/json',
    accepts: ['application/json', 'application/merge-patch+json'],
    methods: {
      POST: async (ctx) => sendJson(ctx, 200, { got: await ctx.json() }),
      PATCH: echo,
      PUT: echo,
    },
  },
  { path: '/any', methods: { POST: async (ctx) => sendJson(ctx, 200, { got: await ctx.json() }) } },
];

test('POST without Content-Length on a route that requires it is 411', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const chunked = request('POST', '/strict', { 'transfer-encoding': 'chunked' }, '3\r\nabc\r\n0\r\n\r\n');
  const { res, wire } = await exchange(t, port, chunked);
  assert.equal(res.status, 411);
  assert.equal(errorBodyOf(res).error_code, 'SVC.0411');
  assert.equal(res.headers.connection, 'close', 'the unread chunked body closes the connection');
  assert.ok(await wire.closesWithoutMore());
  const plain = (await exchange(t, port, request('POST', '/strict', { 'content-length': 3 }, 'abc'))).res;
  assert.equal(plain.status, 200);
});

test('a declared length over the limit is 413 before the body is read, and the connection closes', async (t) => {
  let handlerRan = false;
  const port = await listen(
    t,
    createServer({
      routes: [{ path: '/small', bodyLimit: 10, methods: { POST: () => void (handlerRan = true) } }],
    }),
  );
  // Only the headers go out: the answer must come without the body.
  const { res, wire } = await exchange(t, port, request('POST', '/small', { 'content-length': 1_000_000 }));
  assert.equal(res.status, 413);
  assert.equal(res.headers.connection, 'close');
  assert.match(errorBodyOf(res).error_msg, /limit is 10 bytes/);
  assert.ok(await wire.closesWithoutMore());
  assert.equal(handlerRan, false);
});

test('a chunked body is cut at the limit with 413 and Connection: close', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('POST', '/small', { 'transfer-encoding': 'chunked' }, '8\r\n12345678\r\n'));
  wire.send('8\r\n12345678\r\n');
  const res = await wire.read();
  assert.equal(res.status, 413);
  assert.equal(res.headers.connection, 'close');
  errorBodyOf(res);
  assert.ok(await wire.closesWithoutMore());
});

test('a body in a media type the route does not take is 415 with Accept-Post / Accept-Patch', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const post = (
    await exchange(t, port, request('POST', '/json', { 'content-type': 'text/plain', 'content-length': 2 }, 'hi'))
  ).res;
  assert.equal(post.status, 415);
  assert.equal(post.headers['accept-post'], 'application/json, application/merge-patch+json');
  assert.equal(errorBodyOf(post).error_code, 'SVC.0415');
  const patch = (await exchange(t, port, request('PATCH', '/json', { 'content-length': 2 }, 'hi'))).res;
  assert.equal(patch.status, 415, 'no Content-Type counts as application/octet-stream');
  assert.equal(patch.headers['accept-patch'], 'application/json, application/merge-patch+json');
  const put = (
    await exchange(t, port, request('PUT', '/json', { 'content-type': 'text/csv', 'content-length': 1 }, 'x'))
  ).res;
  assert.equal(put.status, 415);
  assert.equal(put.headers['accept-post'], undefined);
  const ok = (
    await exchange(
      t,
      port,
      request('POST', '/json', { 'content-type': 'application/json; charset=utf-8', 'content-length': 7 }, '{"a":1}'),
    )
  ).res;
  assert.equal(ok.body, '{"got":{"a":1}}');
});

test('ctx.json() answers 415 for a non-JSON body and 400 for malformed JSON', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const wrong = (
    await exchange(t, port, request('POST', '/any', { 'content-type': 'text/plain', 'content-length': 1 }, 'x'))
  ).res;
  assert.equal(wrong.status, 415);
  const broken = (
    await exchange(
      t,
      port,
      request('POST', '/any', { 'content-type': 'application/json', 'content-length': 5 }, '{"a":'),
    )
  ).res;
  assert.equal(broken.status, 400);
  assert.match(errorBodyOf(broken).error_msg, /not valid JSON/);
});

test('Expect: 100-continue gets 100 only once the guards passed, then the final answer', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('POST', '/strict', { 'content-length': 4, expect: '100-continue' }));
  const interim = await wire.read();
  assert.equal(interim.status, 100);
  wire.send('abcd');
  const final = await wire.read();
  assert.equal(final.status, 200);
  assert.equal(final.body, '{"bytes":4}');
});

test('Expect: 100-continue on a request a guard refuses gets the final code and no 100', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res, wire } = await exchange(
    t,
    port,
    request('POST', '/small', { 'content-length': 100, expect: '100-continue' }),
  );
  assert.equal(res.status, 413);
  assert.equal(res.headers.connection, 'close');
  assert.ok(await wire.closesWithoutMore());
});

test('an expectation other than 100-continue is 417', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('POST', '/strict', { 'content-length': 0, expect: 'teapot' }));
  assert.equal(res.status, 417);
  assert.equal(errorBodyOf(res).error_code, 'SVC.0417');
});

test('a body that does not arrive in time is 408 with Connection: close', async (t) => {
  const port = await listen(t, createServer({ routes, limits: { bodyTimeout: 100 } }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('POST', '/strict', { 'content-length': 10 }, 'abc'));
  const res = await wire.read();
  assert.equal(res.status, 408);
  assert.equal(res.headers.connection, 'close');
  assert.equal(errorBodyOf(res).error_code, 'SVC.0408');
  assert.ok(await wire.closesWithoutMore());
});

test('skipDrain: a request without content and without listeners is not drained, and the connection carries the next one', async (t) => {
  const applied: boolean[] = [];
  const closes: string[] = [];
  const seen: import('node:http').IncomingMessage[] = [];
  const server = createNodeServer((req, res) => {
    seen.push(req);
    if (req.url === '/listened') req.on('close', () => closes.push(req.url ?? ''));
    applied.push(skipDrain(req));
    res.writeHead(200, { 'content-length': '2' });
    res.end('ok');
  });
  const port = await listen(t, server);
  const wire = new Wire(port);
  t.after(() => wire.close());
  // Pipelined: the second and third requests are already on the connection when the first is answered.
  wire.send(request('GET', '/a') + request('GET', '/b') + request('GET', '/listened'));
  for (let i = 0; i < 3; i++) assert.equal((await wire.read()).status, 200);
  wire.send(request('POST', '/empty', { 'content-length': 0 }));
  assert.equal((await wire.read()).status, 200);
  wire.send(request('POST', '/chunked', { 'transfer-encoding': 'chunked' }, '3\r\nabc\r\n0\r\n\r\n'));
  assert.equal((await wire.read()).status, 200);
  wire.send(request('GET', '/last'));
  assert.equal((await wire.read()).status, 200);
  assert.deepEqual(applied, [true, true, false, false, false, true]);
  while (closes.length === 0) await new Promise((r) => setImmediate(r));
  assert.deepEqual(closes, ['/listened'], 'a request with a listener is drained as node drains it');
  assert.equal(seen[0]?.readableEnded, false, 'node did not drain /a');
  assert.equal(seen[2]?.readableEnded, true, 'node drained /listened');
});
