import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  causeOf,
  DashboardStats,
  type ProcessData,
  sideOf,
  WINDOW,
} from '../../../src/gateway/telemetry/dashboard/stats.ts';
import { DashboardView, quantile } from '../../../src/gateway/telemetry/dashboard/view.ts';
import type { RequestContext } from '../../../src/server/types.ts';

const ctx = (id: string, state: Record<string, unknown> = {}): RequestContext =>
  ({
    requestId: id,
    method: 'GET',
    path: '/x',
    route: {},
    state,
    req: { headers: {}, socket: {} },
  }) as unknown as RequestContext;

describe('the dashboard recorder', () => {
  it('keeps 15 minutes of seconds in a ring, histograms for the last minute only', () => {
    let now = 1_000_000_000; // ms
    const stats = new DashboardStats({ errorCode: (s, sub) => `SVC.0${s}${sub ? `.${sub}` : ''}`, clock: () => now });
    stats.record('/a', ctx('r1'), 200, 3, undefined);
    stats.record('/a', ctx('r2', { error_subcode: 'UPSTREAM_CONNECT', upstream: 'http://t' }), 502, 1, undefined);
    now += 1_000;
    const first = stats.collect(0, Number.MAX_SAFE_INTEGER, 0);
    assert.equal(first.length, 1);
    assert.deepEqual(first[0]?.routes['/a']?.codes, { 200: 1, 502: 1 });
    assert.deepEqual(first[0]?.routes['/a']?.sides, { client: 0, gateway: 0, upstream: 1 });
    assert.equal(first[0]?.errors[0]?.error_code, 'SVC.0502.UPSTREAM_CONNECT');
    assert.ok(first[0]?.routes['/a']?.hist?.length, 'a histogram while within the minute');
    // The current second is never handed out: it is not complete.
    stats.record('/a', ctx('r3'), 200, 3, undefined);
    assert.equal(stats.collect(0, Number.MAX_SAFE_INTEGER, 0).length, 1);
    // 70 s on, the first second's histogram is gone; its counts stay.
    now += 70_000;
    stats.record('/a', ctx('r4'), 200, 3, undefined);
    const later = stats.collect(0, Number.MAX_SAFE_INTEGER, 0);
    assert.equal(later[0]?.routes['/a']?.hist, undefined);
    assert.deepEqual(later[0]?.routes['/a']?.codes, { 200: 1, 502: 1 });
    // Past the window, the ring has overwritten it.
    now += WINDOW * 1_000;
    stats.record('/a', ctx('r5'), 200, 3, undefined);
    now += 1_000;
    const t0 = Math.floor(1_000_000_000 / 1000);
    assert.ok(stats.collect(0, Number.MAX_SAFE_INTEGER, 0).every((s) => s.t > t0 + 1));
  });

  it('names the cause of 429s and 503s, and which side failed', () => {
    assert.equal(causeOf(429, 'RATE_LIMIT', 'limited', undefined), 'rate limit');
    assert.equal(causeOf(429, 'OVERLOAD', 'shed', undefined), 'shedding');
    assert.equal(causeOf(503, 'DRAINING', undefined, undefined), 'draining');
    assert.equal(causeOf(503, 'BREAKER_OPEN', undefined, 'http://t'), 'breaker');
    assert.equal(causeOf(503, 'RATE_STORE', 'unavailable', undefined), 'store');
    assert.equal(causeOf(503, undefined, undefined, 'http://t'), 'upstream', "the upstream's own 503");
    assert.equal(causeOf(404, '', undefined, undefined), undefined);
    assert.equal(sideOf(404, '', undefined), 'client');
    assert.equal(sideOf(429, 'OVERLOAD', undefined), 'gateway', 'shedding is the gateway at capacity');
    assert.equal(sideOf(502, 'UPSTREAM_RESET', 'http://t'), 'upstream');
    assert.equal(sideOf(504, '', 'http://t'), 'upstream', 'a forwarded request the upstream did not answer in time');
    assert.equal(sideOf(503, 'DRAINING', undefined), 'gateway');
    assert.equal(sideOf(500, undefined, 'http://t'), 'upstream', "the upstream's own 500");
    assert.equal(sideOf(500, '', undefined), 'gateway');
  });
});

describe('the merged view', () => {
  it('sums the processes second by second, and reads percentiles off the summed histogram', async () => {
    const now = 2_000_000_000_000;
    const t = Math.floor(now / 1000) - 1;
    const proc = (pid: number, n: number): ProcessData => ({
      pid,
      seconds: [
        {
          t,
          routes: {
            '/a': { codes: { 200: n }, causes: {}, sides: { client: 0, gateway: 0, upstream: 0 }, hist: [10, n] },
          },
          errors: [],
        },
      ],
      targets: [{ route: '/a', target: 'http://t', healthy: pid === 1, state: pid === 1 ? 'closed' : 'open' }],
      draining: false,
      inFlight: 1,
    });
    const view = new DashboardView(
      async () => [proc(1, 3), proc(2, 7)],
      ['/a', '/b'],
      () => now,
    );
    const fresh = await view.refresh();
    const tick = view.tick(fresh);
    assert.deepEqual(tick.timeline, [{ t, codes: { 200: 10 } }]);
    const a = tick.routes.find((r) => r.route === '/a');
    assert.deepEqual(a?.codes, { 200: 10 });
    assert.equal(a?.rps, 2, '10 answers over the 5 s rate window');
    assert.deepEqual(a?.targets, [{ target: 'http://t', healthy: 1, states: { closed: 1, open: 1 } }]);
    assert.ok(
      tick.routes.some((r) => r.route === '/b'),
      'a configured route is listed before it answers',
    );
    assert.deepEqual(
      tick.processes.map((p) => p.requests),
      [3, 7],
    );
    assert.equal(tick.inFlight, 2);
    // Bucket 10 is (0.1·1.25^9, 0.1·1.25^10] ms: every quantile falls in it.
    const p50 = a?.p50 ?? 0;
    assert.ok(p50 > 0.1 * 1.25 ** 9 && p50 <= 0.1 * 1.25 ** 10, String(p50));
    assert.equal(quantile(new Map(), 0, 0.5), null);
  });
});
