import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { parseConfigText } from '../../../src/gateway/config/file.ts';
import { ConfigError, ConfigReader, fieldName } from '../../../src/gateway/config/reader.ts';
import {
  createPolicies,
  MemoryStore,
  policyFamilies,
  RedisStore,
  readPolicies,
} from '../../../src/gateway/policies/index.ts';
import { manualClock, send, serve } from './harness.ts';

function read(value: unknown) {
  const r = new ConfigReader();
  const config = readPolicies(r, value);
  return { config, issues: r.issues.map((i) => `${fieldName(i.path)}: ${i.message}`) };
}

const FULL = {
  proxyAuth: { users: [{ user: 'ops', password: 'pw' }], protect: [{ path: '/admin/*' }] },
  auth: {
    skew: '5m',
    apiKeys: [
      {
        key: 'key-0001',
        id: 'svc',
        allow: [{ path: '/items/*', methods: ['get'] }],
        rate: { limit: 2, window: '10s' },
      },
    ],
    accessKeys: [{ accessKey: 'AK1', secretKey: 'sixteen-chars-long' }],
    protect: [{ path: '/items/*', schemes: ['api-key', 'signature'] }],
  },
  rateLimit: { limit: 5, window: '1m', key: 'principal' },
  shed: { maxInFlight: 100, retryAfter: '2s' },
  bodyBudget: { maxBytes: '1mb' },
};

describe('policies configuration', () => {
  it('reads a full section with defaults and units', () => {
    const { config, issues } = read(FULL);
    assert.deepEqual(issues, []);
    assert.equal(config.auth?.skew, 300_000);
    assert.equal(config.auth?.realm, 'statuskit');
    assert.deepEqual(config.auth?.apiKeys[0], {
      key: 'key-0001',
      id: 'svc',
      allow: [{ path: '/items/*', methods: ['GET'] }],
      rate: { name: 'default', limit: 2, window: 10 },
    });
    assert.deepEqual(config.rateLimit?.policy, { name: 'default', limit: 5, window: 60 });
    assert.equal(config.rateLimit?.store, 'memory');
    assert.deepEqual(config.shed, { maxInFlight: 100, retryAfter: 2 });
    assert.deepEqual(config.bodyBudget, { maxBytes: 1024 * 1024, retryAfter: 1, unknownLength: 65_536 });
    const redis = read({ rateLimit: { limit: 1, redis: { url: 'redis://10.0.0.1:6379', failure: 'closed' } } });
    assert.equal(redis.config.rateLimit?.store, 'redis');
    assert.equal(redis.config.rateLimit?.redis.failure, 'closed');
    const replay = read({ auth: { apiKeys: [{ key: 'k1', id: 'a' }], replayRedis: { url: 'redis://10.0.0.2:6379' } } });
    assert.deepEqual(replay.config.auth?.replayRedis, {
      url: 'redis://10.0.0.2:6379',
      prefix: 'statuskit:replay:',
      failure: 'open',
      timeout: 100,
    });
    assert.deepEqual(read({ auth: { apiKeys: [{ key: 'k1', id: 'a' }], replayRedis: { url: 'http://x' } } }).issues, [
      'policies.auth.replayRedis.url: must be a redis:// or rediss:// URL, got "http://x".',
    ]);
  });

  it('names every bad field', () => {
    const { issues } = read({
      rateLimit: { limit: 0, window: '1500ms', key: 'cookie', redis: { failure: 'maybe' } },
      shed: {},
      bodyBudget: { maxBytes: 'lots' },
      auth: {
        apiKeys: [{ key: 'k' }],
        accessKeys: [{ accessKey: 'AK', secretKey: 'short' }],
        protect: [{ path: 'x', schemes: ['cookie'] }],
      },
      proxyAuth: { users: [{ user: 'a:b', password: 'p' }] },
      limits: {},
    });
    const fields = issues.map((i) => i.slice(0, i.indexOf(':')));
    for (const f of [
      'policies.limits',
      'policies.rateLimit.limit',
      'policies.rateLimit.window',
      'policies.rateLimit.key',
      'policies.rateLimit.redis.failure',
      'policies.shed.maxInFlight',
      'policies.bodyBudget.maxBytes',
      'policies.auth.apiKeys[0].id',
      'policies.auth.accessKeys[0].secretKey',
      'policies.auth.protect[0].path',
      'policies.proxyAuth.users[0].user',
    ]) {
      assert.ok(fields.includes(f), `${f} missing from:\n${issues.join('\n')}`);
    }
  });

  it("lets the guards' own checks speak as field issues", () => {
    const { issues } = read({
      auth: {
        apiKeys: [
          { key: 'same-key', id: 'a' },
          { key: 'same-key', id: 'b' },
        ],
      },
    });
    assert.deepEqual(issues, ['policies.auth.apiKeys[1].key: the same key is listed twice.']);
    const schemes = read({
      auth: { apiKeys: [{ key: 'k1', id: 'a' }], protect: [{ path: '/x', schemes: ['signature'] }] },
    });
    assert.deepEqual(schemes.issues, ['policies.auth.protect[0].schemes: "signature" has no keys configured.']);
    const bad = read({ auth: { apiKeys: [{ key: 'not a key', id: 'a' }] } });
    assert.match(bad.issues[0] ?? '', /^policies\.auth\.apiKeys\[0\]\.key: letters, digits/);
  });

  it('builds guards in contract order and serves them', async () => {
    const clock = manualClock();
    const { config } = read(FULL);
    const policies = createPolicies(config, { clock });
    assert.equal(policies.guards.length, 5);
    assert.ok(policies.store instanceof MemoryStore);
    await policies.ready();
    const server = await serve(policies.guards);
    try {
      const key = { 'X-Api-Key': 'key-0001' };
      assert.equal((await send(server.port, { path: '/admin/x' })).status, 407);
      assert.equal((await send(server.port, { path: '/items/1' })).status, 401);
      const ok = await send(server.port, { path: '/items/1', headers: key });
      assert.equal(ok.status, 200);
      // The key's own policy (2 per 10 s) applies, not the default one.
      assert.equal(ok.headers['ratelimit-policy'], '"default";q=2;w=10');
      assert.equal((await send(server.port, { path: '/items/1', headers: key })).status, 200);
      assert.equal((await send(server.port, { path: '/items/1', headers: key })).status, 429);
      assert.equal((await send(server.port, { path: '/open' })).status, 200);
      assert.deepEqual(
        policyFamilies(policies.stats()).map((f) => f.name),
        [
          'statuskit_gateway_shed_in_flight',
          'statuskit_gateway_shed_total',
          'statuskit_gateway_body_budget_bytes',
          'statuskit_gateway_policy_store_failures_total',
          'statuskit_gateway_ratelimit_evictions_total',
          'statuskit_gateway_replay_cache_evictions_total',
          'statuskit_gateway_auth_failures_total',
          'statuskit_gateway_ratelimit_keys',
          'statuskit_gateway_replay_cache_entries',
        ],
      );
      const stats = policies.stats();
      assert.equal(stats.shed, 0);
      assert.equal(stats.rateKeys, 2);
    } finally {
      await server.close();
      await policies.close();
    }
    const withRedis = createPolicies(read({ rateLimit: { limit: 1, redis: { url: 'redis://127.0.0.1:1' } } }).config);
    assert.ok(withRedis.store instanceof RedisStore);
    await withRedis.close();
  });
});

describe('policies configuration: Redis Cluster and Sentinel', () => {
  const rl = (redis: unknown) => read({ rateLimit: { limit: 1, redis } });

  it('reads cluster: [urls] and sentinel: { name, sentinels } beside url, and builds the store for them', async () => {
    const cluster = rl({ cluster: ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000'], failure: 'closed' });
    assert.deepEqual(cluster.issues, []);
    assert.deepEqual(cluster.config.rateLimit?.redis.cluster, ['redis://10.0.0.1:7000', 'redis://10.0.0.2:7000']);
    assert.equal(cluster.config.rateLimit?.store, 'redis');
    const sentinel = rl({ sentinel: { name: 'main', sentinels: 'redis://10.0.0.3:26379', password: 'pw', db: 2 } });
    assert.deepEqual(sentinel.issues, []);
    assert.deepEqual(sentinel.config.rateLimit?.redis.sentinel, {
      name: 'main',
      sentinels: ['redis://10.0.0.3:26379'],
      password: 'pw',
      db: 2,
    });
    const replay = read({
      auth: { apiKeys: [{ key: 'k1', id: 'a' }], replayRedis: { cluster: 'redis://10.0.0.1:7000' } },
    });
    assert.deepEqual(replay.config.auth?.replayRedis?.cluster, ['redis://10.0.0.1:7000']);
    // The store opens a Cluster client for a cluster: section (on loopback, where nothing listens).
    const local = rl({ cluster: ['redis://127.0.0.1:1'] });
    const policies = createPolicies(local.config);
    try {
      assert.ok(policies.store instanceof RedisStore);
      assert.ok(policies.store.client instanceof Cluster);
    } finally {
      await policies.close();
    }
  });

  it('names every bad field of a cluster or sentinel section', () => {
    assert.deepEqual(rl({ url: 'redis://a:1', cluster: ['redis://b:1'] }).issues, [
      'policies.rateLimit.redis.cluster: give one of url, cluster, sentinel, not url and cluster.',
    ]);
    assert.deepEqual(rl({ cluster: [] }).issues, [
      'policies.rateLimit.redis.cluster: must list at least one redis:// URL.',
    ]);
    assert.deepEqual(rl({ cluster: ['redis://a:1', 'http://b:1'] }).issues, [
      'policies.rateLimit.redis.cluster[1]: must be a redis:// or rediss:// URL, got "http://b:1".',
    ]);
    assert.deepEqual(rl({ sentinel: { sentinels: ['redis://s:1'], nme: 'x' } }).issues, [
      'policies.rateLimit.redis.sentinel.nme: unknown field "nme". Did you mean "name"?',
      'policies.rateLimit.redis.sentinel.name: is required: the master\'s name, as in "sentinel monitor NAME …".',
    ]);
    assert.deepEqual(rl({ sentinel: { name: 'x' } }).issues, [
      "policies.rateLimit.redis.sentinel.sentinels: is required: the sentinels' redis:// URLs.",
    ]);
    assert.deepEqual(rl({ prefix: 'app{1}:' }).issues, [
      `policies.rateLimit.redis.prefix: must not contain "{" or "}" (the key's hash tag is the store's), got "app{1}:".`,
    ]);
  });

  it('reports them at their file, line and column', () => {
    const text = [
      'routes: [{ path: /, targets: http://a:1 }]',
      'policies:',
      '  rateLimit:',
      '    limit: 10',
      '    redis:',
      '      cluster:',
      '        - redis://127.0.0.1:7000',
      '        - 127.0.0.1:7001',
    ].join('\n');
    assert.throws(
      () => parseConfigText(text, 'gateway.yaml'),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(
          'gateway.yaml:8:11: policies.rateLimit.redis.cluster[1]: must be a redis:// or rediss:// URL, got "127.0.0.1:7001".',
        ),
    );
  });
});
