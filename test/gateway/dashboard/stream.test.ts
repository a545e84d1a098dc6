import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CatalogView } from '../../../src/gateway/dashboard/stream.ts';
import type { Tick } from '../../../src/gateway/dashboard/view.ts';
import { startGateway, startUpstream } from '../support.ts';
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
});
