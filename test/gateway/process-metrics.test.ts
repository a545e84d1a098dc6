/**
 * Process metrics on /metrics (src/gateway/telemetry/process-metrics.ts), by the names
 * prom-client's collectDefaultMetrics gives them, with values that mean what
 * those names say.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningGateway, startGateway, startUpstream, type Upstream } from './support.ts';

const value = (text: string, name: string, labels = ''): number => {
  const m = new RegExp(`^${name}${labels.replace(/[{}]/g, '\\$&')}\\s+(\\S+)$`, 'm').exec(text);
  assert.ok(m, `${name}${labels} is missing`);
  return Number(m[1]);
};

describe('process metrics', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({ routes: [{ path: '/', targets: [upstream.url] }] });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('exposes the collectDefaultMetrics set with plausible values', async () => {
    for (let i = 0; i < 20; i++) await (await fetch(`${gateway.url}/x`)).text();
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_cpu_system_seconds_total',
      'process_cpu_seconds_total',
      'process_start_time_seconds',
      'process_resident_memory_bytes',
      'process_virtual_memory_bytes',
      'process_heap_bytes',
      'process_open_fds',
      'process_max_fds',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_active_resources_total',
      'nodejs_heap_size_total_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_external_memory_bytes',
    ]) {
      assert.match(text, new RegExp(`^# TYPE ${name} (counter|gauge)$`, 'm'), name);
      assert.ok(Number.isFinite(value(text, name)), name);
    }
    assert.ok(value(text, 'process_cpu_seconds_total') > 0);
    assert.ok(
      Math.abs(
        value(text, 'process_cpu_seconds_total') -
          value(text, 'process_cpu_user_seconds_total') -
          value(text, 'process_cpu_system_seconds_total'),
      ) < 1e-6,
    );
    assert.ok(value(text, 'process_resident_memory_bytes') > 10 * 1024 * 1024);
    assert.ok(value(text, 'process_open_fds') > 2 && value(text, 'process_open_fds') < value(text, 'process_max_fds'));
    const start = value(text, 'process_start_time_seconds');
    assert.ok(start <= Date.now() / 1000 && start > Date.now() / 1000 - 3600);
    assert.ok(value(text, 'nodejs_heap_size_used_bytes') <= value(text, 'nodejs_heap_size_total_bytes'));
    assert.match(text, /^nodejs_heap_space_size_used_bytes\{space="old"\} \d+$/m);
    assert.match(
      text,
      new RegExp(
        `^nodejs_version_info\\{version="${process.version}",major="\\d+",minor="\\d+",patch="\\d+"\\} 1$`,
        'm',
      ),
    );
    assert.match(text, /^# TYPE nodejs_gc_duration_seconds histogram$/m);
    assert.match(text, /^nodejs_active_resources\{type="TCPServerWrap"\} \d+$/m);
  });
});
