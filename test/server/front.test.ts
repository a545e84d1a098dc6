import assert from 'node:assert/strict';
import { createServer as createHttpServer } from 'node:http';
import { test } from 'node:test';
import { createFront, createServer, type Guard, type RouteDef, StatusError, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request, Wire } from './wire.ts';

test('createFront.handle puts the guards in front of a user’s own node:http handler', async (t) => {
  const front = createFront({ limits: { body: 5 } });
  const server = createHttpServer((req, res) =>
    front.handle(req, res, (req2, res2) => {
      res2.writeHead(200, { 'content-type': 'text/plain' });
      res2.end(`mine ${req2.url}`);
    }),
  );
  const port = await listen(t, server);
  const ok = (await exchange(t, port, request('GET', '/anything'))).res;
  assert.equal(ok.status, 200);
  assert.equal(ok.body, 'mine /anything');
  const big = (await exchange(t, port, request('POST', '/upload', { 'content-length': 6 }, '123456'))).res;
  assert.equal(big.status, 413);
  errorBodyOf(big);
  const propfind = (await exchange(t, port, request('PROPFIND', '/'))).res;
  assert.equal(propfind.status, 501);
});

test('front.attach makes a user’s server answer parser failures and Expect through the contract', async (t) => {
  const front = createFront({
    routes: [{ path: '/r', methods: { GET: (ctx) => sendJson(ctx, 200, { route: true }) } }],
  });
  const server = front.attach(createHttpServer(), (_req, res) => res.end('next'));
  const port = await listen(t, server);
  assert.equal((await exchange(t, port, request('GET', '/r'))).res.body, '{"route":true}');
  assert.equal((await exchange(t, port, request('GET', '/other'))).res.body, 'next');
  assert.equal((await exchange(t, port, 'BREW / HTTP/1.1\r\nHost: a\r\n\r\n')).res.status, 501);
  assert.equal((await exchange(t, port, 'GET / HTTP/2.0\r\nHost: a\r\n\r\n')).res.status, 505);
  assert.equal((await exchange(t, port, request('GET', '/r', { expect: 'nothing' }))).res.status, 417);
});

test('access guards run after routing, in order, may be async, and stop the chain with their answer', async (t) => {
  const order: string[] = [];
  const proxyAuth: Guard = (ctx) => {
    order.push('proxy');
    if (ctx.req.headers['proxy-authorization'] === undefined) {
      throw new StatusError(407, 'Proxy credentials are missing.', { headers: { 'proxy-authenticate': 'Basic' } });
    }
  };
  const auth: Guard = async (ctx) => {
    order.push('auth');
    await new Promise((resolve) => setImmediate(resolve));
    if (ctx.req.headers.authorization !== 'Bearer ok') {
      throw new StatusError(401, 'Credentials are wrong.', { headers: { 'www-authenticate': 'Bearer' } });
    }
    ctx.state.principal = 'alice';
  };
  const rate: Guard = () => {
    order.push('rate');
  };
  const routes: RouteDef[] = [
    { path: '/me', methods: { GET: (ctx) => sendJson(ctx, 200, { principal: ctx.state.principal }) } },
  ];
  const port = await listen(t, createServer({ routes, accessGuards: [proxyAuth, auth, rate] }));

  assert.equal((await exchange(t, port, request('GET', '/none'))).res.status, 404);
  assert.deepEqual(order, [], 'routing answers before any access guard');

  const r407 = (await exchange(t, port, request('GET', '/me'))).res;
  assert.equal(r407.status, 407);
  assert.equal(r407.headers['proxy-authenticate'], 'Basic');
  assert.deepEqual(order, ['proxy']);

  order.length = 0;
  const r401 = (await exchange(t, port, request('GET', '/me', { 'proxy-authorization': 'x' }))).res;
  assert.equal(r401.status, 401);
  assert.equal(r401.headers['www-authenticate'], 'Bearer');
  assert.deepEqual(order, ['proxy', 'auth']);

  order.length = 0;
  const ok = (
    await exchange(t, port, request('GET', '/me', { 'proxy-authorization': 'x', authorization: 'Bearer ok' }))
  ).res;
  assert.equal(ok.body, '{"principal":"alice"}');
  assert.deepEqual(order, ['proxy', 'auth', 'rate']);
});

test('onResponse sees every answer with its status, guards’ refusals included', async (t) => {
  const seen: [string, number][] = [];
  const routes: RouteDef[] = [{ path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, {}) } }];
  const port = await listen(
    t,
    createServer({ routes, onResponse: (ctx, status, ms) => seen.push([ctx.path, ms >= 0 ? status : -1]) }),
  );
  await exchange(t, port, request('GET', '/'));
  await exchange(t, port, request('DELETE', '/'));
  assert.deepEqual(seen, [
    ['/', 200],
    ['/', 405],
  ]);
});

test('ctx.onClose runs once per request, after onResponse or onAborted, whether the answer went out or the client left', async (t) => {
  const order: string[] = [];
  let reached!: () => void;
  const handlerReached = new Promise<void>((resolve) => (reached = resolve));
  let closedGone!: (finished: boolean) => void;
  const gone = new Promise<boolean>((resolve) => (closedGone = resolve));
  const track: Guard = (ctx) => {
    ctx.onClose((c) => {
      order.push(`closed ${c.path} ${c.res.writableFinished ? 'finished' : 'unfinished'}`);
      if (c.path === '/hang') closedGone(c.res.writableFinished);
    });
  };
  const routes: RouteDef[] = [
    { path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, {}) } },
    { path: '/hang', methods: { GET: () => reached() } },
  ];
  const port = await listen(
    t,
    createServer({
      routes,
      accessGuards: [track],
      onResponse: (ctx, status) => order.push(`response ${ctx.path} ${status}`),
      onAborted: (ctx, sent, ms) => order.push(`aborted ${ctx.path} ${sent} ${ms >= 0}`),
    }),
  );
  const { res } = await exchange(t, port, request('GET', '/'));
  assert.equal(res.status, 200);
  const wire = new Wire(port).send(request('GET', '/hang'));
  await handlerReached;
  wire.close();
  assert.equal(await gone, false);
  // The first request's close may come after its client read the answer: compare as sets of lines per request.
  assert.deepEqual(
    order.filter((l) => l.includes(' / ')),
    ['response / 200', 'closed / finished'],
  );
  assert.deepEqual(
    order.filter((l) => l.includes('/hang')),
    ['aborted /hang undefined true', 'closed /hang unfinished'],
  );
});

test('ctx.onClose registered after the client left (an async guard waited) runs at once', async (t) => {
  let waiting!: () => void;
  const guardWaits = new Promise<void>((resolve) => (waiting = resolve));
  let ran!: (finished: boolean) => void;
  const hookRan = new Promise<boolean>((resolve) => (ran = resolve));
  const slow: Guard = async (ctx) => {
    waiting();
    await new Promise<void>((resolve) => ctx.res.once('close', () => setImmediate(resolve)));
    ctx.onClose((c) => ran(c.res.writableFinished));
  };
  const routes: RouteDef[] = [{ path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, {}) } }];
  const port = await listen(t, createServer({ routes, accessGuards: [slow] }));
  const wire = new Wire(port).send(request('GET', '/'));
  await guardWaits;
  wire.close();
  assert.equal(await hookRan, false);
});

test('a route’s produces list negotiates Accept; nothing acceptable is 406', async (t) => {
  const routes: RouteDef[] = [
    {
      path: '/doc',
      produces: ['application/json', 'text/csv'],
      methods: { GET: (ctx) => sendJson(ctx, 200, { type: ctx.state.mediaType }) },
    },
  ];
  const port = await listen(t, createServer({ routes }));
  const csv = (await exchange(t, port, request('GET', '/doc', { accept: 'text/*;q=0.9, application/json;q=0.5' }))).res;
  assert.equal(csv.body, '{"type":"text/csv"}');
  const none = (await exchange(t, port, request('GET', '/doc', { accept: 'image/png, application/json;q=0' }))).res;
  assert.equal(none.status, 406);
  assert.equal(errorBodyOf(none).error_code, 'SVC.0406');
  const any = (await exchange(t, port, request('GET', '/doc'))).res;
  assert.equal(any.body, '{"type":"application/json"}');
});

test('bad options are refused when the front is built, naming the option', () => {
  assert.throws(() => createFront({ limits: { body: -1 } }), /limits\.body/);
  assert.throws(() => createFront({ limits: { requestLine: 20_000 } }), /requestLine/);
  assert.throws(() => createFront({ profile: 'aws' as never }), /Unknown profile "aws"/);
  assert.throws(() => createFront({ routes: [{ path: 'items', methods: {} }] }), /must start with "\/"/);
});

test('a node handler behind attach gets the 100 Continue once the guards passed, and reads the body itself', async (t) => {
  const front = createFront({ limits: { body: 100 } });
  const server = front.attach(createHttpServer(), (req, res) => {
    let n = 0;
    req.on('data', (d: Buffer) => (n += d.length));
    req.on('end', () => res.end(`read ${n}`));
  });
  const port = await listen(t, server);
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('PUT', '/x', { 'content-length': 5, expect: '100-continue' }));
  assert.equal((await wire.read()).status, 100);
  wire.send('12345');
  assert.equal((await wire.read()).body, 'read 5');
});

test('a guard’s response fields go on every successful answer, whoever writes it; error answers stand alone', async (t) => {
  const stamp: Guard = (ctx) => ctx.addResponseField('x-stamp', 'yes');
  const refuse: Guard = (ctx) => {
    if (ctx.path === '/refused') throw new StatusError(403, 'No.');
  };
  const routes: RouteDef[] = [
    { path: '/json', methods: { GET: (ctx) => sendJson(ctx, 200, { ok: true }) } },
    {
      path: '/raw',
      methods: {
        GET: (ctx) => {
          ctx.res.writeHead(200, ['content-type', 'text/plain', 'content-length', '2']);
          ctx.res.end('ok');
        },
      },
    },
    {
      path: '/implicit',
      methods: {
        GET: (ctx) => {
          ctx.res.setHeader('content-type', 'text/plain');
          ctx.res.end('implicit');
        },
      },
    },
    { path: '/refused', methods: { GET: (ctx) => sendJson(ctx, 200, {}) } },
  ];
  const port = await listen(t, createServer({ routes, accessGuards: [stamp, refuse] }));
  const json = (await exchange(t, port, request('GET', '/json'))).res;
  assert.equal(json.headers['x-stamp'], 'yes');
  assert.equal(json.body, '{"ok":true}');
  const raw = (await exchange(t, port, request('GET', '/raw'))).res;
  assert.equal(raw.headers['x-stamp'], 'yes');
  assert.equal(raw.headers['content-type'], 'text/plain');
  // node's implicit header (no writeHead) carries them too, beside the handler's own fields.
  const implicit = (await exchange(t, port, request('GET', '/implicit'))).res;
  assert.equal(implicit.headers['x-stamp'], 'yes');
  assert.equal(implicit.headers['content-type'], 'text/plain');
  assert.equal(implicit.body, 'implicit');
  const refused = (await exchange(t, port, request('GET', '/refused'))).res;
  assert.equal(refused.status, 403);
  assert.equal(refused.headers['x-stamp'], undefined);
});
