import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, startServe } from './process.ts';
import { completeByLength, parseRaw, rawExchange, startUpstream } from './support.ts';

describe('statuskit serve as a process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-serve-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('with no arguments but ports: fronts the lab, answers a lab request through the gateway, admin answers', async (t) => {
    const serve = await startServe(['--port', '0', '--admin-port', '0']);
    t.after(() => serve.stop());
    assert.match(serve.stderr(), /in front of the lab/);
    assert.match(serve.stderr(), /curl -i http:\/\/127\.0\.0\.1:\d+\/streams\/example/);
    const res = await fetch(`${serve.url}/streams/example`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('via'), '1.1 statuskit');
    assert.equal(((await res.json()) as { name: string }).name, 'example');
    const status = await fetch(`${serve.url}/status/503`);
    assert.equal(status.status, 503);
    assert.equal((await fetch(`${serve.adminUrl}/healthz`)).status, 200);
    assert.equal((await fetch(`${serve.adminUrl}/readyz`)).status, 200);
    const metrics = await (await fetch(`${serve.adminUrl}/metrics`)).text();
    assert.match(metrics, /statuskit_gateway_requests_total\{route="\/",code="200"\} 1/);
    await serve.waitForLog('"path":"/streams/example"');
    const line = serve
      .stdout()
      .split('\n')
      .find((l) => l.includes('"path":"/streams/example"'));
    assert.equal((JSON.parse(line ?? '{}') as { status: number }).status, 200);
    serve.child.kill('SIGINT');
    assert.equal(await serve.exited, 0);
  });

  it('SIGTERM during in-flight requests: all answered in full, a new request on a kept-alive connection gets 503, exit 0', async (t) => {
    const held: ServerResponse[] = [];
    const upstream = await startUpstream((req, res) => {
      if (req.url === '/hold') held.push(res);
      else res.end('quick');
    });
    t.after(() => upstream.close());
    const serve = await startServe(['--upstream', upstream.url, '--port', '0', '--admin-port', '0']);
    t.after(() => serve.stop());
    const port = Number(new URL(serve.url).port);

    // Connection A: one held request in flight; a second will follow on it after SIGTERM.
    const a = connect(port, '127.0.0.1');
    let aText = '';
    a.on('data', (c) => (aText += c.toString('latin1')));
    const aClosed = new Promise((resolve) => a.on('close', resolve));
    a.write('GET /hold HTTP/1.1\r\nHost: h\r\n\r\n');
    const others = [1, 2, 3].map(() =>
      rawExchange(port, 'GET /hold HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength, 20_000),
    );
    while (held.length < 4) await new Promise((r) => setTimeout(r, 10));

    serve.child.kill('SIGTERM');
    await serve.waitForLog('"msg":"draining"');
    a.write('GET /quick HTTP/1.1\r\nHost: h\r\n\r\n');
    // Let the gateway take the new request before the held ones are answered.
    await new Promise((r) => setTimeout(r, 50));
    for (const res of held) res.end('finished in full');

    for (const res of await Promise.all(others)) {
      assert.equal(res.status, 200);
      assert.equal(res.body, 'finished in full');
    }
    await aClosed;
    const firstEnd = aText.indexOf('finished in full') + 'finished in full'.length;
    const first = parseRaw(aText.slice(0, firstEnd), false);
    assert.equal(first.status, 200);
    const second = parseRaw(aText.slice(firstEnd), true);
    assert.equal(second.status, 503);
    assert.equal(second.headers['retry-after'], '5');
    assert.equal(second.headers.connection, 'close');
    assert.equal((JSON.parse(second.body) as { error_code: string }).error_code, 'SVC.0503.DRAINING');
    assert.equal(await serve.exited, 0);
    assert.equal(upstream.seen.filter((s) => s.url === '/quick').length, 0, 'the refused request never went upstream');
  });

  it('a bad configuration file: exit 2, nothing started, the message names file, line and field', async () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      'routes:\n  - path: /api\n    targets: [http://127.0.0.1:1]\n    breaker: { failures: zero }\n',
    );
    const { code, stderr } = await runCli(['serve', '--config', file, '--port', '0', '--admin-port', '0']);
    assert.equal(code, 2);
    assert.match(
      stderr,
      new RegExp(`${file.replace(/[.]/g, '\\.')}:4:26: routes\\[0\\]\\.breaker\\.failures: must be a whole number`),
    );
    assert.doesNotMatch(stderr, /statuskit gateway on/);
  });

  it('bad flags: an --upstream that is not a URL, and a config with routes plus --upstream, exit 2', async () => {
    const bad = await runCli(['serve', '--upstream', 'localhost:3000', '--port', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--upstream must use http: or https:, got "localhost:"/);
    const relative = await runCli(['serve', '--upstream', '/api', '--port', '0']);
    assert.equal(relative.code, 2);
    assert.match(relative.stderr, /--upstream is not an absolute URL/);
    const file = join(dir, 'routes.yaml');
    writeFileSync(file, 'routes:\n  - { path: /, targets: [http://127.0.0.1:1] }\n');
    const both = await runCli(['serve', '--config', file, '--upstream', 'http://127.0.0.1:2']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /both say where requests go/);
  });
});
