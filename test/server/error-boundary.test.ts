import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createServer, type RouteDef, StatusError, sendJson } from '../../src/server/index.ts';
import { errorBodyOf, exchange, listen, request } from './wire.ts';

const failing: RouteDef[] = [
  {
    path: '/boom',
    methods: {
      GET: () => {
        throw new Error('secret at /srv/app/db.ts:42');
      },
    },
  },
  {
    path: '/async-boom',
    methods: {
      GET: async () => {
        await Promise.resolve();
        throw new TypeError('undefined is not a function /home/x');
      },
    },
  },
  {
    path: '/conflict',
    methods: {
      PUT: () => {
        throw new StatusError(409, 'The item changed meanwhile.', { subcode: 'ETAG', details: { current: 'v2' } });
      },
    },
  },
  {
    path: '/payment',
    methods: { GET: (ctx) => sendJson(ctx, 402 as never, {}) },
  },
  {
    path: '/created-nowhere',
    methods: { GET: (ctx) => sendJson(ctx, 201, {}) },
  },
  {
    path: '/as-error',
    methods: { GET: (ctx) => sendJson(ctx, 404, {}) },
  },
  {
    path: '/441',
    methods: {
      GET: () => {
        throw new StatusError(441, 'The signature does not match.');
      },
    },
  },
  {
    path: '/441-challenge',
    methods: {
      GET: () => {
        throw new StatusError(441, 'The signature does not match.', {
          headers: { 'www-authenticate': 'SDK-HMAC-SHA256' },
        });
      },
    },
  },
  {
    path: '/405-without-allow',
    methods: {
      GET: () => {
        throw new StatusError(405, 'No.');
      },
    },
  },
];

test('an unexpected throw is 500 and the body leaks neither message, stack nor path', async (t) => {
  const seen: unknown[] = [];
  const port = await listen(t, createServer({ routes: failing, onError: (err) => seen.push(err) }));
  for (const path of ['/boom', '/async-boom']) {
    const { res } = await exchange(t, port, request('GET', path));
    assert.equal(res.status, 500);
    const body = errorBodyOf(res);
    assert.equal(body.error_code, 'SVC.0500');
    assert.doesNotMatch(res.body, /secret|srv|home|function|at /);
  }
  assert.equal(seen.length, 2, 'onError sees the real failures');
});

test('a thrown StatusError renders the profile’s body with its sub-code and details', async (t) => {
  const port = await listen(t, createServer({ routes: failing, profile: 'dcs' }));
  const { res } = await exchange(
    t,
    port,
    request('PUT', '/conflict', { 'content-length': 0, 'x-request-id': 'req-1' }),
  );
  assert.equal(res.status, 409);
  assert.equal(res.headers['x-request-id'], 'req-1');
  assert.deepEqual(JSON.parse(res.body), {
    error_code: 'DCS.0409.ETAG',
    error_msg: 'The item changed meanwhile.',
    request_id: 'req-1',
    current: 'v2',
  });
});

test('Accept: application/problem+json gets the RFC 9457 form', async (t) => {
  const port = await listen(t, createServer({ routes: failing }));
  const { res } = await exchange(t, port, request('GET', '/nothing', { accept: 'application/problem+json' }));
  assert.equal(res.status, 404);
  assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
  const body = JSON.parse(res.body);
  assert.equal(body.status, 404);
  assert.equal(body.type, 'about:blank');
  assert.equal(body.instance, '/nothing');
  assert.equal(body.request_id, res.headers['x-request-id']);
});

test('helpers refuse codes the contract never issues, error codes, and missing required headers: 500', async (t) => {
  const seen: unknown[] = [];
  const port = await listen(t, createServer({ routes: failing, onError: (err) => seen.push(err) }));
  for (const path of ['/payment', '/created-nowhere', '/as-error', '/405-without-allow']) {
    const { res } = await exchange(t, port, request('GET', path));
    assert.equal(res.status, 500, path);
    errorBodyOf(res);
  }
  assert.match(String(seen[0]), /402 is not one the contract issues/);
  assert.match(String(seen[1]), /201 must carry location/);
  assert.match(String(seen[2]), /is an error/);
  assert.match(String(seen[3]), /405 must carry allow/);
});

test('441 is rendered under dis only; elsewhere it becomes 401 with its challenge, or 500 without one', async (t) => {
  const dis = await listen(t, createServer({ routes: failing, profile: 'dis' }));
  const under = (await exchange(t, dis, request('GET', '/441'))).res;
  assert.equal(under.status, 441);
  assert.equal(errorBodyOf(under).error_code, 'DIS.0441');
  const generic = await listen(t, createServer({ routes: failing }));
  const challenged = (await exchange(t, generic, request('GET', '/441-challenge'))).res;
  assert.equal(challenged.status, 401);
  assert.equal(challenged.headers['www-authenticate'], 'SDK-HMAC-SHA256');
  assert.equal(errorBodyOf(challenged).error_code, 'SVC.0401');
  const bare = (await exchange(t, generic, request('GET', '/441'))).res;
  assert.equal(bare.status, 500);
});

test('a response already under way when the handler fails is cut, not patched with a second status', async (t) => {
  const routes: RouteDef[] = [
    {
      path: '/half',
      methods: {
        GET: async (ctx) => {
          ctx.res.writeHead(200, { 'content-length': 100 });
          ctx.res.write('partial');
          await new Promise((resolve) => setImmediate(resolve));
          throw new Error('late failure');
        },
      },
    },
  ];
  const port = await listen(t, createServer({ routes }));
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let raw = '';
  socket.on('data', (d) => (raw += d));
  socket.write(request('GET', '/half'));
  await new Promise((resolve) => socket.on('close', resolve));
  assert.match(raw, /^HTTP\/1\.1 200 /);
  assert.ok(raw.endsWith('partial'), 'the body stops short of its declared length');
  assert.equal(raw.match(/HTTP\/1\.1/g)?.length, 1, 'no second status line');
});
