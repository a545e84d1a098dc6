/**
 * The access line's fields (src/gateway/telemetry/access-log.ts): client, canonical
 * path without the query, route, status, bytes in and out, upstream and its
 * time, total time, user agent, request id, level by name.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

describe('access line fields', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => res.end('x'.repeat(1000)), 20));
    });
    gateway = await startGateway({ routes: [{ path: '/api', targets: [upstream.url] }] });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('names who asked what, through which route and upstream, how big and how long', async () => {
    const head =
      'POST /api/./items?secret=1 HTTP/1.1\r\nHost: gw\r\nUser-Agent: tester/1.0 "quoted"\r\nX-Request-Id: rid-1\r\nContent-Length: 500\r\n\r\n';
    const res = await rawExchange(gateway.port, head + 'b'.repeat(500), completeByLength);
    assert.equal(res.status, 200);
    const miss = await rawExchange(gateway.port, 'GET /nothing HTTP/1.1\r\nHost: gw\r\n\r\n', completeByLength);
    assert.equal(miss.status, 404);
    await waitFor('two access lines', () => gateway.logs.filter((l) => l.msg === 'request').length >= 2);
    const [line, missed] = gateway.logs.filter((l) => l.msg === 'request') as Record<string, unknown>[];
    assert.equal(line?.level, 'info');
    assert.equal(line?.request_id, 'rid-1');
    assert.equal(line?.client, '127.0.0.1');
    assert.equal(line?.method, 'POST');
    assert.equal(line?.path, '/api/items');
    assert.equal(line?.route, '/api');
    assert.equal(line?.status, 200);
    assert.equal(line?.bytes_in, Buffer.byteLength(head) + 500);
    assert.ok((line?.bytes_out as number) > 1000 && (line?.bytes_out as number) < 1400, String(line?.bytes_out));
    assert.equal(line?.upstream, upstream.url);
    assert.ok((line?.upstream_ms as number) > 0 && (line?.upstream_ms as number) <= (line?.duration_ms as number));
    assert.equal(line?.user_agent, 'tester/1.0 "quoted"');
    assert.equal(missed?.route, undefined);
    assert.equal(missed?.upstream_ms, undefined);
    assert.equal(missed?.status, 404);
    // Events name their level too.
    assert.ok(gateway.logs.filter((l) => l.msg !== 'request').every((l) => typeof l.level === 'string'));
  });
});
