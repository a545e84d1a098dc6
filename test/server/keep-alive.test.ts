import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer as createNodeServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { connect as tlsConnect } from 'node:tls';
import { createServer, type RouteDef, sendJson } from '../../src/server/index.ts';
import { sweepIdleConnections } from '../../src/server/keep-alive.ts';
import { listen, request, Wire } from './wire.ts';

const ok: RouteDef = { path: '/ok', methods: { GET: (ctx) => sendJson(ctx, 200, { ok: true }) } };

/** A plain node server swept by hand: `sweep(ms)` plays the clock, the sockets are real. */
async function sweptServer(t: import('node:test').TestContext, hold?: Set<() => void>) {
  const server = createNodeServer((req, res) => {
    const answer = (): void => {
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    };
    if (req.url === '/hold' && hold) hold.add(answer);
    else answer();
  });
  const idle = sweepIdleConnections(server, 5_000, 3_600_000); // 5 s; the timer never runs here
  server.prependListener('request', (_req, res) => idle.advertise(res));
  const accepted: Socket[] = [];
  server.on('connection', (s: Socket) => accepted.push(s));
  const port = await listen(t, server);
  return { idle, port, accepted };
}

/** Waits until the server side of a connection has finished its answer (a client may read it sooner). */
async function answered(socket: Socket): Promise<void> {
  while ((socket as Socket & { _httpMessage?: unknown })._httpMessage) await new Promise((r) => setImmediate(r));
}

/** Waits until the server side of a connection has read more than `than` bytes. */
async function readMore(socket: Socket, than: number): Promise<void> {
  while (socket.bytesRead <= than) await new Promise((r) => setImmediate(r));
}

test('answers advertise Keep-Alive: timeout=5 by default, or the configured timeout, and 0 advertises none', async (t) => {
  for (const [limit, expected] of [
    [undefined, 'timeout=5'],
    [65_000, 'timeout=65'],
    [0, undefined],
  ] as const) {
    const port = await listen(t, createServer({ routes: [ok], limits: { keepAliveTimeout: limit } }));
    const wire = new Wire(port);
    t.after(() => wire.close());
    wire.send(request('GET', '/ok'));
    const res = await wire.read();
    assert.equal(res.status, 200);
    assert.equal(res.headers.connection, 'keep-alive');
    assert.equal(res.headers['keep-alive'], expected, `keepAliveTimeout ${limit}`);
  }
});

test('an idle kept-alive connection closes once idle for the timeout plus node’s 1 s margin, never sooner', async (t) => {
  const { idle, port, accepted } = await sweptServer(t);
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('GET', '/ok'));
  assert.equal((await wire.read()).status, 200);
  await answered(accepted[0] as Socket);
  idle.sweep(0); // first seen idle
  idle.sweep(5_999);
  wire.send(request('GET', '/ok'));
  assert.equal((await wire.read()).status, 200, 'still open after 5.999 s idle');
  await answered(accepted[0] as Socket);
  idle.sweep(6_000); // bytes arrived since the last sweep: idle from now on
  idle.sweep(11_999);
  idle.sweep(12_000);
  await wire.closed;
});

test('a connection with an answer under way, or bytes of its next request arriving, is not idle', async (t) => {
  const hold = new Set<() => void>();
  const { idle, port, accepted } = await sweptServer(t, hold);
  const waiting = new Wire(port);
  t.after(() => waiting.close());
  waiting.send(request('GET', '/hold'));
  while (hold.size === 0) await new Promise((r) => setImmediate(r));
  const trickling = new Wire(port);
  t.after(() => trickling.close());
  trickling.send(request('GET', '/ok'));
  assert.equal((await trickling.read()).status, 200);
  const server = accepted[1] as Socket;
  await answered(server);
  idle.sweep(0);
  // The next request arrives a line every 5 s of the sweep's clock: 40 s in all, never 6 s without a byte.
  trickling.send('GET /ok HTTP/1.1\r\n');
  for (let now = 5_000; now <= 40_000; now += 5_000) {
    const before = server.bytesRead;
    trickling.send(`X-Line-${now}: 1\r\n`);
    await readMore(server, before);
    idle.sweep(now);
  }
  trickling.send('Host: example\r\n\r\n');
  assert.equal((await trickling.read()).status, 200, 'the trickled request was answered');
  for (const answer of hold) answer();
  assert.equal((await waiting.read()).status, 200, 'the held answer arrived');
});

test('a connection that has had no answer yet is left to the header timeout', async (t) => {
  const { idle, port } = await sweptServer(t);
  const silent = new Wire(port);
  t.after(() => silent.close());
  await new Promise<void>((resolve) => silent.socket.once('connect', () => resolve()));
  for (let now = 0; now <= 60_000; now += 10_000) idle.sweep(now);
  silent.send(request('GET', '/ok'));
  assert.equal((await silent.read()).status, 200);
});

test('an upgraded connection is no longer the sweep’s: it outlives an idle HTTP connection the sweep closed', async (t) => {
  const routes: RouteDef[] = [
    ok,
    {
      path: '/tunnel',
      methods: { GET: (ctx) => sendJson(ctx, 200, { tunnel: 'ask with Upgrade: echo' }) },
      upgrade: (_ctx, socket) => {
        socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n');
        socket.on('data', (d) => socket.write(d));
      },
    },
  ];
  // A 1 ms timeout swept every 10 ms: each connection closes 1 s after it fell idle.
  const port = await listen(t, createServer({ routes, limits: { keepAliveTimeout: 1 }, timeoutCheckInterval: 10 }));
  const tunnel = new Wire(port);
  t.after(() => tunnel.close());
  tunnel.send(request('GET', '/tunnel', { upgrade: 'echo', connection: 'Upgrade' }));
  assert.equal((await tunnel.read()).status, 101);
  // This connection falls idle after the tunnel did: once the sweep has closed it, it would have closed the tunnel.
  const plain = new Wire(port);
  t.after(() => plain.close());
  plain.send(request('GET', '/ok'));
  assert.equal((await plain.read()).status, 200);
  await plain.closed;
  const echoed = new Promise<string>((resolve) => tunnel.socket.once('data', (d) => resolve(String(d))));
  tunnel.send('still here');
  assert.equal(await Promise.race([echoed, tunnel.closed.then(() => 'closed')]), 'still here');
});

test('over TLS the sweep watches the TLS connections: an answer under way keeps one open, idleness closes it', async (t) => {
  const dir = new URL('../fixtures/tls/', import.meta.url);
  const [key, cert] = [readFileSync(new URL('key.pem', dir)), readFileSync(new URL('cert.pem', dir))];
  const held: (() => void)[] = [];
  const server = createHttpsServer({ key, cert }, (req, res) => {
    const answer = (): void => {
      res.writeHead(200, { 'content-length': '2' });
      res.end('ok');
    };
    if (req.url === '/hold') held.push(answer);
    else answer();
  });
  const idle = sweepIdleConnections(server, 5_000, 3_600_000); // the timer never runs here
  const port = await listen(t, server);
  const socket = tlsConnect({ port, host: '127.0.0.1', ca: cert });
  t.after(() => socket.destroy());
  let text = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const answered = new Promise<boolean>((resolve) => {
    socket.setEncoding('latin1').on('data', (d: string) => {
      text += d;
      if (text.endsWith('ok')) resolve(true);
    });
    void closed.then(() => resolve(false));
  });
  socket.write(request('GET', '/hold'));
  while (held.length === 0) await new Promise((r) => setImmediate(r));
  for (const now of [0, 60_000, 120_000]) idle.sweep(now);
  held[0]?.();
  assert.equal(await answered, true, 'the sweeps left the connection open for the held answer');
  assert.match(text, /^HTTP\/1\.1 200 OK/);
  // The client can read the answer before the server saw it finish: sweep on until the server did.
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  for (let now = 200_000; !isClosed; now += 10_000) {
    idle.sweep(now);
    await new Promise((r) => setImmediate(r));
  }
});
