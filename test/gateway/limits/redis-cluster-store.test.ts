/**
 * The Redis store on a real Redis Cluster (redirects while a slot moves) and
 * behind a real Sentinel (failover), in process.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { RedisReplayStore } from '../../../src/gateway/policies/auth/redis-replay.ts';
import { compilePolicy } from '../../../src/gateway/policies/limits/gcra.ts';
import { RedisStore } from '../../../src/gateway/policies/limits/redis.ts';
import { StoreUnavailableError } from '../../../src/gateway/policies/limits/store.ts';
import { type RedisClusterHandle, startRedisCluster } from '../../support/redis-cluster.ts';
import { startSentinel } from '../../support/redis-sentinel.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('Redis store on a Redis Cluster', () => {
  let cluster: RedisClusterHandle;
  before(async () => {
    cluster = await startRedisCluster();
  });
  after(() => cluster.stop());

  it('follows ASK and MOVED while the slot of a limit moves to another master: the count carries on', async () => {
    // One seed: the client learns the other masters from the cluster.
    const store = new RedisStore({ cluster: [cluster.urls[0]!], prefix: 'mv:', clock: 'caller', failure: 'closed' });
    await store.ready();
    const policy = compilePolicy({ limit: 5, window: 60 });
    const take = async () => (await store.take('k', policy, T0)).allowed;
    try {
      const key = 'mv:{default:k}';
      const slot = await cluster.cli(cluster.ports[0]!, 'CLUSTER', 'KEYSLOT', key);
      const nodes = await cluster.nodes();
      const from = await cluster.masterOf(key);
      const to = nodes.find((n) => n.role === 'master' && n.port !== from)!;
      const fromId = nodes.find((n) => n.port === from)!.id;
      assert.deepEqual([await take(), await take()], [true, true]);

      // Resharding one slot (CLUSTER SETSLOT … IMPORTING / MIGRATING, then MIGRATE the key).
      await cluster.cli(to.port, 'CLUSTER', 'SETSLOT', slot, 'IMPORTING', fromId);
      await cluster.cli(from, 'CLUSTER', 'SETSLOT', slot, 'MIGRATING', to.id);
      assert.equal(await take(), true, 'the key is still at the source: served there');
      assert.equal(
        await cluster.cli(from, 'MIGRATE', '127.0.0.1', String(to.port), '', '0', '5000', 'KEYS', key),
        'OK',
      );
      // The source answers ASK (its slot is migrating, the key is gone); the client asks the target.
      assert.equal(await take(), true, 'decided at the target after ASK');
      assert.equal(await cluster.cli(to.port, 'CLUSTER', 'COUNTKEYSINSLOT', slot), '1');
      assert.equal(await cluster.cli(from, 'CLUSTER', 'COUNTKEYSINSLOT', slot), '0');

      // The slot now belongs to the target: the client's map is stale, the source answers MOVED.
      for (const n of nodes.filter((x) => x.role === 'master'))
        await cluster.cli(n.port, 'CLUSTER', 'SETSLOT', slot, 'NODE', to.id);
      assert.deepEqual([await take(), await take()], [true, false], 'the 5th after MOVED, then the limit');
      assert.equal(await cluster.masterOf(key), to.port);
      assert.equal(store.failures, 0, 'no decision failed while the slot moved');
    } finally {
      await store.close();
    }
  });

  it('writes hash-tagged keys; a prefix with braces, or two kinds of target, is refused', async () => {
    const store = new RedisStore({ cluster: cluster.urls, prefix: 'tag:', clock: 'caller' });
    const replay = new RedisReplayStore({ cluster: cluster.urls, prefix: 'tag-replay:' });
    try {
      await Promise.all([store.ready(), replay.ready()]);
      await store.take('client a', compilePolicy({ name: 'p1', limit: 1, window: 60 }), T0);
      assert.equal(await replay.seen('ab'.repeat(32), T0 + 60_000, T0), false);
      assert.equal(await replay.seen('ab'.repeat(32), T0 + 60_000, T0), true);
      assert.deepEqual([...(await cluster.keysByMaster('tag:*')).values()].flat(), ['tag:{p1:client a}']);
      assert.deepEqual([...(await cluster.keysByMaster('tag-replay:*')).values()].flat(), [
        `tag-replay:{${'ab'.repeat(32)}}`,
      ]);
    } finally {
      await store.close();
      await replay.close();
    }
    assert.throws(() => new RedisStore({ cluster: cluster.urls, prefix: 'a{b}:' }), /prefix: must not contain "\{"/);
    assert.throws(() => new RedisReplayStore({ url: cluster.urls[0], prefix: '}' }), /prefix: must not contain/);
    assert.throws(
      () => new RedisStore({ url: cluster.urls[0], cluster: cluster.urls }),
      /cluster: give one of url, cluster, sentinel, not url and cluster/,
    );
  });
});

describe('Redis store behind Sentinel', () => {
  it('decides through the master the sentinel names; after a failover, on the promoted replica, with its state', async () => {
    const setup = await startSentinel('statuskit');
    const failures: string[] = [];
    const store = new RedisStore({
      sentinel: { name: setup.name, sentinels: [setup.sentinelUrl] },
      prefix: 'sen:',
      failure: 'closed',
      commandTimeoutMs: 5000, // 5 s: room for WAIT below
      clock: 'caller',
      onFailure: (e) => failures.push(e.error.message),
    });
    try {
      await store.ready();
      const policy = compilePolicy({ limit: 4, window: 60 });
      const take = () => store.take('k', policy, T0);
      assert.deepEqual([(await take()).allowed, (await take()).allowed], [true, true]);
      // WAIT 1: the replica has both decisions, so the failover loses none.
      assert.equal(await store.client.call('WAIT', '1', '2000'), 1);
      await setup.master.kill();
      // Bounded: the sentinel needs 500 ms to call the master down, then promotes the replica.
      let allowed: boolean | undefined;
      const started = Date.now();
      while (allowed === undefined && Date.now() - started < 30_000) {
        try {
          allowed = (await take()).allowed;
        } catch (err) {
          assert.ok(err instanceof StoreUnavailableError, String(err));
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.ok(failures.length > 0, 'decisions failed (closed) while there was no master');
      assert.equal(await setup.masterPort(), setup.replica.port, 'the sentinel promoted the replica');
      assert.equal(allowed, true, `the 3rd; failures: ${[...new Set(failures)].join(' | ')}`);
      assert.deepEqual([(await take()).allowed, (await take()).allowed], [true, false], 'the state survived');
    } finally {
      await store.close();
      await setup.stop();
    }
  });
});
