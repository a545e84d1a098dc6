import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { Deadlines, leave, type Waiting } from '../../src/server/deadlines.ts';

function waiting(limit: number, start = performance.now()): Waiting & { name: string } {
  return {
    name: `${limit} ms`,
    start,
    deadline: start + limit,
    waitList: undefined,
    waitPrev: undefined,
    waitNext: undefined,
  };
}

/** A Deadlines whose expiries are recorded, with a promise for when `n` of them happened. */
function recorder(n: number) {
  const expired: { w: Waiting; late: boolean }[] = [];
  let done!: () => void;
  // The sweep's timer is unref'd (a real request's socket holds the process): hold it here instead.
  const hold = setInterval(() => {}, 1000);
  const all = new Promise<void>((resolve) => (done = resolve)).finally(() => clearInterval(hold));
  const deadlines = new Deadlines((w) => {
    expired.push({ w, late: performance.now() >= (w.deadline as number) });
    if (expired.length === n) done();
  });
  if (n === 0) done();
  return { deadlines, expired, all };
}

test('each watched request expires once, never before its deadline, across different limits', async () => {
  const { deadlines, expired, all } = recorder(3);
  const [a, b, c] = [waiting(30), waiting(10), waiting(20)];
  for (const w of [a, b, c]) deadlines.add(w);
  deadlines.add(a); // a second add of a watched request changes nothing
  await all;
  assert.deepEqual(new Set(expired.map((e) => e.w)), new Set([a, b, c]));
  assert.equal(expired.length, 3);
  assert.ok(expired.every((e) => e.late));
  assert.equal(deadlines.size, 0);
  for (const w of [a, b, c]) assert.equal(w.waitList, undefined);
});

test('a request that left (its answer ended) never expires; its neighbours still do', async () => {
  const { deadlines, expired, all } = recorder(2);
  const start = performance.now();
  const [first, middle, last] = [waiting(15, start), waiting(15, start + 1), waiting(15, start + 2)];
  for (const w of [first, middle, last]) deadlines.add(w);
  assert.equal(deadlines.size, 3);
  leave(middle);
  leave(middle); // leaving twice is harmless
  assert.equal(deadlines.size, 2);
  await all;
  assert.deepEqual(
    expired.map((e) => e.w),
    [first, last],
  );
});

test('within one limit, a request armed late (its guards waited) is still kept in deadline order', async () => {
  const { deadlines, expired, all } = recorder(3);
  const start = performance.now();
  const early = waiting(20, start);
  const later = waiting(20, start + 5);
  const latest = waiting(20, start + 10);
  deadlines.add(later);
  deadlines.add(latest);
  deadlines.add(early); // arrived first, armed last
  await all;
  assert.deepEqual(
    expired.map((e) => e.w),
    [early, later, latest],
  );
});

test('a request without a deadline, or one too far off for a timer, is not watched', () => {
  const { deadlines } = recorder(0);
  const none = { ...waiting(10), deadline: undefined };
  const far = waiting(2 ** 31);
  deadlines.add(none);
  deadlines.add(far);
  assert.equal(deadlines.size, 0);
  assert.equal(far.waitList, undefined);
});
