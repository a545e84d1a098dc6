import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { merge, render } from '../../src/gateway/telemetry/prometheus.ts';
import { startServe } from './process.ts';
import { startUpstream } from './support.ts';

describe('--workers: processes sharing the port, one admin port with merged metrics', () => {
  it('answers through two workers, merges their counters on /metrics, and exits 0 on SIGTERM', async (t) => {
    const upstream = await startUpstream((_req, res) => res.end(String(process.pid)));
    t.after(() => upstream.close());
    const serve = await startServe(['--upstream', upstream.url, '--port', '0', '--admin-port', '0', '--workers', '2']);
    t.after(() => serve.stop());
    assert.match(serve.stderr(), /\(2 workers\)/);
    for (let i = 0; i < 6; i++)
      assert.equal((await fetch(`${serve.url}/n${i}`, { headers: { connection: 'close' } })).status, 200);
    const metrics = await (await fetch(`${serve.adminUrl}/metrics`)).text();
    // Counters add up across the workers; per-process gauges keep one sample per worker.
    assert.match(metrics, /statuskit_gateway_requests_total\{route="\/",code="200"\} 6/);
    assert.equal((metrics.match(/statuskit_gateway_draining\{worker="\d+"\} 0/g) ?? []).length, 2);
    // Process metrics are per process too: one resident set size per worker.
    assert.equal((metrics.match(/^process_resident_memory_bytes\{worker="\d+"\} \d+$/gm) ?? []).length, 2);
    assert.equal((await fetch(`${serve.adminUrl}/readyz`)).status, 200);
    serve.child.kill('SIGTERM');
    assert.equal(await serve.exited, 0);
  });
});

describe('merging metric families across processes', () => {
  it('sums counters and histograms, labels per-process gauges with the worker', () => {
    const family = (value: number) => [
      {
        name: 'c_total',
        help: 'a counter',
        type: 'counter' as const,
        samples: [{ suffix: '', labels: { code: '200' }, value }],
      },
      {
        name: 'g',
        help: 'a gauge',
        type: 'gauge' as const,
        perProcess: true,
        samples: [{ suffix: '', labels: {}, value }],
      },
    ];
    const text = render(
      merge([
        { worker: '1', families: family(2) },
        { worker: '2', families: family(5) },
      ]),
    );
    assert.equal(
      text,
      [
        '# HELP c_total a counter',
        '# TYPE c_total counter',
        'c_total{code="200"} 7',
        '# HELP g a gauge',
        '# TYPE g gauge',
        'g{worker="1"} 2',
        'g{worker="2"} 5',
        '',
      ].join('\n'),
    );
  });

  it('escapes label values as the text format requires', () => {
    const text = render([
      {
        name: 'x',
        help: 'line\\one\ntwo',
        type: 'gauge',
        samples: [{ suffix: '', labels: { path: 'a"b\\c\nd' }, value: 1 }],
      },
    ]);
    assert.equal(text, '# HELP x line\\\\one\\ntwo\n# TYPE x gauge\nx{path="a\\"b\\\\c\\nd"} 1\n');
  });
});
