import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { parseConfigText } from '../../src/gateway/config/file.ts';
import { ConfigError } from '../../src/gateway/config/reader.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

type Health = 'ok' | 'fail' | 'hang' | 'reset';

describe('active health checks: a failing target leaves the rotation, a recovered one comes back', () => {
  const health: Record<'a' | 'b', Health> = { a: 'ok', b: 'ok' };
  const hanging: ServerResponse[] = [];
  let a: Upstream;
  let b: Upstream;
  let gateway: RunningGateway;

  const upstream = (name: 'a' | 'b') =>
    startUpstream((req, res) => {
      if (req.url !== '/base/healthz') {
        res.end(name);
        return;
      }
      const mode = health[name];
      if (mode === 'ok') res.end('ok');
      else if (mode === 'fail') {
        res.statusCode = 503;
        res.end('down');
      } else if (mode === 'hang') hanging.push(res);
      else req.socket.destroy();
    });

  before(async () => {
    a = await upstream('a');
    b = await upstream('b');
    gateway = await startGateway({
      routes: [
        {
          path: '/',
          targets: [`${a.url}/base`, `${b.url}/base`],
          healthCheck: { path: '/healthz', interval: '20ms', timeout: '200ms', unhealthyAfter: 2, healthyAfter: 2 },
        },
      ],
    });
  });
  after(async () => {
    for (const res of hanging) res.destroy();
    await gateway.close();
    await a.close();
    await b.close();
  });

  const get = () => rawExchange(gateway.port, 'GET /item HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
  const healthyIn = async (target: Upstream): Promise<string | undefined> => {
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('statuskit_gateway_target_healthy{') && l.includes(target.url));
    return line?.split(' ').pop();
  };
  const changes = (target: Upstream) =>
    gateway.logs.filter((l) => l.msg === 'upstream health changed' && String(l.target).startsWith(target.url));

  it('probes every target from the start: both take traffic, /metrics shows both healthy', async () => {
    await waitFor('both probed', () => a.seen.length > 0 && b.seen.length > 0);
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) bodies.add((await get()).body);
    assert.deepEqual([...bodies].sort(), ['a', 'b']);
    assert.equal(await healthyIn(a), '1');
    assert.equal(await healthyIn(b), '1');
    assert.equal(a.seen[0]?.headers['user-agent'], 'statuskit-health-check');
  });

  it('takes a target out after failed checks in a row; real requests all go to the other', async () => {
    health.b = 'fail';
    await waitFor('b out', async () => (await healthyIn(b)) === '0');
    const [change] = changes(b);
    assert.equal(change?.healthy, false);
    assert.match(String(change?.reason), /2 health checks failed in a row, the last: answered 503/);
    const before = b.seen.filter((s) => s.url === '/base/item').length;
    for (let i = 0; i < 6; i++) assert.equal((await get()).body, 'a');
    assert.equal(b.seen.filter((s) => s.url === '/base/item').length, before, 'b got no real request');
  });

  it('brings it back after passed checks in a row', async () => {
    health.b = 'ok';
    await waitFor('b back', async () => (await healthyIn(b)) === '1');
    assert.match(String(changes(b)[1]?.reason), /2 health checks passed in a row/);
    const bodies = new Set<string>();
    for (let i = 0; i < 4; i++) bodies.add((await get()).body);
    assert.deepEqual([...bodies].sort(), ['a', 'b']);
  });

  it('no target healthy (no answer in time, a reset): 503 + Retry-After NO_HEALTHY_TARGET, /readyz 503', async () => {
    health.a = 'hang';
    health.b = 'reset';
    await waitFor('both out', async () => (await healthyIn(a)) === '0' && (await healthyIn(b)) === '0');
    assert.match(String(changes(a)[0]?.reason), /no answer within 200 ms/);
    assert.match(String(changes(b)[2]?.reason), /2 health checks failed in a row, the last: other side closed/);
    const realRequests = () => a.seen.concat(b.seen).filter((s) => s.url === '/base/item').length;
    const real = realRequests();
    const res = await get();
    assert.equal(res.status, 503);
    assert.equal(res.headers['retry-after'], '1', 'the next check, in whole seconds (at least 1)');
    const body = JSON.parse(res.body) as { error_code: string; error_msg: string };
    assert.equal(body.error_code, 'SVC.0503.NO_HEALTHY_TARGET');
    assert.match(body.error_msg, /failing health checks/);
    assert.equal(realRequests(), real, 'the request never reached an upstream');
    const ready = await fetch(`${gateway.adminUrl}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as { error_msg: string }).error_msg, /failing health checks/);
  });

  it('probes are the gateway’s own: no access line, and the breaker is left to real traffic', async () => {
    health.a = 'ok';
    health.b = 'ok';
    await waitFor('both back', async () => (await healthyIn(a)) === '1' && (await healthyIn(b)) === '1');
    gateway.gw.flushLogs();
    assert.ok(gateway.logs.every((l) => l.msg !== 'request' || l.path !== '/healthz'));
    assert.equal((await get()).status, 200);
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.doesNotMatch(text, /statuskit_gateway_breaker_state\{[^}]*state="open"\} 1/);
  });
});

describe('healthCheck in the configuration file', () => {
  const issuesOf = (block: string) => {
    try {
      parseConfigText(`routes:\n  - path: /\n    targets: [http://127.0.0.1:3000]\n${block}`, 'gateway.yaml');
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`);
    }
    assert.fail('expected a ConfigError');
  };

  it('takes units and applies the defaults', () => {
    const config = parseConfigText(
      'routes:\n  - path: /\n    targets: [http://127.0.0.1:3000]\n    healthCheck: { path: /healthz?deep=1, interval: 10s }\n',
      'gateway.yaml',
    );
    assert.deepEqual(config.routes[0]?.healthCheck, {
      path: '/healthz?deep=1',
      interval: 10_000,
      timeout: 2_000,
      unhealthyAfter: 2,
      healthyAfter: 2,
    });
  });

  it('names the line and field of each mistake', () => {
    assert.deepEqual(issuesOf('    healthCheck: { interval: 5s }\n'), [
      '4: routes[0].healthCheck.path: is required: the path to probe, e.g. "/healthz".',
    ]);
    const issues = issuesOf('    healthCheck:\n      path: healthz\n      timout: 1s\n      healthyAfter: 0\n');
    assert.equal(issues.length, 3, issues.join('\n'));
    assert.match(issues[0] ?? '', /^5: routes\[0\]\.healthCheck\.path: must be a path starting with "\/"/);
    assert.match(
      issues[1] ?? '',
      /^6: routes\[0\]\.healthCheck\.timout: unknown field "timout"\. Did you mean "timeout"\?/,
    );
    assert.match(issues[2] ?? '', /^7: routes\[0\]\.healthCheck\.healthyAfter: must be a whole number from 1 to 1000/);
  });
});

describe('health checks under load', () => {
  const held: ServerResponse[] = [];
  let up: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    up = await startUpstream((req, res) => {
      if (req.url === '/slow') held.push(res);
      else res.end('ok');
    });
    gateway = await startGateway({
      routes: [
        {
          path: '/',
          targets: [up.url],
          connections: 1,
          // 2 s per probe: a busy machine must not time a probe out; a probe queued behind /slow still would.
          healthCheck: { path: '/healthz', interval: '10ms', timeout: '2s', unhealthyAfter: 1 },
        },
      ],
    });
  });
  after(async () => {
    for (const res of held) res.destroy();
    await gateway.close();
    await up.close();
  });

  it('probe on a connection of their own: a pool busy with a slow request does not fail them', async () => {
    const slow = rawExchange(gateway.port, 'GET /slow HTTP/1.1\r\nHost: h\r\n\r\n', completeByLength);
    await waitFor('the slow request holds the only pooled connection', () => held.length === 1);
    const probes = () => up.seen.filter((s) => s.url === '/healthz').length;
    const before = probes();
    await waitFor('five more probes answered', () => probes() >= before + 5);
    const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    assert.match(text, /statuskit_gateway_target_healthy\{route="\/",target="[^"]+"\} 1/);
    assert.ok(gateway.logs.every((l) => l.msg !== 'upstream health changed'));
    held[0]?.end('slow');
    assert.equal((await slow).body, 'slow');
  });
});
