/**
 * Encoded slashes on gateway routes (src/gateway/proxy/paths.ts escapedSlashesFor):
 * refused by default wherever a path rule decides (protect, a rate limit's
 * routes), a prefix is stripped or a target has a base path, so an upstream
 * that decodes %2F never serves a path the rule did not see; kept elsewhere.
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

describe('encoded slashes on gateway routes', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
    gateway = await startGateway({
      routes: [
        { path: '/api', targets: [upstream.url] },
        { path: '/open', targets: [upstream.url] },
        { path: '/kept', targets: [upstream.url], escapedSlashes: 'keep' },
        { path: '/decoded', targets: [upstream.url], escapedSlashes: 'decode' },
        { path: '/strip', targets: [upstream.url], stripPrefix: true },
        { path: '/based', targets: [`${upstream.url}/v1`] },
      ],
      policies: {
        rateLimit: {
          limits: [
            { name: 'items', limit: 1, window: '60s', routes: [{ path: '/api/items/*' }, { path: '/kept/items/*' }] },
          ],
          key: 'ip',
        },
      },
    });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });
  const get = (target: string) =>
    rawExchange(gateway.port, `GET ${target} HTTP/1.1\r\nHost: gw\r\n\r\n`, completeByLength);

  it('refuses them where a rule, a stripped prefix or a base path makes the reading matter', async () => {
    for (const target of ['/api/items%2Fx', '/api/items%5cx', '/strip/a%2Fb', '/based/a%2Fb']) {
      const res = await get(target);
      assert.equal(res.status, 400, target);
      assert.equal((JSON.parse(res.body) as { error_code: string }).error_code, 'SVC.0400');
    }
    // The limit itself still holds on the plain spelling.
    assert.equal((await get('/api/items/a')).status, 200);
    assert.equal((await get('/api/items/b')).status, 429);
  });

  it('keeps them where nothing decides on the path, or where the route says keep', async () => {
    const before = upstream.seen.length;
    assert.equal((await get('/open/a%2fb')).status, 200);
    assert.equal((await get('/kept/a%2Fb')).status, 200);
    assert.deepEqual(
      upstream.seen.slice(before).map((s) => s.url),
      ['/open/a%2Fb', '/kept/a%2Fb'],
    );
  });

  it('decodes them and routes again where the route says decode', async () => {
    const before = upstream.seen.length;
    assert.equal((await get('/decoded/a%2Fb')).status, 200);
    assert.equal(upstream.seen[before]?.url, '/decoded/a/b');
  });
});
