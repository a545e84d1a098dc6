/** The client reads every generation of the RateLimit fields met in the wild. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseRateLimit } from '../../src/client/index.ts';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const read = (fields: Record<string, string>) => parseRateLimit(new Headers(fields), NOW);

test('draft-08: SF lists; the tightest policy of several', () => {
  assert.deepEqual(read({ RateLimit: '"default";r=42;t=17' }), {
    generation: 'draft-08',
    remaining: 42,
    resetMs: 17_000,
    limit: undefined,
    policy: 'default',
  });
  const two = read({ RateLimit: '"hour";r=900;t=3000, "burst";r=0;t=2, "day";r=0;t=80000' });
  assert.equal(two?.policy, 'day', 'none left in two: the one that resets later');
  assert.equal(two?.resetMs, 80_000_000);
  // A member without r says nothing about what is left.
  assert.equal(read({ RateLimit: '"default";t=3' }), undefined);
  assert.equal(read({ RateLimit: '"default";r=5' })?.resetMs, undefined);
});

test('draft-07: the dictionary', () => {
  assert.deepEqual(read({ RateLimit: 'limit=100, remaining=0, reset=9', 'RateLimit-Policy': '100;w=60' }), {
    generation: 'draft-07',
    remaining: 0,
    resetMs: 9_000,
    limit: 100,
    policy: undefined,
  });
});

test('drafts 00–06: RateLimit-Limit/Remaining/Reset, the limit possibly with its policies', () => {
  assert.deepEqual(
    read({ 'RateLimit-Limit': '10, 10;w=1, 50;w=60', 'RateLimit-Remaining': '3', 'RateLimit-Reset': '1' }),
    {
      generation: 'draft-06',
      remaining: 3,
      resetMs: 1_000,
      limit: 10,
      policy: undefined,
    },
  );
});

test('X-RateLimit-*: the reset as delta seconds, epoch seconds or epoch milliseconds', () => {
  const x = (reset: string) =>
    read({ 'X-RateLimit-Limit': '60', 'X-RateLimit-Remaining': '0', 'X-RateLimit-Reset': reset });
  assert.equal(x('30')?.resetMs, 30_000);
  assert.equal(x(String(NOW / 1000 + 45))?.resetMs, 45_000, 'GitHub: epoch seconds');
  assert.equal(x(String(NOW + 1500))?.resetMs, 1_500, 'epoch milliseconds');
  assert.equal(x(String(NOW / 1000 - 10))?.resetMs, 0, 'a reset in the past is now');
  assert.equal(x('30')?.generation, 'x-ratelimit');
  assert.equal(x('30')?.limit, 60);
});

test('the newest generation wins; malformed fields are ignored, never thrown', () => {
  const both = read({ RateLimit: '"a";r=1;t=1', 'X-RateLimit-Remaining': '99' });
  assert.equal(both?.generation, 'draft-08');
  // RFC 9651 §4.2: a field that fails to parse is ignored; the older one is read instead.
  assert.equal(read({ RateLimit: '"a;r=1', 'X-RateLimit-Remaining': '7' })?.remaining, 7);
  assert.equal(read({ RateLimit: 'r=-1' }), undefined);
  assert.equal(read({ 'RateLimit-Remaining': 'lots' }), undefined);
  assert.equal(read({}), undefined);
});
