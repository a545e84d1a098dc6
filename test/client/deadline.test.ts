import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptEvent, createClient, HttpError, TimeoutError } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('each attempt sends the time it has left as X-Request-Timeout; after a 504 the next gets longer', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 504));
  const clock = virtualClock();
  const client = createClient({
    baseUrl: server.url,
    clock,
    random: () => 0.5,
    timeout: { total: 5_000, attempt: 2_000 },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  await assert.rejects(client.get('/slow'), HttpError);
  assert.deepEqual(clock.sleeps, [50, 100]);
  // 2 000 ms; doubled to 4 000 ms; doubled again but only 4 850 ms remain. Each less a tenth for the way back.
  assert.deepEqual(
    server.seen.map((s) => s.headers['x-request-timeout']),
    ['1800', '3600', '4365'],
  );
});

test('a 504 is retried only while time remains', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 504));
  const clock = virtualClock();
  const client = createClient({
    baseUrl: server.url,
    clock,
    random: () => 0.99,
    timeout: { total: 1_000 },
    retry: { backoff: 600, limit: 5 },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/slow').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 504);
  // 594 ms fits in 1 000 ms; the next step (1 188 ms) would pass the deadline.
  assert.deepEqual(clock.sleeps, [594]);
  assert.match(error.message, /No time left to retry: waiting 1188 ms would pass the deadline \(406 ms left\)/);
  assert.equal(server.seen.length, 2);
});

test('timeout.header: false sends no X-Request-Timeout; timeout: false sets no deadline at all', async (t) => {
  const server = await startServer((_req, res) => res.end('ok'));
  const quiet = createClient({ baseUrl: server.url, timeout: { header: false } });
  const unbounded = createClient({ baseUrl: server.url, timeout: false });
  t.after(() => Promise.all([server.close(), quiet.close(), unbounded.close()]));
  await quiet.get('/').text();
  await unbounded.get('/').text();
  assert.deepEqual(
    server.seen.map((s) => s.headers['x-request-timeout']),
    [undefined, undefined],
  );
});

test('an attempt that gets no answer in time is abandoned and, being idempotent, repeated', async (t) => {
  const server = await startServer((_req, res, n) => {
    if (n > 1) res.end('second');
    // The first request is never answered.
  });
  const events: AttemptEvent[] = [];
  const client = createClient({
    baseUrl: server.url,
    clock: virtualClock(),
    random: () => 0,
    timeout: { attempt: 300, total: 60_000 }, // 300 ms: room for a busy machine to answer the repeat
    hooks: { afterAttempt: [(e) => events.push(e)] },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/').text(), 'second');
  assert.deepEqual(
    server.seen.map((s) => s.headers['x-request-timeout']),
    ['270', '540'],
  );
  assert.ok(events[0]?.error instanceof TimeoutError);
  assert.equal(events[0]?.decision, 'retry');
  assert.equal(events[1]?.decision, 'return');
});

test('a POST that gets no answer in time fails with TimeoutError and is not repeated', async (t) => {
  const server = await startServer(() => {});
  const client = createClient({ baseUrl: server.url, clock: virtualClock(), timeout: { attempt: 300 } }); // 300 ms: room for the request to arrive
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.post('/jobs', { body: 'x' }).catch((e: unknown) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.scope, 'attempt');
  assert.match(
    error.message,
    /^POST http:\/\/127\.0\.0\.1:\d+\/jobs timed out: the attempt’s deadline of 300 ms passed\. Not repeated/,
  );
  assert.equal(server.seen.length, 1);
});

test('when the whole call’s deadline passes the client stops with TimeoutError (scope total)', async (t) => {
  const server = await startServer(() => {});
  // The system clock: the deadline must pass in the same time the attempt waited.
  // 400 ms: room for a busy machine to get the request to the server first.
  const client = createClient({ baseUrl: server.url, random: () => 0, timeout: { total: 400, attempt: false } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/').catch((e: unknown) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.equal(error.scope, 'total');
  assert.equal(error.timeout, 400);
  assert.equal(server.seen.length, 1);
});

test('the caller’s AbortSignal ends the call with its reason, without retrying', async (t) => {
  const server = await startServer(() => {});
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  const controller = new AbortController();
  const pending = client.get('/', { signal: controller.signal });
  while (server.seen.length === 0) await new Promise((r) => setImmediate(r));
  controller.abort(new Error('user left'));
  await assert.rejects(pending, /user left/);
  assert.equal(server.seen.length, 1);
});

test('with an injected fetch, an attempt that gets no answer in time is abandoned and repeated too', async (t) => {
  const server = await startServer((_req, res, n) => {
    if (n > 1) res.end('second');
  });
  const client = createClient({
    baseUrl: server.url,
    clock: virtualClock(),
    random: () => 0,
    timeout: { attempt: 300, total: 60_000 }, // 300 ms: room for a busy machine to answer the repeat
    fetch: (input, init) => fetch(input, init),
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/').text(), 'second');
  assert.equal(server.seen.length, 2);
});

test('an abort while waiting to retry ends the call with the caller’s reason', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 503, { 'retry-after': '5' }));
  const controller = new AbortController();
  const clock = virtualClock();
  const client = createClient({
    baseUrl: server.url,
    clock: {
      now: clock.now,
      sleep: (ms, signal) => {
        controller.abort(new Error('shutting down'));
        return clock.sleep(ms, signal);
      },
    },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  await assert.rejects(client.get('/', { signal: controller.signal }), /shutting down/);
  assert.equal(server.seen.length, 1);
});
