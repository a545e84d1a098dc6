import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError, NetworkError } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

const RETRYABLE: Array<[number, Record<string, string>]> = [
  [408, {}],
  [429, { 'retry-after': '1' }],
  [500, {}],
  [502, {}],
  [503, { 'retry-after': '1' }],
  [504, {}],
];

for (const [status, headers] of RETRYABLE) {
  test(`POST answered ${status} reaches the server exactly once`, async (t) => {
    const server = await startServer((_req, res) => answerError(res, status, headers));
    const client = createClient({ baseUrl: server.url, clock: virtualClock() });
    t.after(() => Promise.all([server.close(), client.close()]));
    const error = await client.post('/orders', { json: { qty: 1 } }).catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.status, status);
    assert.match(error.message, /Not repeated: POST is not idempotent \(RFC 9110 §9\.2\.2\)/);
    assert.equal(server.seen.length, 1);
  });
}

test('PATCH is never repeated either', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 502));
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  await assert.rejects(client.patch('/a', { json: {} }), HttpError);
  assert.equal(server.seen.length, 1);
});

test('a POST with Idempotency-Key is repeated only when the caller opts in', async (t) => {
  const server = await startServer((_req, res, n) => (n % 2 === 1 ? answerError(res, 500) : res.end('made')));
  t.after(() => server.close());
  const key = { 'idempotency-key': 'order-7' };

  const plain = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => plain.close());
  await assert.rejects(plain.post('/orders', { headers: key, body: 'o' }), HttpError);
  assert.equal(server.seen.length, 1);

  const optedIn = createClient({ baseUrl: server.url, clock: virtualClock(), retry: { idempotencyKey: true } });
  t.after(() => optedIn.close());
  server.seen.length = 0;
  const unkeyed = await optedIn.post('/orders', { body: 'o' }).catch((e: unknown) => e);
  assert.ok(unkeyed instanceof HttpError);
  assert.match(unkeyed.message, /POST without an Idempotency-Key header could act twice/);
  assert.equal(server.seen.length, 1);

  server.seen.length = 0;
  assert.equal(await optedIn.post('/orders', { headers: key, body: 'o' }).text(), 'made');
  assert.deepEqual(
    server.seen.map((s) => [s.method, s.headers['idempotency-key'], s.body]),
    [
      ['POST', 'order-7', 'o'],
      ['POST', 'order-7', 'o'],
    ],
  );
});

test('a streamed body is sent once: a PUT with a stream is not repeated', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 503, { 'retry-after': '1' }));
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('chunk'));
      c.close();
    },
  });
  const error = await client.put('/blob', { body: stream }).catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.match(error.message, /body was a stream/);
  assert.equal(server.seen.length, 1);
  assert.equal(server.seen[0]?.body, 'chunk');
});

test('a refused connection: GET is retried with backoff, POST is not', async (t) => {
  const server = await startServer((_req, res) => res.end());
  const url = server.url;
  await server.close();
  const clock = virtualClock();
  const client = createClient({ baseUrl: url, clock, random: () => 1 - Number.EPSILON });
  t.after(() => client.close());

  const get = await client.get('/').catch((e: unknown) => e);
  assert.ok(get instanceof NetworkError, String(get));
  assert.equal(get.code, 'ECONNREFUSED');
  assert.equal(get.attempts, 3);
  assert.match(
    get.message,
    /^GET http:\/\/127\.0\.0\.1:\d+\/ got no answer: .*ECONNREFUSED.*Gave up after 3 attempts\./,
  );
  assert.deepEqual(clock.sleeps, [99, 199]);

  clock.sleeps.length = 0;
  const post = await client.post('/', { body: 'x' }).catch((e: unknown) => e);
  assert.ok(post instanceof NetworkError);
  assert.equal(post.attempts, 1);
  assert.deepEqual(clock.sleeps, []);
});
