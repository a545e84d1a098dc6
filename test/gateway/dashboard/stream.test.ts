import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogView } from '../../../src/gateway/telemetry/dashboard/stream.ts';
import type { Tick } from '../../../src/gateway/telemetry/dashboard/view.ts';
import { closedPort, startGateway, startUpstream } from '../support.ts';
import { openEvents, waitForEvent } from './sse.ts';

describe('the dashboard event stream', () => {
  it('gives several dashboards at once the same snapshots, with the profile’s names', async (t) => {
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const g = await startGateway({ profile: 'dis', routes: [{ path: '/', targets: [upstream.url] }] });
    t.after(() => g.close());
    const streams = await Promise.all([1, 2, 3].map(() => openEvents(`${g.adminUrl}/dashboard/events`)));
    t.after(() => {
      for (const s of streams) s.close();
    });
    for (const s of streams) {
      assert.equal((await s.next()).retry, 2000);
      const meta = await s.next();
      assert.equal(meta.event, 'meta');
      const { profile, catalog } = JSON.parse(meta.data) as { profile: string; catalog: Record<string, CatalogView> };
      assert.equal(profile, 'dis');
      assert.equal(catalog['441']?.name, 'Authentication Error', "the dis table's name");
      assert.equal(catalog['429']?.guidance, 'wait for Retry-After');
      assert.equal(catalog['400']?.guidance, 'modify the request');
      assert.equal((await s.next()).event, 'history');
    }
    for (let i = 0; i < 4; i++) await (await fetch(`${g.url}/x${i}`)).arrayBuffer();
    const seen = await Promise.all(
      streams.map((s) =>
        waitForEvent<Tick>(s.next, 'tick', (d) => d.routes.find((r) => r.route === '/')?.codes['200'] === 4),
      ),
    );
    // One snapshot a second, built once and written to each: the same second (or the next, for a late reader).
    const ts = seen.map((d) => d.t);
    assert.ok(Math.max(...ts) - Math.min(...ts) <= 1, ts.join());
    assert.equal(seen[0]?.processes.length, 1);
  });

  it("names a 503's cause and side: the open breaker, the upstream's fault; the target shows it open", async (t) => {
    const down = await closedPort();
    const g = await startGateway({
      routes: [{ path: '/', targets: [`http://127.0.0.1:${down}`], breaker: { failures: 2, cooldown: '30s' } }],
    });
    t.after(() => g.close());
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${g.url}/x`);
      await res.arrayBuffer();
      statuses.push(res.status);
    }
    assert.deepEqual(statuses, [502, 502, 503, 503]);
    const stream = await openEvents(`${g.adminUrl}/dashboard/events`);
    t.after(() => stream.close());
    const tick = await waitForEvent<Tick>(stream.next, 'tick', (d) => {
      const r = d.routes.find((x) => x.route === '/');
      return (r?.codes['502'] ?? 0) + (r?.codes['503'] ?? 0) === 4;
    });
    const root = tick.routes.find((r) => r.route === '/');
    assert.deepEqual(root?.causes, { '503 breaker': 2 });
    assert.deepEqual(root?.sides, { client: 0, gateway: 0, upstream: 4 });
    assert.deepEqual(root?.targets[0]?.states, { open: 1 });
    const e503 = tick.errors.find((e) => e.status === 503);
    assert.equal(e503?.error_code, 'SVC.0503.BREAKER_OPEN');
    assert.equal(e503?.cause, 'breaker');
  });
});
