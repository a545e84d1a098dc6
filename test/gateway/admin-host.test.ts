/**
 * DNS rebinding against the admin port (src/gateway/telemetry/admin.ts): bound to
 * loopback, it answers only requests addressed to a loopback name; a page
 * that rebinds its own name to 127.0.0.1 still sends `Host: its.name` and
 * gets 403, never the metrics or the dashboard.
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
} from './support.ts';

describe('the admin port on loopback answers only requests addressed to loopback', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  let port: number;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({ routes: [{ path: '/', targets: [upstream.url] }] });
    port = Number(new URL(gateway.adminUrl as string).port);
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });
  const get = (path: string, host: string) =>
    rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: ${host}\r\n\r\n`, completeByLength);

  it('403 with the error body for another name, on every admin path', async () => {
    for (const path of ['/metrics', '/readyz', '/healthz', '/', '/dashboard', '/dashboard/events']) {
      for (const host of ['evil.example', `evil.example:${port}`, 'localhost.evil.example', '10.0.0.1']) {
        const res = await get(path, host);
        assert.equal(res.status, 403, `${path} ${host}`);
        assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'SVC.0403.ADMIN_HOST');
        assert.ok(!res.body.includes('statuskit_gateway'), 'no metrics in the refusal');
      }
    }
  });

  it('answers loopback names as before', async () => {
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'LOCALHOST',
      `[::1]:${port}`,
      '127.1.2.3',
      'app.localhost',
    ]) {
      const res = await get('/metrics', host);
      assert.equal(res.status, 200, host);
      assert.match(res.body, /statuskit_gateway_requests_total|# TYPE/);
    }
  });
});
