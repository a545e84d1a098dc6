import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Tick } from '../../../src/gateway/telemetry/dashboard/view.ts';
import { startServe } from '../process.ts';
import { startUpstream } from '../support.ts';
import { openEvents, waitForEvent } from './sse.ts';

describe('the dashboard stream under --workers 2', () => {
  it("merges both workers' counts into one snapshot a second, as /metrics merges their counters", async (t) => {
    const upstream = await startUpstream((req, res) => {
      res.statusCode = req.url?.startsWith('/missing') ? 404 : 200;
      res.end('x');
    });
    t.after(() => upstream.close());
    const serve = await startServe(['--upstream', upstream.url, '--port', '0', '--admin-port', '0', '--workers', '2']);
    t.after(() => serve.stop());
    // A new connection each: the primary hands connections to the workers in turn.
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${serve.url}/${i % 5 === 0 ? 'missing' : 'ok'}/${i}`, {
        headers: { connection: 'close' },
      });
      await res.arrayBuffer();
    }
    const stream = await openEvents(`${serve.adminUrl}/dashboard/events`);
    t.after(() => stream.close());
    assert.equal(stream.res.status, 200);
    assert.match(stream.res.headers.get('content-type') ?? '', /^text\/event-stream/);
    const first = await stream.next();
    assert.equal(first.retry, 2000, 'retry: tells EventSource how soon to reconnect');
    const tick = await waitForEvent<Tick>(stream.next, 'tick', (d) => {
      const root = d.routes.find((r) => r.route === '/');
      return (root?.codes['200'] ?? 0) + (root?.codes['404'] ?? 0) === 10;
    });
    assert.equal(tick.processes.length, 2, 'both workers answered the primary');
    assert.notEqual(tick.processes[0]?.pid, tick.processes[1]?.pid);
    for (const p of tick.processes) assert.ok(p.requests > 0, `worker ${p.pid} took some of the requests`);
    assert.equal(
      tick.processes.reduce((n, p) => n + p.requests, 0),
      10,
    );
    const root = tick.routes.find((r) => r.route === '/');
    assert.deepEqual(root?.codes, { 200: 8, 404: 2 });
    // Each worker has its own breaker per target: the target is listed once, with both workers' states.
    assert.deepEqual(root?.targets, [{ target: upstream.url, healthy: 2, states: { closed: 2 } }]);
    assert.equal(tick.errors.filter((e) => e.status === 404).length, 2);
    assert.ok(
      tick.errors.every((e) => e.side === 'client' && e.error_code === undefined),
      "the upstream's 404s, passed through",
    );
    const metrics = await (await fetch(`${serve.adminUrl}/metrics`)).text();
    assert.match(metrics, /statuskit_gateway_requests_total\{route="\/",code="200"\} 8/);
  });
});
