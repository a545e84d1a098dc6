import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type RouteDef, StatusError, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, listen, request, Wire } from './wire.ts';

const routes: RouteDef[] = [
  {
    path: '/echo',
    methods: { GET: (ctx) => sendJson(ctx, 200, { plain: true }) },
    upgrade: (ctx, socket, head) => {
      socket.write(
        'HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n' +
          `X-Request-Id: ${ctx.requestId}\r\n\r\n`,
      );
      if (head.length) socket.write(head);
      socket.on('data', (d) => socket.write(d));
    },
  },
  { path: '/plain', methods: { GET: (ctx) => sendJson(ctx, 200, { plain: true }) } },
];

const upgradeHeaders = { upgrade: 'echo', connection: 'Upgrade' };

test('an Upgrade request passes the guards, then the route’s upgrade handler owns the socket', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('GET', '/echo', upgradeHeaders));
  const res = await wire.read();
  assert.equal(res.status, 101);
  assert.equal(res.headers.upgrade, 'echo');
  const echoed = new Promise<string>((resolve) => wire.socket.once('data', (d) => resolve(String(d))));
  wire.send('ping');
  assert.equal(await echoed, 'ping');
});

test('an Upgrade request a guard refuses gets the error body and the connection closes', async (t) => {
  const deny = () => {
    throw new StatusError(403, 'Upgrades are not allowed for you.');
  };
  const port = await listen(t, createServer({ routes, accessGuards: [deny] }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('GET', '/echo', upgradeHeaders));
  const res = await wire.read();
  assert.equal(res.status, 403);
  assert.equal(res.headers.connection, 'close');
  assert.equal(errorBodyOf(res).error_code, 'SVC.0403');
  assert.ok(await wire.closesWithoutMore());
});

test('Upgrade to a path with no route is 404; to a route without an upgrade handler it is served plainly', async (t) => {
  const port = await listen(t, createServer({ routes }));
  const missing = new Wire(port);
  t.after(() => missing.close());
  missing.send(request('GET', '/nothing', upgradeHeaders));
  assert.equal((await missing.read()).status, 404);
  const plain = new Wire(port);
  t.after(() => plain.close());
  plain.send(request('GET', '/plain', upgradeHeaders));
  const res = await plain.read();
  assert.equal(res.status, 200);
  assert.equal(res.body, '{"plain":true}');
  assert.ok(await plain.closesWithoutMore());
});
