import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RedisReplayStore } from '../../../src/gateway/policies/auth/redis-replay.ts';
import { createAuthGuard } from '../../../src/gateway/policies/guards/auth.ts';
import { signRequest } from '../../../src/signing.ts';
import { startRedis } from '../../support/redis.ts';
import { send, serve } from '../limits/harness.ts';

const T0 = Date.UTC(2026, 0, 1, 12);

/** Waits for one event; unlike events.once, an 'error' meanwhile (ioredis reconnecting) does not reject. */
const next = (store: RedisReplayStore, event: string) =>
  new Promise<void>((resolve) => store.client.once(event, () => resolve()));
const AK = 'AKIDSHARED01';
const SK = 'shared-secret-key-0001';

function signedFor(port: number, path: string) {
  const headers = signRequest({
    method: 'GET',
    url: `http://127.0.0.1:${port}${path}`,
    accessKey: AK,
    secretKey: SK,
    date: new Date(T0),
  });
  return { path, headers };
}

describe('replays across gateway nodes (Redis)', () => {
  it('refuses at node B a signature first used at node A', async () => {
    const redis = await startRedis();
    const stores = [new RedisReplayStore({ url: redis.url }), new RedisReplayStore({ url: redis.url })];
    await Promise.all(stores.map((s) => s.ready()));
    const nodes = await Promise.all(
      stores.map((replay) =>
        serve([createAuthGuard({ accessKeys: [{ accessKey: AK, secretKey: SK }], replay, clock: () => T0 })], {
          profile: 'dis',
        }),
      ),
    );
    try {
      const [a, b] = nodes as [(typeof nodes)[0], (typeof nodes)[0]];
      // Both nodes see the same Host (the signature covers it), as behind one load balancer.
      const req = signedFor(a.port, '/items/1');
      const host = `127.0.0.1:${a.port}`;
      assert.equal((await send(a.port, { ...req, headers: { ...req.headers, Host: host } })).status, 200);
      const replayed = await send(b.port, { ...req, headers: { ...req.headers, Host: host } });
      assert.equal(replayed.status, 441);
      assert.equal(replayed.json().error_code, 'DIS.0441.REPLAY');
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
      await Promise.all(stores.map((s) => s.close()));
      await redis.stop();
    }
  });

  it('follows its failure policy when Redis dies: open accepts, closed answers 503 + Retry-After', async () => {
    const redis = await startRedis();
    const outcomes: string[] = [];
    const onFailure = (e: { outcome: string }) => outcomes.push(e.outcome);
    const open = new RedisReplayStore({ url: redis.url, failure: 'open', onFailure });
    const closed = new RedisReplayStore({ url: redis.url, failure: 'closed', onFailure });
    await Promise.all([open.ready(), closed.ready()]);
    const guard = (replay: RedisReplayStore) =>
      createAuthGuard({
        accessKeys: [{ accessKey: AK, secretKey: SK }],
        replay,
        clock: () => T0,
        unavailableRetryAfter: 2,
      });
    const a = await serve([guard(open)]);
    const b = await serve([guard(closed)]);
    try {
      const lost = Promise.all([next(open, 'close'), next(closed, 'close')]);
      await redis.kill();
      await lost;
      assert.equal((await send(a.port, signedFor(a.port, '/x'))).status, 200);
      const r = await send(b.port, signedFor(b.port, '/x'));
      assert.equal(r.status, 503);
      assert.equal(r.headers['retry-after'], '2');
      assert.equal(r.json().error_code, 'SVC.0503.REPLAY_STORE');
      assert.deepEqual(outcomes, ['allowed', 'refused']);
      assert.equal(open.failures + closed.failures, 2);
    } finally {
      await a.close();
      await b.close();
      await open.close();
      await closed.close();
    }
  });
});
