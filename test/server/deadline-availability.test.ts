import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createServer, type RouteDef, sendJson } from '../../src/server/index.ts';
import { resolveOptions } from '../../src/server/options.ts';
import { errorBodyOf, exchange, listen, request, Wire } from './wire.ts';

/** A handler that never answers on its own and reports when its signal aborts. */
function hanging(aborted: (reason: unknown) => void): RouteDef['methods'][string] {
  return (ctx) => {
    ctx.signal.addEventListener('abort', () => aborted(ctx.signal.reason));
  };
}

test('X-Request-Timeout sets the deadline: 504 with the error body, and the handler’s signal aborts', async (t) => {
  let onAbort!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((resolve) => (onAbort = resolve));
  const routes: RouteDef[] = [{ path: '/slow', methods: { GET: hanging(onAbort) } }];
  const port = await listen(t, createServer({ routes }));
  const { res, wire } = await exchange(t, port, request('GET', '/slow', { 'x-request-timeout': 30 }));
  assert.equal(res.status, 504);
  const body = errorBodyOf(res);
  assert.equal(body.error_code, 'SVC.0504');
  assert.match(body.error_msg, /30 ms/);
  assert.ok((await aborted) instanceof Error);
  // The connection stays usable for the next request.
  wire.send(request('GET', '/nothing'));
  assert.equal((await wire.read()).status, 404);
});

test('the route’s own timeout caps a longer X-Request-Timeout', async (t) => {
  const routes: RouteDef[] = [{ path: '/slow', timeout: 20, methods: { GET: () => {} } }];
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('GET', '/slow', { 'x-request-timeout': 60_000 }));
  assert.equal(res.status, 504);
  assert.match(errorBodyOf(res).error_msg, /20 ms/);
});

test('an answer that started before the deadline streams on past it: the deadline is met by the status line', async (t) => {
  let aborted = false;
  const routes: RouteDef[] = [
    {
      path: '/stream',
      methods: {
        GET: (ctx) => {
          ctx.signal.addEventListener('abort', () => (aborted = true));
          setImmediate(() => {
            ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
            ctx.res.write('a');
            // The 1 ms deadline timer was armed first and expires first; this one fires after it.
            setTimeout(() => ctx.res.end('b'), 20);
          });
        },
      },
    },
  ];
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('GET', '/stream', { 'x-request-timeout': 1 }));
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ab');
  assert.equal(aborted, false);
});

test('past its deadline, a started answer streams on while bytes keep going out', async (t) => {
  const routes: RouteDef[] = [
    {
      path: '/trickle',
      timeout: 30,
      methods: {
        GET: (ctx) => {
          ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '8' });
          let sent = 0;
          // One byte every 10 ms: each is due before the next 30 ms progress check.
          const next = (): void => {
            ctx.res.write('x');
            if (++sent < 8) setTimeout(next, 10);
            else ctx.res.end();
          };
          setImmediate(next);
        },
      },
    },
  ];
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('GET', '/trickle'));
  assert.equal(res.status, 200);
  assert.equal(res.body, 'xxxxxxxx');
});

test('past its deadline, a started answer that stalls is cut: the client sees it incomplete, the handler is aborted', async (t) => {
  let onAbort!: (reason: unknown) => void;
  const aborted = new Promise<unknown>((resolve) => (onAbort = resolve));
  const routes: RouteDef[] = [
    {
      path: '/stall',
      timeout: 30,
      methods: {
        GET: (ctx) => {
          ctx.signal.addEventListener('abort', () => onAbort(ctx.signal.reason));
          setImmediate(() => {
            ctx.res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10' });
            ctx.res.write('abc');
          });
        },
      },
    },
  ];
  const port = await listen(t, createServer({ routes }));
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(request('GET', '/stall'));
  // RFC 9112 §8: the connection closes 7 bytes short of the declared length.
  await assert.rejects(wire.read(), /Connection closed; unparsed: "abc"/);
  assert.match(String(await aborted), /no progress for 30 ms/);
});

test('the timeout query parameter counts only where the route enables it', async (t) => {
  const routes: RouteDef[] = [
    { path: '/q', timeoutQuery: true, methods: { GET: () => {} } },
    {
      path: '/noq',
      methods: { GET: (ctx) => void setImmediate(() => sendJson(ctx, 200, { deadline: ctx.deadline !== undefined })) },
    },
  ];
  const port = await listen(t, createServer({ routes, limits: { timeout: 0 } }));
  const q = (await exchange(t, port, request('GET', '/q?timeout=25'))).res;
  assert.equal(q.status, 504);
  assert.match(errorBodyOf(q).error_msg, /25 ms/);
  const noq = (await exchange(t, port, request('GET', '/noq?timeout=1'))).res;
  assert.equal(noq.status, 200);
  assert.equal(noq.body, '{"deadline":false}');
});

test('a malformed X-Request-Timeout or timeout parameter is 400', async (t) => {
  const routes: RouteDef[] = [{ path: '/q', timeoutQuery: true, methods: { GET: (ctx) => sendJson(ctx, 200, {}) } }];
  const port = await listen(t, createServer({ routes }));
  for (const bad of [request('GET', '/q', { 'x-request-timeout': 'soon' }), request('GET', '/q?timeout=-5')]) {
    const { res } = await exchange(t, port, bad);
    assert.equal(res.status, 400);
    assert.match(errorBodyOf(res).error_msg, /milliseconds/);
  }
});

test('a handler that answers in time is not touched by the deadline', async (t) => {
  const routes: RouteDef[] = [
    { path: '/ok', methods: { GET: async (ctx) => sendJson(ctx, 200, { aborted: ctx.signal.aborted }) } },
  ];
  const port = await listen(t, createServer({ routes }));
  const { res } = await exchange(t, port, request('GET', '/ok', { 'x-request-timeout': 60_000 }));
  assert.equal(res.body, '{"aborted":false}');
});

test('a route marked unavailable is 503, with Retry-After when temporary', async (t) => {
  const routes: RouteDef[] = [
    { path: '/off', unavailable: { reason: 'Disabled by the operator.' }, methods: { GET: () => {} } },
    { path: '/maint', unavailable: { retryAfter: 120 }, methods: { GET: () => {} } },
  ];
  const port = await listen(t, createServer({ routes }));
  const off = (await exchange(t, port, request('GET', '/off'))).res;
  assert.equal(off.status, 503);
  assert.equal(off.headers['retry-after'], undefined);
  assert.equal(errorBodyOf(off).error_msg, 'Disabled by the operator.');
  const maint = (await exchange(t, port, request('GET', '/maint'))).res;
  assert.equal(maint.status, 503);
  assert.equal(maint.headers['retry-after'], '120');
});

test('the availability hook sheds load with 503 + Retry-After while it says so', async (t) => {
  let overloaded = true;
  const routes: RouteDef[] = [{ path: '/', methods: { GET: (ctx) => sendJson(ctx, 200, {}) } }];
  const port = await listen(t, createServer({ routes, availability: () => overloaded && { retryAfter: 2.5 } }));
  const shed = (await exchange(t, port, request('GET', '/'))).res;
  assert.equal(shed.status, 503);
  assert.equal(shed.headers['retry-after'], '3');
  errorBodyOf(shed);
  overloaded = false;
  assert.equal((await exchange(t, port, request('GET', '/'))).res.status, 200);
});

test('a request timeout longer than a timer can hold does not expire at once', async (t) => {
  const routes: RouteDef[] = [
    { path: '/later', methods: { GET: (ctx) => void setTimeout(() => sendJson(ctx, 200, { late: false }), 20) } },
  ];
  const port = await listen(t, createServer({ routes, limits: { timeout: 0 } }));
  const { res } = await exchange(t, port, request('GET', '/later', { 'x-request-timeout': 9_999_999_999 }));
  assert.equal(res.status, 200);
});

test('a deadline that passes while the body is still awaited is the client’s 408 with Connection: close', async (t) => {
  const routes: RouteDef[] = [{ path: '/upload', methods: { POST: async (ctx) => void (await ctx.body()) } }];
  const port = await listen(t, createServer({ routes, limits: { bodyTimeout: 60_000 } }));
  const { res, wire } = await exchange(
    t,
    port,
    request('POST', '/upload', { 'content-length': 16, 'x-request-timeout': 30 }, 'half-a-body'),
  );
  // RFC 9110 §15.5.9: the client did not produce its request in time; no handler was slow.
  assert.equal(res.status, 408);
  assert.equal(res.headers.connection, 'close');
  assert.ok(await wire.closesWithoutMore(), 'the unread rest of the body cannot be framed: the server closes');
});

test('by default a body that stops arriving is the client’s 408, before the route deadline', async (t) => {
  const routes: RouteDef[] = [{ path: '/upload', methods: { POST: async (ctx) => void (await ctx.body()) } }];
  const defaults = resolveOptions({}).limits;
  assert.ok(defaults.bodyTimeout < defaults.timeout, 'the default body timeout is below the default deadline');
  // The same relation, scaled down so the test does not wait 15 s.
  const port = await listen(t, createServer({ routes, limits: { bodyTimeout: 50, timeout: 100 } }));
  const { res } = await exchange(t, port, request('POST', '/upload', { 'content-length': 16 }, 'half'));
  assert.equal(res.status, 408);
  assert.equal(res.headers.connection, 'close');
});
