import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { RouteDef } from '../../src/server/types.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
} from './support.ts';

const noop = (): void => {};

/** Answers what framing it received; `/early` answers 413 on the head without reading the body. */
function upstreamHandler(closed: IncomingMessage[]) {
  return (req: IncomingMessage, res: import('node:http').ServerResponse): void => {
    if (req.url === '/early') {
      // node:http never ends a request whose answer finished first; its connection closes.
      req.socket.on('close', () => closed.push(req));
      res.writeHead(413, { 'content-type': 'text/plain', 'content-length': '8' });
      res.end('too big!');
      return;
    }
    if (req.url === '/needs-length' && req.headers['content-length'] === undefined) {
      req.resume();
      res.writeHead(411, { 'content-length': '0', connection: 'close' });
      res.end();
      return;
    }
    let size = 0;
    req.on('data', (c: Buffer) => (size += c.length));
    req.on('end', () => {
      const text = JSON.stringify({
        length: req.headers['content-length'] ?? null,
        te: req.headers['transfer-encoding'] ?? null,
        size,
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  };
}

const chunked = (path: string, body: string): string =>
  `POST ${path} HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n` +
  `${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;

describe('request framing: the upstream gets the framing the client chose', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const closed: IncomingMessage[] = [];

  before(async () => {
    upstream = await startUpstream(upstreamHandler(closed));
    gateway = await startGateway({ routes: [{ path: '/', targets: [upstream.url] }] });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('forwards a small chunked body chunked, never re-framed with a length', async () => {
    const res = await rawExchange(gateway.port, chunked('/echo', '{"a":1}'), completeByLength);
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.body), { length: null, te: 'chunked', size: 7 });
  });

  it('forwards a declared length as that length', async () => {
    const req = 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello';
    const res = await rawExchange(gateway.port, req, completeByLength);
    assert.deepEqual(JSON.parse(res.body), { length: '5', te: null, size: 5 });
  });

  it('relays the upstream’s 411 for a chunked body', async () => {
    const res = await rawExchange(gateway.port, chunked('/needs-length', 'x'), (t) => t.includes('\r\n\r\n'));
    assert.equal(res.status, 411);
  });

  it('relays an answer that comes before the body is complete at once, then closes the connection', async () => {
    // 3 of the 1000 declared bytes are sent; the client then waits for an answer (RFC 9110 §15.5.14).
    const req = 'POST /early HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\nabc';
    const res = await rawExchange(gateway.port, req);
    assert.equal(res.status, 413);
    assert.equal(res.body, 'too big!');
    // RFC 9112 §9.6: the rest of the body is never read, so the connection closes after the answer.
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.closed, true);
    // The upstream connection closed too (undici resets it), and the exchange settled.
    while (closed.length === 0) await new Promise((resolve) => setImmediate(resolve));
    while (gateway.gw.inFlight > 0) await new Promise((resolve) => setImmediate(resolve));
  });

  it('keeps the connection when the body was complete before the answer', async () => {
    const req = 'POST /echo HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi';
    const res = await rawExchange(gateway.port, req, completeByLength);
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'keep-alive');
  });
});

describe('a gateway route split along the upstream’s own route table', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const table: RouteDef[] = [
    { path: '/items', methods: { GET: noop, POST: noop }, requireLength: true, bodyLimit: 16 },
    { path: '/items/:id', methods: { GET: noop, PUT: noop }, bodyLimit: 16 },
  ];

  before(async () => {
    upstream = await startUpstream(upstreamHandler([]));
    gateway = await startGateway(
      { routes: [{ path: '/', targets: [upstream.url] }] },
      { upstreamRoutes: { '/': table } },
    );
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers a declared length over the upstream route’s limit at once, with no body byte sent', async () => {
    const req = 'POST /items HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\n';
    const res = await rawExchange(gateway.port, req);
    assert.equal(res.status, 413);
    assert.equal(res.headers.connection, 'close');
    assert.equal(res.closed, true);
    assert.equal(
      upstream.seen.some((s) => s.url === '/items'),
      false,
    );
  });

  it('answers 411 for a chunked body where the upstream route requires a length', async () => {
    const res = await rawExchange(gateway.port, chunked('/items', 'x'), (t) => t.includes('\r\n\r\n'));
    assert.equal(res.status, 411);
  });

  it('answers 405 with the upstream route’s methods in Allow', async () => {
    const res = await rawExchange(gateway.port, 'DELETE /items/7 HTTP/1.1\r\nHost: a\r\n\r\n', (t) =>
      t.includes('\r\n\r\n'),
    );
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, PUT, HEAD, OPTIONS');
  });

  it('forwards within the limits, and forwards paths the table does not name', async () => {
    const ok = 'PUT /items/7 HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi';
    assert.deepEqual(JSON.parse((await rawExchange(gateway.port, ok, completeByLength)).body), {
      length: '2',
      te: null,
      size: 2,
    });
    const other = await rawExchange(gateway.port, chunked('/elsewhere', 'xyz'), completeByLength);
    assert.deepEqual(JSON.parse(other.body), { length: null, te: 'chunked', size: 3 });
  });
});

describe('a split route keeps the gateway route’s own method limits', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const table: RouteDef[] = [{ path: '/items', methods: { GET: noop, POST: noop } }];

  before(async () => {
    upstream = await startUpstream(upstreamHandler([]));
    gateway = await startGateway(
      { routes: [{ path: '/', targets: [upstream.url], methods: ['GET'] }] },
      { upstreamRoutes: { '/': table } },
    );
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers 405 for a method the upstream takes but the gateway route does not let through', async () => {
    const res = await rawExchange(gateway.port, chunked('/items', 'x'), (t) => t.includes('\r\n\r\n'));
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, OPTIONS');
    assert.equal(
      upstream.seen.some((s) => s.method === 'POST'),
      false,
    );
  });
});
