/**
 * retry.mode 'standard' (the AWS SDKs' retry quota) and 'adaptive' (the quota
 * and a client-side send rate that slows after throttling answers), against
 * real servers on 127.0.0.1, on a virtual clock: waits are asserted as asked for, never timed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveRateLimiter, createClient, HttpError, type PacedEvent, RetryQuota } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('RetryQuota: 500 tokens, a retry costs 5, after a timeout 10; a success refunds the cost or 1', () => {
  const q = new RetryQuota();
  assert.equal(q.tokens, 500);
  assert.equal(q.take(false), 5);
  assert.equal(q.take(true), 10);
  assert.equal(q.tokens, 485);
  q.settle(10);
  assert.equal(q.tokens, 495);
  q.settle(0);
  assert.equal(q.tokens, 496);
  for (let i = 0; i < 10; i++) q.settle(0);
  assert.equal(q.tokens, 500, 'never above capacity');
  const small = new RetryQuota({ capacity: 12 });
  assert.equal(small.take(true), 10);
  assert.equal(small.take(false), false, 'two left, a retry costs 5: no retry, nothing taken');
  assert.equal(small.tokens, 2);
  assert.throws(() => new RetryQuota({ retryCost: 0 }), /retry\.quota\.retryCost must be a whole number ≥ 1, got 0/);
});

test('mode standard: the quota runs out against a failing service, and a success gives back its retry’s cost', async (t) => {
  let down = true;
  const server = await startServer((_req, res) => (down ? answerError(res, 500) : res.end('up')));
  const quota = new RetryQuota({ capacity: 10 });
  const client = createClient({
    baseUrl: server.url,
    clock: virtualClock(),
    retry: { mode: 'standard', quota, limit: 2 },
  });
  t.after(() => Promise.all([server.close(), client.close()]));

  const attempts: number[] = [];
  for (let i = 0; i < 2; i++) {
    const before = server.seen.length;
    await assert.rejects(client.get('/'), HttpError);
    attempts.push(server.seen.length - before);
  }
  // 10 tokens: two retries of 5 for the first call, none for the second.
  assert.deepEqual(attempts, [3, 1]);
  assert.equal(quota.tokens, 0);
  const spent = await client.get('/').catch((e: unknown) => e);
  assert.ok(spent instanceof HttpError);
  assert.match(spent.message, /retry budget is spent/);

  down = false;
  await client.get('/').text();
  assert.equal(quota.tokens, 1, 'a success without a retry puts back 1');
  // One failure, then success: the retry cost 5 (6 → 1) and the success gives it back (1 → 6).
  for (let i = 0; i < 5; i++) await client.get('/').text();
  assert.equal(quota.tokens, 6);
  let first = true;
  const flaky = await startServer((_req, res) => {
    if (first) {
      first = false;
      return answerError(res, 503, { 'retry-after': '0' });
    }
    res.end('ok');
  });
  t.after(() => flaky.close());
  assert.equal(await client.get(`${flaky.url}/`).text(), 'ok');
  assert.equal(quota.tokens, 6);
});

test('AdaptiveRateLimiter: a throttling answer cuts the rate to 0.7 of the measured one, successes grow it back', () => {
  const limiter = new AdaptiveRateLimiter();
  let now = 1_000_000; // ms
  assert.equal(limiter.delay(now), 0, 'no limit before any throttling');
  // 10 requests per second for 3 s.
  for (let i = 0; i < 30; i++) {
    now += 100;
    limiter.update(false, now);
  }
  assert.equal(limiter.enabled, false);
  limiter.update(true, (now += 100));
  assert.equal(limiter.enabled, true);
  const cut = limiter.rate;
  assert.ok(cut > 0 && cut < 10, `rate after the throttle: ${cut}/s`);
  // Back-to-back sends: the bucket holds about one second's worth (the rate), then they wait for tokens.
  const waits = Array.from({ length: 20 }, () => limiter.delay(now));
  assert.equal(waits[0], 0);
  assert.ok(waits[19]! > 0, `the last of a burst of 20 waits (${waits.join(', ')} ms)`);
  assert.ok(waits[19]! >= waits[18]!, 'each later one waits longer');
  // Successes over the next seconds: the CUBIC curve brings the rate back up.
  for (let i = 0; i < 40; i++) {
    now += 250;
    limiter.update(false, now);
  }
  assert.ok(limiter.rate > cut, `rate grew back: ${limiter.rate}/s > ${cut}/s`);
});

test('mode adaptive: after 429s the client spaces its requests, and says so in hooks.paced', async (t) => {
  let n = 0;
  const server = await startServer((_req, res) => {
    n++;
    if (n <= 2) return answerError(res, 429, { 'retry-after': '0' });
    res.end('ok');
  });
  const clock = virtualClock();
  const waits: PacedEvent[] = [];
  const rateLimiter = new AdaptiveRateLimiter();
  const client = createClient({
    baseUrl: server.url,
    clock,
    retry: { mode: 'adaptive', rateLimiter, limit: 3 },
    hooks: { paced: [(e) => waits.push(e)] },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/').text(), 'ok', 'two 429s, then the answer');
  assert.equal(rateLimiter.enabled, true);
  for (let i = 0; i < 3; i++) await client.get('/').text();
  const adaptive = waits.filter((w) => w.reason === 'adaptive');
  assert.ok(adaptive.length > 0, 'the client waited for the adaptive limiter');
  assert.ok(adaptive.every((w) => w.wait > 0));

  // The same answers with mode standard: no waits but Retry-After's.
  n = 0;
  waits.length = 0;
  const standard = createClient({
    baseUrl: server.url,
    clock,
    retry: { mode: 'standard', limit: 3 },
    hooks: { paced: [(e) => waits.push(e)] },
  });
  t.after(() => standard.close());
  for (let i = 0; i < 4; i++) await standard.get('/').text();
  assert.deepEqual(
    waits.filter((w) => w.reason === 'adaptive'),
    [],
  );
});

test('mode adaptive: a 503 with Retry-After counts as throttling, a 503 without does not', async (t) => {
  const server = await startServer((req, res) =>
    req.url === '/busy' ? answerError(res, 503, { 'retry-after': '0' }) : answerError(res, 503),
  );
  const clock = virtualClock();
  const plain = new AdaptiveRateLimiter();
  const busy = new AdaptiveRateLimiter();
  const make = (rateLimiter: AdaptiveRateLimiter) =>
    createClient({ baseUrl: server.url, clock, retry: { mode: 'adaptive', rateLimiter, limit: 1 } });
  const a = make(plain);
  const b = make(busy);
  t.after(() => Promise.all([server.close(), a.close(), b.close()]));
  await assert.rejects(a.get('/down'), HttpError);
  assert.equal(plain.enabled, false, 'a 503 without Retry-After is a failure, not throttling');
  await assert.rejects(b.get('/busy'), HttpError);
  assert.equal(busy.enabled, true);
  assert.throws(
    () => createClient({ retry: { mode: 'fast' as never } }),
    /retry\.mode must be "budget", "standard" or "adaptive"/,
  );
});
