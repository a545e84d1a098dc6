import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type RouteDef, sendEmpty, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request } from './wire.ts';

const routes: RouteDef[] = [
  {
    path: '/items',
    methods: {
      GET: (ctx) => sendJson(ctx, 200, []),
      POST: (ctx) => sendJson(ctx, 201, { id: '1' }, { location: '/items/1' }),
    },
  },
  {
    path: '/items/:id',
    methods: {
      GET: (ctx) => sendJson(ctx, 200, { id: ctx.params.id }),
      DELETE: (ctx) => sendEmpty(ctx, 204),
    },
  },
  { path: '/files/*', methods: { GET: (ctx) => sendJson(ctx, 200, { rest: ctx.params['*'] }) } },
];

test('a path no route serves is 404 with the error body', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('GET', '/nothing'));
  assert.equal(res.status, 404);
  assert.equal(errorBodyOf(res).error_code, 'SVC.0404');
  assert.equal(res.headers.connection, 'keep-alive');
});

test('a method the route lacks is 405 with Allow listing the route’s methods', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('PUT', '/items/7'));
  assert.equal(res.status, 405);
  assert.equal(res.headers.allow, 'GET, DELETE, HEAD, OPTIONS');
  assert.equal(errorBodyOf(res).error_code, 'SVC.0405');
});

test('OPTIONS is answered 204 with Allow and no body', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('OPTIONS', '/items'));
  assert.equal(res.status, 204);
  assert.equal(res.headers.allow, 'GET, POST, HEAD, OPTIONS');
  assert.equal(res.headers['content-length'], undefined);
  assert.ok(res.headers['x-request-id']);
});

test('OPTIONS * answers for the whole server', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('OPTIONS', '*'));
  assert.equal(res.status, 204);
  assert.equal(res.headers.allow, 'OPTIONS, GET, POST, HEAD, DELETE');
});

test('the asterisk target with any other method is 400 (RFC 9112 §3.2.4)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const method of ['GET', 'HEAD', 'POST', 'DELETE']) {
    const { res } = await exchange(t, port, request(method, '*'));
    assert.equal(res.status, 400, method);
  }
});

test('route parameters, prefixes and absolute-form targets reach the handler', async (t) => {
  const port = await listen(t, createServer({ routes }));
  assert.equal((await exchange(t, port, request('GET', '/items/42'))).res.body, '{"id":"42"}');
  assert.equal((await exchange(t, port, request('GET', '/files/a/b.txt?x=1'))).res.body, '{"rest":"a/b.txt"}');
  assert.equal((await exchange(t, port, request('GET', 'http://test/items/9'))).res.body, '{"id":"9"}');
  // A prefix route covers its own path and what is below it, never a longer segment.
  assert.equal((await exchange(t, port, request('GET', '/files'))).res.body, '{"rest":""}');
  assert.equal((await exchange(t, port, request('GET', '/files/'))).res.body, '{"rest":""}');
  assert.equal((await exchange(t, port, request('GET', '/filesystem'))).res.status, 404);
});

test('HEAD is served by the GET handler with headers only', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res, wire } = await exchange(t, port, request('HEAD', '/items/3'));
  assert.equal(res.status, 200);
  assert.equal(res.headers['content-length'], '10');
  wire.send(request('GET', '/items/4'));
  const next = await wire.read();
  assert.equal(next.body, '{"id":"4"}', 'no body bytes were sent for HEAD');
});

test('HEAD of an error gets the error headers without the body', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const { res, wire } = await exchange(t, port, request('HEAD', '/nothing'));
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] ?? '', /^application\/json/);
  wire.send(request('GET', '/items/5'));
  assert.equal((await wire.read()).body, '{"id":"5"}');
});

test('201 from sendJson carries its Location; 204 has no body', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const created = (await exchange(t, port, request('POST', '/items', { 'content-length': 0 }))).res;
  assert.equal(created.status, 201);
  assert.equal(created.headers.location, '/items/1');
  const deleted = (await exchange(t, port, request('DELETE', '/items/1'))).res;
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, '');
});

test('an HTTP/1.1 request without Host, or with two, is 400', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const none = (await exchange(t, port, 'GET /items HTTP/1.1\r\n\r\n')).res;
  assert.equal(none.status, 400);
  assert.match(errorBodyOf(none).error_msg, /Host/);
  const two = (await exchange(t, port, 'GET /items HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).res;
  assert.equal(two.status, 400);
  const http10 = (await exchange(t, port, 'GET /items HTTP/1.0\r\n\r\n')).res;
  assert.equal(http10.status, 200);
});

test('a fallback handler takes what no route serves', async (t) => {
  const port = await listen(
    t,
    createServer({ routes }, (ctx) => sendJson(ctx, 200, { fallback: ctx.path })),
  );
  assert.equal((await exchange(t, port, request('GET', '/other'))).res.body, '{"fallback":"/other"}');
  assert.equal((await exchange(t, port, request('PUT', '/items'))).res.status, 405);
});

test('methods outside the configured set are 501 even when a route names them', async (t) => {
  const port = await listen(t, createServer({ methods: ['GET', 'HEAD', 'OPTIONS'], routes }));
  const { res } = await exchange(t, port, request('POST', '/items', { 'content-length': 0 }));
  assert.equal(res.status, 501);
  const options = (await exchange(t, port, request('OPTIONS', '/items'))).res;
  assert.equal(options.headers.allow, 'GET, HEAD, OPTIONS', 'Allow names only implemented methods');
});
