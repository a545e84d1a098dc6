/**
 * The client paced by the gateway's own RateLimit fields, in each generation
 * the gateway can answer (policies.rateLimit.fields), with two policies on the
 * route: over real sockets, on one virtual clock shared by gateway and client.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, type PacedEvent } from '../../src/client/index.ts';
import { FIELD_GENERATIONS } from '../../src/gateway/policies/limits/fields.ts';
import { startGateway } from '../gateway/support.ts';
import { startServer, virtualClock } from './support.ts';

for (const fields of FIELD_GENERATIONS) {
  test(`a burst through the gateway (fields: ${fields}, two policies) collects no 429 with pacing on`, async (t) => {
    const clock = virtualClock();
    const upstream = await startServer((_req, res) => res.end('ok'));
    const gateway = await startGateway(
      {
        routes: [{ path: '/', targets: [upstream.url] }],
        policies: {
          rateLimit: {
            key: 'ip',
            fields,
            limits: [
              { name: 'minute', limit: 4, window: '60s' },
              { name: 'items', limit: 2, window: '10s', routes: [{ path: '/items/*' }] },
            ],
          },
        },
      },
      { clock: clock.now },
    );
    const waits: PacedEvent[] = [];
    const client = createClient({
      baseUrl: gateway.url,
      clock,
      retry: false,
      throwHttpErrors: false,
      // No call deadline: a wait past it is not made (the request would go and collect its 429).
      timeout: false,
      hooks: { paced: [(e) => waits.push(e)] },
    });
    t.after(() => Promise.all([client.close(), gateway.close(), upstream.close()]));
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => client.get(`/items/${i}`)));
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(6).fill(200),
    );
    assert.ok(waits.length > 0 && waits.every((w) => w.reason === 'quota'), 'the client waited for resets');
    assert.equal(upstream.seen.length, 6);

    // The same burst with pacing off, on a fresh clock window: the gateway refuses what is over.
    clock.sleeps.length = 0;
    await clock.sleep(3_600_000);
    const blind = createClient({ baseUrl: gateway.url, clock, retry: false, throwHttpErrors: false, pacing: false });
    t.after(() => blind.close());
    const statuses = (await Promise.all(Array.from({ length: 6 }, (_, i) => blind.get(`/items/${i}`)))).map(
      (r) => r.status,
    );
    assert.equal(statuses.filter((s) => s === 429).length, 4, `2 allowed by "items", 4 refused: ${statuses}`);
  });
}
