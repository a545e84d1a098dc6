import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
} from './support.ts';

describe('answers the gateway makes itself: 203 transforms, normalised errors, 413, 503 for disabled routes', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const user = JSON.stringify({ id: 7, name: 'Ada', internal_note: 'do not show' });

  before(async () => {
    upstream = await startUpstream((req, res) => {
      const url = req.url ?? '';
      if (url.endsWith('/user')) {
        res.writeHead(200, {
          'content-type': 'application/json',
          etag: '"v1"',
          'content-length': Buffer.byteLength(user),
        });
        res.end(user);
      } else if (url.endsWith('/no-transform')) {
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-transform' });
        res.end(user);
      } else if (url.endsWith('/clean')) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":1}');
      } else if (url.endsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not Found</h1>');
      } else if (url.endsWith('/json-error')) {
        res.writeHead(409, { 'content-type': 'application/json' });
        res.end('{"message":"version mismatch"}');
      } else if (url.endsWith('/contract-error')) {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end('{"error_code":"APP.0422","error_msg":"bad field","request_id":"r1"}');
      } else if (url.endsWith('/teapot')) {
        res.writeHead(418, { 'content-type': 'text/plain' });
        res.end('short and stout');
      } else if (url.endsWith('/busy')) {
        res.writeHead(429, { 'content-type': 'text/plain' });
        res.end('slow down');
      } else {
        req.resume();
        req.on('end', () => res.end('ok'));
      }
    });
    gateway = await startGateway({
      routes: [
        { path: '/t', targets: [upstream.url], transform: { remove: ['internal_note'], set: { source: 'gateway' } } },
        { path: '/r', targets: [upstream.url], transform: { remove: ['internal_note'] } },
        { path: '/n', targets: [upstream.url], normaliseErrors: true },
        { path: '/raw', targets: [upstream.url] },
        { path: '/small', targets: [upstream.url], bodyLimit: 16 },
        { path: '/off', targets: [upstream.url], disabled: true },
        { path: '/later', targets: [upstream.url], maintenance: { retryAfter: '2m', reason: 'Upgrading storage.' } },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  const get = (path: string, extra = '') =>
    rawExchange(gateway.port, `GET ${path} HTTP/1.1\r\nHost: h\r\n${extra}\r\n`, completeByLength);

  it('203 when the transform changed an upstream 200 body; validators of the old bytes are dropped (RFC 9110 §15.3.4)', async () => {
    const res = await get('/t/user');
    assert.equal(res.status, 203);
    assert.deepEqual(JSON.parse(res.body), { id: 7, name: 'Ada', source: 'gateway' });
    assert.equal(res.headers.etag, undefined);
    assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.body)));
  });

  it('200 unchanged when Cache-Control: no-transform is on the response or the request (RFC 9111 §5.2)', async () => {
    const marked = await rawExchange(gateway.port, 'GET /t/no-transform HTTP/1.1\r\nHost: h\r\n\r\n', (t) =>
      t.includes('do not show'),
    );
    assert.equal(marked.status, 200);
    const asked = await get('/t/user', 'Cache-Control: no-transform\r\n');
    assert.equal(asked.status, 200);
    assert.equal(asked.body, user);
    assert.equal(asked.headers.etag, '"v1"');
  });

  it('200 when the transform had nothing to change', async () => {
    const unchanged = await get('/r/clean');
    assert.equal(unchanged.status, 200);
    assert.equal(unchanged.body, '{"id":1}');
    assert.equal((await get('/r/user')).status, 203);
  });

  it('normalises an upstream error body into the contract body when the route asks for it', async () => {
    const html = await get('/n/missing');
    assert.equal(html.status, 404);
    const body = JSON.parse(html.body) as { error_code: string; error_msg: string; request_id: string };
    assert.equal(body.error_code, 'SVC.0404.UPSTREAM');
    assert.equal(body.request_id, html.headers['x-request-id']);
    const json = await get('/n/json-error');
    assert.equal(json.status, 409);
    assert.match((JSON.parse(json.body) as { error_msg: string }).error_msg, /version mismatch/);
  });

  it('leaves contract bodies, codes outside the contract and answers missing a required field unchanged', async () => {
    const contract = await get('/n/contract-error');
    assert.equal((JSON.parse(contract.body) as { error_code: string }).error_code, 'APP.0422');
    const teapot = await get('/n/teapot');
    assert.equal(teapot.status, 418);
    assert.equal(teapot.body, 'short and stout');
    const busy = await get('/n/busy');
    assert.equal(busy.status, 429, 'a 429 without Retry-After cannot be made a correct 429');
    assert.equal(busy.body, 'slow down');
  });

  it('does not touch error bodies on routes that did not ask', async () => {
    const res = await rawExchange(gateway.port, 'GET /raw/missing HTTP/1.1\r\nHost: h\r\n\r\n', (t) =>
      t.endsWith('0\r\n\r\n'),
    );
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'text/html');
    assert.match(res.body, /<h1>Not Found<\/h1>/);
  });

  it('413 from the declared length with the route limit, before a byte of the body is read', async () => {
    const res = await rawExchange(
      gateway.port,
      'POST /small HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\n',
      completeByLength,
    );
    assert.equal(res.status, 413);
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.headers['retry-after'], undefined, 'permanent: no Retry-After');
  });

  it('413 for a chunked body that passes the route limit on its way up', async () => {
    const chunk = 'x'.repeat(20);
    const res = await rawExchange(
      gateway.port,
      `POST /small HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n${(20).toString(16)}\r\n${chunk}\r\n0\r\n\r\n`,
      completeByLength,
    );
    assert.equal(res.status, 413);
  });

  it('503 for a disabled route (no Retry-After) and for one in maintenance (with Retry-After)', async () => {
    const off = await get('/off/x');
    assert.equal(off.status, 503);
    assert.equal(off.headers['retry-after'], undefined);
    const later = await get('/later/x');
    assert.equal(later.status, 503);
    assert.equal(later.headers['retry-after'], '120');
    assert.match((JSON.parse(later.body) as { error_msg: string }).error_msg, /Upgrading storage/);
  });
});
