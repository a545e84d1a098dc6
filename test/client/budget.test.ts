import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError, RetryBudget } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('the retry budget stops a retry storm against a service that is down, and successes refill it', async (t) => {
  let down = true;
  const server = await startServer((_req, res) => (down ? answerError(res, 502) : res.end('up')));
  const budget = new RetryBudget({ capacity: 3, cost: 1, refill: 0.5 });
  const client = createClient({ baseUrl: server.url, clock: virtualClock(), retry: { limit: 2, budget } });
  t.after(() => Promise.all([server.close(), client.close()]));

  const attemptsPerCall: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = server.seen.length;
    const error = await client.get('/').catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    attemptsPerCall.push(server.seen.length - before);
  }
  // 3 tokens: the first call retries twice, the second once, then every call is sent once.
  assert.deepEqual(attemptsPerCall, [3, 2, 1, 1]);
  assert.equal(budget.tokens, 0);
  const last = await client.get('/').catch((e: unknown) => e);
  assert.ok(last instanceof HttpError);
  assert.match(last.message, /retry budget is spent/);

  down = false;
  for (let i = 0; i < 4; i++) assert.equal(await client.get('/').text(), 'up');
  assert.equal(budget.tokens, 2);
  // Refilled to 2 tokens: a failing call may retry twice again.
  down = true;
  const before = server.seen.length;
  await assert.rejects(client.get('/'), HttpError);
  assert.equal(server.seen.length - before, 3);
});

test('the bucket never refills above its capacity, and bad settings are refused', () => {
  const budget = new RetryBudget({ capacity: 2, refill: 1 });
  budget.succeeded();
  assert.equal(budget.tokens, 2);
  assert.equal(budget.spend(), true);
  assert.equal(budget.spend(), true);
  assert.equal(budget.spend(), false);
  assert.throws(() => new RetryBudget({ capacity: 0 }), /retry\.budget\.capacity must be a positive number, got 0/);
  assert.throws(() => new RetryBudget({ refill: -1 }), /retry\.budget\.refill must be zero or more/);
});

test('budget: false lets every call retry up to its limit', async (t) => {
  const server = await startServer((_req, res) => answerError(res, 500));
  const client = createClient({ baseUrl: server.url, clock: virtualClock(), retry: { limit: 1, budget: false } });
  t.after(() => Promise.all([server.close(), client.close()]));
  for (let i = 0; i < 15; i++) await assert.rejects(client.get('/'), HttpError);
  assert.equal(server.seen.length, 30);
});
