/**
 * The RateLimit fields in every generation (draft-ietf-httpapi-ratelimit-headers),
 * read back with the RFC 9651 parser; several policies on one route; the
 * quota-exceeded problem type; all over real sockets.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConfigReader, fieldName } from '../../../src/gateway/config/reader.ts';
import { createRateLimitGuard } from '../../../src/gateway/policies/guards/rate.ts';
import { createPolicies, readPolicies } from '../../../src/gateway/policies/index.ts';
import {
  type LimitState,
  rateLimitFieldList,
  rateLimitHeaderValues,
} from '../../../src/gateway/policies/limits/fields.ts';
import { parseDictionary, parseList, Token } from '../../../src/sf/index.ts';
import { manualClock, type Served, send, serve } from './harness.ts';

const minute: LimitState = { name: 'minute', limit: 100, window: 60, remaining: 42, reset: 17 };
const second: LimitState = { name: 'burst "b"', limit: 10, window: 1, remaining: 3, reset: 1 };

describe('RateLimit field generations', () => {
  it('draft-08: two SF lists, one member per policy, names as sf-strings', () => {
    const h = rateLimitHeaderValues([minute, second], 'draft-08');
    assert.equal(h['RateLimit-Policy'], '"minute";q=100;w=60, "burst \\"b\\"";q=10;w=1');
    assert.equal(h.RateLimit, '"minute";r=42;t=17, "burst \\"b\\"";r=3;t=1');
    const parsed = parseList(h.RateLimit as string);
    assert.deepEqual(
      parsed.map(([name, params]) => [name, Object.fromEntries(params)]),
      [
        ['minute', { r: 42, t: 17 }],
        ['burst "b"', { r: 3, t: 1 }],
      ],
    );
    assert.equal(h['Retry-After'], undefined);
  });

  it('draft-08: a policy whose state is unknown (store down, fail-open) is in RateLimit-Policy only', () => {
    const h = rateLimitHeaderValues([minute, { ...second, remaining: undefined }], 'draft-08');
    assert.equal(h.RateLimit, '"minute";r=42;t=17');
    assert.deepEqual(rateLimitFieldList([{ ...minute, remaining: undefined }]), [
      'RateLimit-Policy',
      '"minute";q=100;w=60',
    ]);
  });

  it('draft-07: a dictionary for the policy closest to exhaustion, quota policies as integers with w', () => {
    const h = rateLimitHeaderValues([minute, second], 'draft-07', 2);
    assert.equal(h.RateLimit, 'limit=10, remaining=3, reset=1');
    assert.equal(h['RateLimit-Policy'], '100;w=60, 10;w=1');
    assert.equal(h['Retry-After'], '2');
    const d = parseDictionary(h.RateLimit as string);
    assert.equal(d.get('remaining')?.[0], 3);
  });

  it('draft-06: three integer fields and the policy list', () => {
    assert.deepEqual(rateLimitHeaderValues([minute, second], 'draft-06'), {
      'RateLimit-Limit': '10',
      'RateLimit-Remaining': '3',
      'RateLimit-Reset': '1',
      'RateLimit-Policy': '100;w=60, 10;w=1',
    });
  });

  it('x-ratelimit: the reset in epoch seconds', () => {
    const now = Date.UTC(2026, 0, 1, 0, 0, 0, 500);
    assert.deepEqual(rateLimitHeaderValues([minute], 'x-ratelimit', undefined, now), {
      'X-RateLimit-Limit': '100',
      'X-RateLimit-Remaining': '42',
      'X-RateLimit-Reset': String(Math.ceil(now / 1000) + 17),
    });
  });
});

describe('several policies on one route, over a real socket', () => {
  const clock = manualClock();
  const guard = createRateLimitGuard({
    key: 'ip',
    clock,
    policies: [
      { name: 'hour', limit: 5, window: 3600 },
      { name: 'items-burst', limit: 2, window: 10, routes: [{ path: '/items/:id' }] },
    ],
  });
  let server: Served;
  before(async () => {
    server = await serve([guard]);
  });
  after(() => server.close());

  it('carries every covering policy, each deciding, and names the violated ones in problem+json', async () => {
    const other = await send(server.port, { path: '/other' });
    assert.equal(other.status, 200);
    assert.equal(other.headers['ratelimit-policy'], '"hour";q=5;w=3600', 'only the policy on every route');
    const a = await send(server.port, { path: '/items/1' });
    assert.equal(a.headers['ratelimit-policy'], '"hour";q=5;w=3600, "items-burst";q=2;w=10');
    assert.equal(a.headers.ratelimit, '"hour";r=3;t=1440, "items-burst";r=1;t=5');
    assert.equal((await send(server.port, { path: '/items/2' })).status, 200);
    const refused = await send(server.port, { path: '/items/3', headers: { accept: 'application/problem+json' } });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '5', 'Retry-After of the refusing policy');
    // Each policy decided: the hour's quota was spent too (GCRA takes in one step; see docs/gateway-limits.md).
    assert.equal(refused.headers.ratelimit, '"hour";r=1;t=2880, "items-burst";r=0;t=10');
    assert.match(String(refused.headers['content-type']), /^application\/problem\+json/);
    const body = refused.json();
    assert.equal(body.type, 'https://iana.org/assignments/http-problem-types#quota-exceeded');
    assert.deepEqual(body['violated-policies'], ['items-burst']);
    assert.equal(body.status, 429);
    // The contract's own JSON body is unchanged for a client that asks for JSON.
    const plain = await send(server.port, { path: '/items/4' });
    assert.equal(plain.json().type, undefined);
    assert.match(String(plain.json().error_code), /0429\.RATE_LIMIT$/);
  });
});

describe('fields: x-ratelimit through the guard', () => {
  const clock = manualClock(Date.UTC(2026, 0, 1));
  const guard = createRateLimitGuard({ policy: { limit: 1, window: 60 }, key: 'ip', clock, fields: 'x-ratelimit' });
  let server: Served;
  before(async () => {
    server = await serve([guard]);
  });
  after(() => server.close());

  it('answers the older generation, Retry-After on the 429', async () => {
    const ok = await send(server.port);
    assert.equal(ok.headers['x-ratelimit-remaining'], '0');
    assert.equal(ok.headers['x-ratelimit-reset'], String(Date.UTC(2026, 0, 1) / 1000 + 60));
    assert.equal(ok.headers.ratelimit, undefined);
    const no = await send(server.port);
    assert.equal(no.status, 429);
    assert.equal(no.headers['retry-after'], '60');
    assert.equal(no.headers['x-ratelimit-limit'], '1');
  });
});

// A token in a member position would not be draft-08: the names are sf-strings.
it('policy names are never tokens', () => {
  const [first] = parseList(rateLimitHeaderValues([minute])['RateLimit-Policy'] as string);
  assert.ok(!(first?.[0] instanceof Token));
});

describe('policies.rateLimit: limits and fields in the configuration', () => {
  const read = (value: unknown) => {
    const r = new ConfigReader();
    const config = readPolicies(r, value);
    return { config, issues: r.issues.map((i) => `${fieldName(i.path)}: ${i.message}`) };
  };

  it('reads several routed limits and the field generation', () => {
    const { config, issues } = read({
      rateLimit: {
        fields: 'draft-07',
        limits: [
          { name: 'hour', limit: 1000, window: '1h' },
          { limit: 5, window: '1s', routes: [{ path: '/items/*', methods: ['POST'] }] },
        ],
      },
    });
    assert.deepEqual(issues, []);
    assert.equal(config.rateLimit?.policy, undefined);
    assert.equal(config.rateLimit?.fields, 'draft-07');
    assert.deepEqual(config.rateLimit?.limits, [
      { name: 'hour', limit: 1000, window: 3600 },
      { name: 'policy-2', limit: 5, window: 1, routes: [{ path: '/items/*', methods: ['POST'] }] },
    ]);
    assert.equal(createPolicies(config).rate?.policies.length, 2);
  });

  it('names a bad generation, a repeated name and a bad route', () => {
    const { issues } = read({
      rateLimit: {
        limit: 10,
        fields: 'draft-99',
        limits: [
          { name: 'default', limit: 1 },
          { limit: 1, routes: [{ path: 'items' }] },
        ],
      },
    });
    const fields = issues.map((i) => i.slice(0, i.indexOf(':')));
    assert.ok(fields.includes('policies.rateLimit.fields'), issues.join('\n'));
    assert.ok(fields.includes('policies.rateLimit.limits'), issues.join('\n'));
    assert.ok(fields.includes('policies.rateLimit.limits[1].routes[0].path'), issues.join('\n'));
  });
});
