/**
 * The canonical request (src/server/canonical.ts, src/server/host.ts): every
 * family of request line and Host the RFCs refuse is 400 with the contract's
 * body and a closed connection; every valid spelling reaches the handler in
 * one canonical form. Raw bytes over a real socket: the bytes matter here.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type RouteDef, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request } from './wire.ts';

const echo = (ctx: Parameters<NonNullable<RouteDef['methods']['GET']>>[0]) =>
  sendJson(ctx, 200, { path: ctx.path, search: ctx.search, host: ctx.host ?? null, params: ctx.params });
const routes: RouteDef[] = [
  { path: '/echo/*', methods: { GET: echo, POST: echo } },
  { path: '/files/:name', methods: { GET: echo } },
  { path: '/keep/*', methods: { GET: echo }, mergeSlashes: false },
  { path: '/strict/*', methods: { GET: echo }, escapedSlashes: 'reject' },
  { path: '/decode/*', methods: { GET: echo }, escapedSlashes: 'decode' },
  { path: '/admin/*', methods: { GET: echo } },
];

async function expect400(t: import('node:test').TestContext, port: number, bytes: string | Buffer, why: string) {
  const { res, wire } = await exchange(t, port, bytes);
  assert.equal(res.status, 400, `${why}: ${res.status} ${res.body}`);
  if (!bytes.toString().startsWith('HEAD ')) assert.equal(errorBodyOf(res).error_code, 'SVC.0400', why);
  assert.equal(res.headers.connection, 'close', why);
  await wire.closed;
}

async function echoed(t: import('node:test').TestContext, port: number, bytes: string) {
  const { res } = await exchange(t, port, bytes);
  assert.equal(res.status, 200, `${bytes.split('\r\n')[0]}: ${res.status} ${res.body}`);
  return JSON.parse(res.body) as { path: string; search: string; host: string | null; params: Record<string, string> };
}

const raw = (line: string, headers: string[] = ['Host: test']) =>
  `${line}\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`;

test('Host: missing, repeated, empty or not an authority is 400 (RFC 9112 §3.2, RFC 9110 §7.2)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const cases: [string, string[]][] = [
    ['missing on HTTP/1.1', []],
    ['empty', ['Host:']],
    ['blank', ['Host:   ']],
    ['userinfo', ['Host: user@test']],
    ['userinfo and port', ['Host: user:pw@test:80']],
    ['a path', ['Host: test/path']],
    ['a comma list', ['Host: a, b']],
    ['a comma without space', ['Host: a,b']],
    ['a space', ['Host: a b']],
    ['a quote', ['Host: a"b']],
    ['a bad port', ['Host: test:http']],
    ['a port past 65535', ['Host: test:65536']],
    ['an unclosed IP literal', ['Host: [::1']],
    ['an IP literal that is not IPv6', ['Host: [1.2.3.4]']],
    ['only a port', ['Host: :80']],
    ['two lines, same value', ['Host: test', 'Host: test']],
    ['two lines, different values', ['Host: test', 'Host: other']],
  ];
  for (const [why, headers] of cases) await expect400(t, port, raw('GET /echo/x HTTP/1.1', headers), why);
  await expect400(t, port, raw('GET /echo/x HTTP/1.0', ['Host: a', 'Host: b']), 'HTTP/1.0 with two Hosts');
});

test('valid Hosts pass, and HTTP/1.0 may omit it', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const host of [
    'test',
    'test:8080',
    'test:',
    '127.0.0.1:1',
    '[::1]:80',
    '[v1.x]',
    'xn--bcher-kva.example',
    'a-b.c_d~e',
  ]) {
    assert.equal((await echoed(t, port, raw('GET /echo/x HTTP/1.1', [`Host: ${host}`]))).host, host);
  }
  assert.equal((await echoed(t, port, raw('GET /echo/x HTTP/1.0', []))).host, null);
});

test('request-target forms: asterisk only for OPTIONS, no authority-form, no other schemes (RFC 9112 §3.2)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const method of ['GET', 'HEAD', 'POST', 'DELETE'])
    await expect400(t, port, raw(`${method} * HTTP/1.1`), `${method} *`);
  const options = await exchange(t, port, raw('OPTIONS * HTTP/1.1'));
  assert.equal(options.res.status, 204);
  await expect400(t, port, raw('GET test:80 HTTP/1.1'), 'authority-form without CONNECT');
  await expect400(t, port, raw('GET ftp://test/echo/x HTTP/1.1'), 'a scheme other than http(s)');
  await expect400(t, port, raw('GET http://user@test/echo/x HTTP/1.1'), 'absolute-form with userinfo');
  await expect400(t, port, raw('GET http:///echo/x HTTP/1.1'), 'absolute-form with an empty host');
  await expect400(t, port, raw('GET http://a b/echo/x HTTP/1.1'), 'absolute-form with a bad authority');
});

test('absolute-form is accepted; its authority replaces Host (RFC 9112 §3.2.2)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const a = await echoed(t, port, raw('GET http://other.example:81/echo/../echo/x?q=1 HTTP/1.1'));
  assert.deepEqual([a.path, a.search, a.host], ['/echo/x', 'q=1', 'other.example:81']);
  const b = await echoed(t, port, raw('GET HTTPS://Other/echo HTTP/1.1'));
  assert.deepEqual([b.path, b.host], ['/echo', 'Other']);
});

test('characters a request-target cannot hold are 400: fragment, backslash, controls, raw non-ASCII', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const target of [
    '/echo/x#frag',
    '/echo/x?a=1#frag',
    '/echo/a\\b',
    '/echo/x?a=\\',
    '/echo/"x"',
    '/echo/<x>',
    '/echo/x{y}',
  ]) {
    await expect400(t, port, raw(`GET ${target} HTTP/1.1`), target);
  }
  const bytes = (b: number[]) =>
    Buffer.concat([Buffer.from('GET /echo/'), Buffer.from(b), Buffer.from(' HTTP/1.1\r\nHost: test\r\n\r\n')]);
  for (const b of [[0xc3, 0xa9], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xff], [0x7f], [0x01]]) {
    await expect400(t, port, bytes(b), `raw bytes ${b.map((x) => x.toString(16)).join(' ')}`);
  }
});

test('percent-encoding: invalid escapes and %00 are 400; hex case and unreserved octets normalised (RFC 3986 §6.2.2)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const target of [
    '/echo/%zz',
    '/echo/%',
    '/echo/%4',
    '/echo/x%g0',
    '/echo/%00',
    '/echo/a%00b',
    '/echo/x?a=%zz',
    '/echo/x?a=%',
  ]) {
    await expect400(t, port, raw(`GET ${target} HTTP/1.1`), target);
  }
  assert.equal((await echoed(t, port, raw('GET /%65cho/%61%7e%2d HTTP/1.1'))).path, '/echo/a~-');
  assert.equal((await echoed(t, port, raw('GET /echo/%c3%a9%3f HTTP/1.1'))).path, '/echo/%C3%A9%3F');
  // The query is forwarded as sent: only checked.
  assert.equal(
    (await echoed(t, port, raw('GET /echo/x?a=%c3%a9&b=[1]{2}|^` HTTP/1.1'))).search,
    'a=%c3%a9&b=[1]{2}|^`',
  );
});

test('dot segments are removed (RFC 3986 §5.2.4); climbing above the root is 400', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const cases: [string, string][] = [
    ['/echo/a/../b', '/echo/b'],
    ['/echo/./a', '/echo/a'],
    ['/x/../echo/a', '/echo/a'],
    ['/echo/a/..', '/echo/'],
    ['/echo/a/.', '/echo/a/'],
    ['/echo/%2e%2E/echo/b', '/echo/b'],
    ['/echo/a/%2e/b', '/echo/a/b'],
    ['/echo/.../b', '/echo/.../b'],
    ['/echo/.hidden', '/echo/.hidden'],
  ];
  for (const [target, path] of cases)
    assert.equal((await echoed(t, port, raw(`GET ${target} HTTP/1.1`))).path, path, target);
  for (const target of ['/..', '/../echo/x', '/echo/../../x', '/%2e%2e/echo/x', '/echo/..;x/y', '/echo/.;x/y']) {
    await expect400(t, port, raw(`GET ${target} HTTP/1.1`), target);
  }
});

test('a route parameter never sees a dot segment or an empty segment', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const target of ['/files/..', '/files/%2e%2e', '/files/.', '/files/x/..']) {
    const { res } = await exchange(t, port, raw(`GET ${target} HTTP/1.1`));
    assert.notEqual(res.status, 200, target);
  }
  assert.equal((await echoed(t, port, raw('GET /files//a HTTP/1.1'))).params.name, 'a');
});

test('repeated slashes are merged unless the route keeps them', async (t) => {
  const port = await listen(t, createServer({ routes }));
  assert.equal((await echoed(t, port, raw('GET //echo///a//b HTTP/1.1'))).path, '/echo/a/b');
  assert.equal((await echoed(t, port, raw('GET /keep//a///b HTTP/1.1'))).path, '/keep//a///b');
  assert.equal((await echoed(t, port, raw('GET //keep/a HTTP/1.1'))).path, '//keep/a');
  // Dot segments go before slashes merge, as an upstream reading the kept path would.
  assert.equal((await echoed(t, port, raw('GET /keep/a//../b HTTP/1.1'))).path, '/keep/a/b');
});

test('encoded slashes: kept by default, refused or decoded where the route says', async (t) => {
  const port = await listen(t, createServer({ routes }));
  assert.equal((await echoed(t, port, raw('GET /echo/a%2fb HTTP/1.1'))).path, '/echo/a%2Fb');
  assert.equal((await echoed(t, port, raw('GET /echo/a%5cb HTTP/1.1'))).path, '/echo/a%5Cb');
  for (const target of ['/strict/a%2Fb', '/strict/a%5cb', '/%73trict/a%2fb'])
    await expect400(t, port, raw(`GET ${target} HTTP/1.1`), target);
  assert.equal((await echoed(t, port, raw('GET /decode/a%2Fb%5Cc HTTP/1.1'))).path, '/decode/a/b/c');
  // Decoding may move the request to another route: it is routed again.
  assert.equal((await echoed(t, port, raw('GET /decode/..%2Fadmin%2Fx HTTP/1.1'))).path, '/admin/x');
  await expect400(t, port, raw('GET /decode/..%2F..%2Fx HTTP/1.1'), 'decoded, it climbs above the root');
  // Kept, an encoded slash must not hide dot segments an upstream that decodes would follow.
  for (const target of ['/echo/..%2F..%2Fetc', '/echo/a%2F..%2F..%2Fb', '/echo/%2E%2E%2Fx']) {
    await expect400(t, port, raw(`GET ${target} HTTP/1.1`), target);
  }
});

test('a Transfer-Encoding with an empty coding is 400 and closes (RFC 9112 §6.1)', async (t) => {
  const port = await listen(t, createServer({ routes }));
  for (const te of [
    'Transfer-Encoding:',
    'Transfer-Encoding:  ',
    'Transfer-Encoding: chunked, ',
    'Transfer-Encoding: , chunked',
  ]) {
    await expect400(t, port, raw('POST /echo/x HTTP/1.1', ['Host: test', te]), te);
  }
});

test('the characters a path may hold reach the handler unchanged', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const path = "/echo/!$&'()*+,;=:@-._~";
  assert.equal((await echoed(t, port, request('GET', path))).path, path);
});
