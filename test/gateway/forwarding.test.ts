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

describe('forwarding: requests go up and answers come back streamed, minus hop-by-hop fields', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url?.startsWith('/bytes/')) {
        // Every byte value, repeated to the asked length, then one UTF-8 character split by nothing.
        const n = Number(req.url.slice('/bytes/'.length));
        const body = Buffer.concat([Buffer.from(Array.from({ length: n }, (_, i) => i % 256)), Buffer.from('é')]);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
        res.end(body);
        return;
      }
      if (req.url?.startsWith('/stream')) {
        // Chunked, in pieces, with a field the upstream's Connection names.
        res.writeHead(200, { 'content-type': 'text/plain', connection: 'x-internal', 'x-internal': 'secret' });
        res.write('one,');
        setImmediate(() => res.end('two'));
        return;
      }
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const text = JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text),
          'x-request-id': 'upstream-own-id',
        });
        res.end(text);
      });
    });
    gateway = await startGateway({
      routes: [
        { path: '/api', targets: [`${upstream.url}/base`], stripPrefix: true, escapedSlashes: 'keep' },
        { path: '/strict', targets: [`${upstream.url}/base`], stripPrefix: true },
        { path: '/', targets: [upstream.url] },
      ],
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('removes Connection, the fields it names and the other hop-by-hop fields before forwarding (RFC 9110 §7.6.1)', async () => {
    const res = await rawExchange(
      gateway.port,
      'GET /echo HTTP/1.1\r\nHost: gw.example\r\nConnection: keep-alive, X-Hop\r\nX-Hop: drop me\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: keep-alive\r\nX-Kept: yes\r\n\r\n',
      completeByLength,
    );
    assert.equal(res.status, 200);
    const echoed = JSON.parse(res.body) as { headers: Record<string, string> };
    for (const gone of ['x-hop', 'keep-alive', 'te', 'proxy-connection'])
      assert.equal(echoed.headers[gone], undefined, gone);
    assert.equal(echoed.headers['x-kept'], 'yes');
  });

  it('passes answer bytes through exactly, small (sent with the head) and large', async () => {
    for (const n of [0, 1, 256, 1022, 1023, 5000, 70_000]) {
      const res = await rawExchange(gateway.port, `GET /bytes/${n} HTTP/1.1\r\nHost: gw\r\n\r\n`, completeByLength);
      assert.equal(res.status, 200);
      const expected = Buffer.concat([Buffer.from(Array.from({ length: n }, (_, i) => i % 256)), Buffer.from('é')]);
      assert.ok(Buffer.from(res.body, 'latin1').equals(expected), `${n} bytes`);
    }
  });

  it('adds Via, X-Forwarded-For/-Proto/-Host and passes X-Request-Id up and back', async () => {
    const res = await rawExchange(
      gateway.port,
      'GET /echo HTTP/1.1\r\nHost: gw.example\r\nVia: 1.0 edge\r\nX-Forwarded-For: 203.0.113.7\r\nX-Request-Id: req-123\r\n\r\n',
      completeByLength,
    );
    const echoed = JSON.parse(res.body) as { headers: Record<string, string> };
    assert.equal(echoed.headers.via, '1.0 edge, 1.1 statuskit');
    // From a peer that is not a trusted proxy, a client's own X-Forwarded-For is no evidence: dropped (trustProxy).
    assert.equal(echoed.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(echoed.headers['x-forwarded-proto'], 'http');
    assert.equal(echoed.headers['x-forwarded-host'], 'gw.example');
    assert.equal(echoed.headers['x-request-id'], 'req-123');
    assert.equal(echoed.headers.host, `127.0.0.1:${upstream.port}`);
    // One id per exchange: the gateway's, not the upstream's own.
    assert.equal(res.headers['x-request-id'], 'req-123');
    assert.equal(res.headers.via, '1.1 statuskit');
  });

  it('strips the route prefix and prepends the target base path, query kept byte for byte', async () => {
    const res = await rawExchange(
      gateway.port,
      'GET /api/items/a%2Fb?x=1&y=%20 HTTP/1.1\r\nHost: h\r\n\r\n',
      completeByLength,
    );
    assert.equal((JSON.parse(res.body) as { url: string }).url, '/base/items/a%2Fb?x=1&y=%20');
    const bare = await rawExchange(gateway.port, 'GET /api?q=1 HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    assert.equal((JSON.parse(bare.body) as { url: string }).url, '/base/?q=1');
    // Unset, a route that strips its prefix refuses encoded slashes (src/gateway/proxy/paths.ts).
    const strict = await rawExchange(gateway.port, 'GET /strict/a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    assert.equal(strict.status, 400);
  });

  it('forwards a request body and streams a chunked answer through, without the fields its Connection names', async () => {
    const post = await rawExchange(
      gateway.port,
      'POST /echo HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello',
      completeByLength,
    );
    assert.equal((JSON.parse(post.body) as { body: string }).body, 'hello');
    const streamed = await rawExchange(gateway.port, 'GET /stream HTTP/1.1\r\nHost: h\r\n\r\n', (t) =>
      t.endsWith('0\r\n\r\n'),
    );
    assert.equal(streamed.status, 200);
    assert.equal(streamed.headers['transfer-encoding'], 'chunked');
    assert.equal(streamed.headers['x-internal'], undefined);
    assert.match(streamed.body, /one,/);
    assert.match(streamed.body, /two/);
  });

  it('logs one JSON access line per request with id, method, path, status, duration and upstream', async () => {
    await rawExchange(
      gateway.port,
      'GET /echo HTTP/1.1\r\nHost: h\r\nX-Request-Id: logged-1\r\n\r\n',
      completeByLength,
    );
    gateway.gw.flushLogs();
    const line = gateway.logs.find((l) => l.request_id === 'logged-1' && l.msg === 'request');
    assert.ok(line, 'an access line for the request');
    assert.equal(line.method, 'GET');
    assert.equal(line.path, '/echo');
    assert.equal(line.status, 200);
    assert.equal(typeof line.duration_ms, 'number');
    assert.equal(line.upstream, upstream.url);
  });

  it('writes a path with quote marks and backslashes as valid JSON in the access line', async () => {
    await rawExchange(
      gateway.port,
      'GET /echo/"quoted"\\back HTTP/1.1\r\nHost: h\r\nX-Request-Id: logged-2\r\n\r\n',
      completeByLength,
    );
    gateway.gw.flushLogs();
    const line = gateway.logs.find((l) => l.request_id === 'logged-2' && l.msg === 'request');
    assert.ok(line, 'an access line for the request');
    assert.equal(line.path, '/echo/"quoted"\\back');
  });
});
