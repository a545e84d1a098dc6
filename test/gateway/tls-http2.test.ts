/**
 * `listen.tls` and HTTP/2 (docs/gateway.md, TLS and HTTP/2): the contract's
 * codes over h2 with the same error body and X-Request-Id as over HTTP/1.1,
 * HTTPS HTTP/1.1 on the same port (ALPN), h2c prior knowledge, and bad
 * frames / reset streams that leave the gateway serving.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import http2 from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { closedPort, type RunningGateway, rawExchange, startGateway, startUpstream, type Upstream } from './support.ts';
import { type Cert, h2Connect, h2Request, makeCert } from './tls-support.ts';

const CONNECTION_SPECIFIC = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];

function assertErrorBody(res: { status: number; headers: http2.IncomingHttpHeaders; body: string }, code: number) {
  assert.equal(res.status, code, res.body);
  const id = res.headers['x-request-id'];
  assert.ok(typeof id === 'string' && id.length > 0, 'X-Request-Id');
  const body = JSON.parse(res.body) as { error_code: string; request_id: string };
  assert.equal(body.request_id, id);
  assert.match(body.error_code, new RegExp(`\\.0${code}|\\.${code}`));
  for (const name of CONNECTION_SPECIFIC) assert.equal(res.headers[name], undefined, `${name} is not sent over h2`);
}

describe('statuskit serve with listen.tls: HTTP/2 and HTTPS HTTP/1.1 on one port', () => {
  let cert: Cert;
  let upstream: Upstream;
  let gateway: RunningGateway;
  let limited: RunningGateway;
  let session: http2.ClientHttp2Session;

  before(async () => {
    cert = makeCert();
    upstream = await startUpstream((req, res) => {
      if (req.url?.startsWith('/slow')) {
        setTimeout(() => res.end('late'), 2_000).unref();
        return;
      }
      // Connection-specific fields from the upstream never reach an h2 client.
      res.writeHead(200, { 'content-type': 'text/plain', 'keep-alive': 'timeout=5', 'x-up': req.headers.host ?? '' });
      req.resume();
      req.on('end', () => res.end(`up ${req.method} ${req.url}`));
    });
    const dead = await closedPort();
    const tls = { cert: cert.cert, key: cert.key };
    gateway = await startGateway({
      listen: { host: '127.0.0.1', port: 0, tls },
      limits: { body: 16 },
      routes: [
        { path: '/dead', targets: [`http://127.0.0.1:${dead}`] },
        { path: '/ro', targets: [upstream.url], methods: ['GET'] },
        { path: '/json', targets: [upstream.url], accepts: ['application/json'] },
        { path: '/len', targets: [upstream.url], requireLength: true },
        { path: '/', targets: [upstream.url] },
      ],
    });
    limited = await startGateway({
      listen: { host: '127.0.0.1', port: 0, tls },
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: {
        auth: { apiKeys: [{ id: 'alice', key: 'alice-key-1' }] },
        rateLimit: { limit: 1, window: '60s', key: 'principal' },
      },
    });
    session = await h2Connect(gateway.url, cert.pem);
  });
  after(async () => {
    session.close();
    await gateway.close();
    await limited.close();
    await upstream.close();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it('negotiates h2 by ALPN and proxies: no pseudo-header upstream, Host from :authority', async () => {
    assert.equal(gateway.url.startsWith('https://'), true);
    const res = await h2Request(session, { ':path': '/a?b=1' });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'up GET /a?b=1');
    assert.equal(res.headers['keep-alive'], undefined);
    const seen = upstream.seen.at(-1)!;
    assert.equal(seen.headers['x-forwarded-host'], new URL(gateway.url).host, 'the authority is :authority');
    assert.equal(Object.keys(seen.headers).filter((k) => k.startsWith(':')).length, 0);
    assert.equal(seen.headers['x-forwarded-proto'], 'https');
    assert.match(seen.headers.via ?? '', /^2(\.0)? statuskit/);
  });

  it('404, 405 + Allow, OPTIONS 204 + Allow under h2', async () => {
    const seen = upstream.seen.length;
    assertErrorBody(await h2Request(session, { ':path': '/ro/x', ':method': 'DELETE' }), 405);
    const refused = await h2Request(session, { ':path': '/ro/x', ':method': 'DELETE' });
    assert.match(String(refused.headers.allow), /GET/);
    const options = await h2Request(session, { ':path': '/ro/x', ':method': 'OPTIONS' });
    assert.equal(options.status, 204);
    assert.match(String(options.headers.allow), /GET/);
    assert.equal(upstream.seen.length, seen, 'none forwarded');
  });

  it('413, 415, 411 under h2, each with the error body and X-Request-Id', async () => {
    const big = 'x'.repeat(64);
    assertErrorBody(
      await h2Request(session, { ':path': '/p', ':method': 'POST', 'content-length': big.length }, big),
      413,
    );
    assertErrorBody(
      await h2Request(session, { ':path': '/json', ':method': 'POST', 'content-type': 'text/plain' }, 'hi'),
      415,
    );
    assertErrorBody(await h2Request(session, { ':path': '/len', ':method': 'POST' }, 'hi'), 411);
    // A body the gateway never read is not fatal to the session: the next stream is answered.
    assert.equal((await h2Request(session, { ':path': '/after' })).status, 200);
  });

  it('400 when :authority and Host disagree (RFC 9113 §8.3.1)', async () => {
    const authority = `localhost:${gateway.port}`;
    assertErrorBody(await h2Request(session, { ':path': '/a', ':authority': authority, host: 'elsewhere' }), 400);
    const same = await h2Request(session, { ':path': '/a', ':authority': authority, host: authority });
    assert.equal(same.status, 200);
  });

  it('502 for a dead upstream, 504 for X-Request-Timeout with a slow one', async () => {
    assertErrorBody(await h2Request(session, { ':path': '/dead' }), 502);
    assertErrorBody(await h2Request(session, { ':path': '/slow', 'x-request-timeout': '100' }), 504);
  });

  it('401 without credentials, 429 past the limit', async () => {
    const s = await h2Connect(limited.url, cert.pem);
    try {
      assertErrorBody(await h2Request(s, { ':path': '/' }), 401);
      const ok = await h2Request(s, { ':path': '/', 'x-api-key': 'alice-key-1' });
      assert.equal(ok.status, 200);
      const over = await h2Request(s, { ':path': '/', 'x-api-key': 'alice-key-1' });
      assertErrorBody(over, 429);
      assert.ok(over.headers['retry-after']);
    } finally {
      s.close();
    }
  });

  it('HTTPS HTTP/1.1 on the same port for a client that does not offer h2', async () => {
    const res = await new Promise<{ status: number; body: string; version: string }>((resolve, reject) => {
      const req = httpsRequest(`${gateway.url}/h1`, { ca: cert.pem }, (r) => {
        let body = '';
        r.on('data', (c) => (body += c));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body, version: r.httpVersion }));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 200);
    assert.equal(res.body, 'up GET /h1');
    assert.equal(res.version, '1.1');
  });

  it('a stream reset mid-request, and garbage after the preface, leave the gateway serving', async () => {
    const s = await h2Connect(gateway.url, cert.pem);
    const stream = s.request({ ':path': '/slow', ':method': 'POST' }, { endStream: false });
    stream.on('error', () => {});
    stream.write('part');
    await new Promise((resolve) => setTimeout(resolve, 50));
    stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    await new Promise((resolve) => stream.once('close', resolve));
    s.close();

    // A raw TLS socket speaking h2: the preface, then bytes that are no frame.
    const raw = tlsConnect({
      host: '127.0.0.1',
      port: gateway.port,
      ca: cert.pem,
      servername: 'localhost',
      ALPNProtocols: ['h2'],
    });
    await new Promise((resolve) => raw.once('secureConnect', resolve));
    assert.equal(raw.alpnProtocol, 'h2');
    // Read what the server sends (its SETTINGS, then GOAWAY): a paused socket would never see the close.
    let answer = Buffer.alloc(0);
    raw.on('data', (d: Buffer) => (answer = Buffer.concat([answer, d])));
    raw.on('error', () => {});
    raw.write('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
    raw.write(Buffer.from('\x00\x00\x04\xff\x00\x00\x00\x00\x00garbagegarbage', 'latin1'));
    await new Promise((resolve) => raw.once('close', resolve));
    // RFC 9113 §6.8: a GOAWAY frame (type 7) before the close, not a crash.
    assert.ok(answer.includes(Buffer.from([0x07, 0x00, 0x00, 0x00, 0x00, 0x00])), answer.toString('hex'));

    // Cleartext HTTP/1.1 on the TLS port: the handshake fails (logged), nothing else happens.
    const plain = await rawExchange(gateway.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n', undefined, 2_000);
    assert.doesNotMatch(plain.text, /^HTTP\//, 'no HTTP answer in cleartext');

    assert.equal((await h2Request(session, { ':path': '/still' })).status, 200, 'the other session still works');
    const fresh = await h2Connect(gateway.url, cert.pem);
    assert.equal((await h2Request(fresh, { ':path': '/fresh' })).status, 200);
    fresh.close();
    const logged = gateway.logs.filter((l) => l.msg === 'http2/tls peer error').map((l) => l.where);
    assert.ok(logged.includes('stream') && logged.includes('session') && logged.includes('tls'), String(logged));
  });
});

describe('listen.http2 without tls: an h2c (prior knowledge) port', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('plain'));
    gateway = await startGateway({
      listen: { host: '127.0.0.1', port: 0, http2: true },
      routes: [{ path: '/', targets: [upstream.url], methods: ['GET'] }],
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers HTTP/2 with prior knowledge, the contract codes included', async () => {
    const s = await h2Connect(gateway.url);
    try {
      assert.equal((await h2Request(s, { ':path': '/' })).body, 'plain');
      assertErrorBody(await h2Request(s, { ':path': '/', ':method': 'PUT' }, 'x'), 405);
    } finally {
      s.close();
    }
  });
});

describe('draining an HTTP/2 session', () => {
  it('the stream under way finishes, the session gets GOAWAY, a new stream is refused', async () => {
    const cert = makeCert();
    const upstream = await startUpstream((_req, res) => {
      setTimeout(() => res.end('done'), 300).unref();
    });
    const gateway = await startGateway({
      listen: { host: '127.0.0.1', port: 0, tls: { cert: cert.cert, key: cert.key } },
      routes: [{ path: '/', targets: [upstream.url] }],
    });
    try {
      const s = await h2Connect(gateway.url, cert.pem);
      let goaway = false;
      s.on('goaway', () => (goaway = true));
      s.on('error', () => {});
      const inFlight = h2Request(s, { ':path': '/slow' });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopped = gateway.gw.shutdown(5_000);
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, 'done');
      assert.deepEqual(await stopped, { cut: 0 });
      assert.equal(goaway || s.closed || s.destroyed, true, 'the session was told to go away');
      s.destroy();
    } finally {
      if (!gateway.gw.draining) await gateway.close();
      await upstream.close();
      rmSync(cert.dir, { recursive: true, force: true });
    }
  });
});
