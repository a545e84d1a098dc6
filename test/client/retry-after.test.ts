import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError, retryAfterMs } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('Retry-After parses delta-seconds and HTTP-date, and ignores what it cannot read', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  assert.equal(retryAfterMs('120', now), 120_000);
  assert.equal(retryAfterMs(' 0 ', now), 0);
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 12:00:30 GMT', now), 30_000);
  // RFC 850 and asctime forms (RFC 9110 §5.6.7, obsolete but to be accepted).
  assert.equal(retryAfterMs('Thursday, 01-Jan-26 12:00:05 GMT', now), 5_000);
  assert.equal(retryAfterMs('Thu Jan  1 12:00:07 2026', now), 7_000, 'asctime is GMT whatever the local zone');
  // A date in the past means now.
  assert.equal(retryAfterMs('Thu, 01 Jan 2026 11:00:00 GMT', now), 0);
  for (const bad of ['-5', '1.5', 'soon', '', '12 s']) assert.equal(retryAfterMs(bad, now), undefined, bad);
  assert.equal(retryAfterMs(null, now), undefined);
});

for (const status of [429, 413, 503]) {
  test(`${status} with Retry-After in delta-seconds: waits that long, then repeats`, async (t) => {
    const server = await startServer((_req, res, n) =>
      n === 1 ? answerError(res, status, { 'retry-after': '7' }) : res.end('ok'),
    );
    const clock = virtualClock();
    const client = createClient({ baseUrl: server.url, clock });
    t.after(() => Promise.all([server.close(), client.close()]));
    assert.equal(await client.put('/item', { body: 'v' }).text(), 'ok');
    assert.deepEqual(clock.sleeps, [7000]);
    assert.equal(server.seen.length, 2);
    assert.equal(server.seen[1]?.body, 'v', 'the body is sent again');
  });
}

test('Retry-After as an HTTP-date: waits until that instant on the client’s clock', async (t) => {
  const clock = virtualClock();
  const at = new Date(clock.now() + 12_000).toUTCString();
  const server = await startServer((_req, res, n) =>
    n === 1 ? answerError(res, 503, { 'retry-after': at }) : res.end('ok'),
  );
  const client = createClient({ baseUrl: server.url, clock });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/').text(), 'ok');
  assert.deepEqual(clock.sleeps, [12_000]);
});

test('a Retry-After above maxRetryAfter fails at once and says how long the server asked', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 429, { 'retry-after': '120' }));
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock, retry: { maxRetryAfter: 60_000 } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/limited').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 429);
  assert.equal(error.retryAfter, 120_000);
  assert.match(error.message, /asked to wait 120 s \(Retry-After\), longer than maxRetryAfter \(60 s\)/);
  assert.equal(server.seen.length, 1);
  assert.deepEqual(clock.sleeps, []);
});

test('503 and 413 without Retry-After are not repeated', async (t) => {
  const server = await startServer((req, res) => answerError(res, Number(req.url.slice(1))));
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock });
  t.after(() => Promise.all([server.close(), client.close()]));
  for (const status of [503, 413]) {
    const error = await client.put(`/${status}`, { body: 'x' }).catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.guidance, 'fix');
  }
  assert.deepEqual(
    server.seen.map((s) => s.url),
    ['/503', '/413'],
  );
});

test('a malformed Retry-After on 503 counts as none: not repeated', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 503, { 'retry-after': 'later' }));
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.retryAfter, undefined);
  assert.equal(server.seen.length, 1);
});

test('429 without Retry-After backs off with jitter instead of hammering', async (t) => {
  const server = await startServer((_req, res, n) => (n < 3 ? answerError(res, 429) : res.end('ok')));
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock, random: () => 0.25, retry: { backoff: 400 } });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/').text(), 'ok');
  // full jitter: random() × 400 ms, then × 800 ms.
  assert.deepEqual(clock.sleeps, [100, 200]);
});
