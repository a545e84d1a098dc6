/** The 429 probe reads RateLimit and RateLimit-Policy with the RFC 9651 parser. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rateLimitSyntax } from '../../src/check/probes/failures.ts';

const verdicts = (headers: [string, string][]) =>
  rateLimitSyntax({ headers }).map((c) => [c.name, c.ok ? 'pass' : 'fail']);

test('draft-08 and draft-07 forms pass; broken or foreign values fail', () => {
  assert.deepEqual(
    verdicts([
      ['RateLimit-Policy', '"default";q=100;w=60, "burst";q=5;w=1'],
      ['RateLimit', '"default";r=42;t=17'],
    ]),
    [
      ['RateLimit-Policy syntax', 'pass'],
      ['RateLimit syntax', 'pass'],
    ],
  );
  assert.deepEqual(
    verdicts([
      ['RateLimit-Policy', '100;w=60'],
      ['RateLimit', 'limit=100, remaining=0, reset=60'],
    ]),
    [
      ['RateLimit-Policy syntax', 'pass'],
      ['RateLimit syntax', 'pass'],
    ],
  );
  assert.deepEqual(
    verdicts([
      ['RateLimit-Policy', 'default;q=100'], // a token, not an sf-string
      ['RateLimit', '"default";r=4.5;t=1'],
    ]),
    [
      ['RateLimit-Policy syntax', 'fail'],
      ['RateLimit syntax', 'fail'],
    ],
  );
  assert.deepEqual(verdicts([['RateLimit', '"unterminated;r=1']]), [['RateLimit syntax', 'fail']]);
  assert.deepEqual(verdicts([]), []);
});
