/**
 * A master of the Redis Cluster dies mid-run under three gateway processes
 * (fail-closed) and a fourth (fail-open): the failure policy answers while its
 * slots have no master, a replica is promoted, decisions resume with the state
 * the replica had, and no node crashes. The same for the replay cache.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { signRequest } from '../../src/signing.ts';
import { holds, keySlot, type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.ts';
import { refusalProblems, type Sent, spread, startNodes } from './cluster-nodes.ts';
import type { ServeProcess } from './process.ts';
import { startUpstream, type Upstream } from './support.ts';

const LIMIT = 30;
const AK = 'AKFAILOVER001';
const SK = 'failover-secret-key-01';
let signed = 0;

/** A fresh signed request (the signature covers Host and the path) and its replay-cache key. */
function sign(): { path: string; headers: Record<string, string>; key: string } {
  const path = `/signed/${signed++}`;
  const auth = signRequest({ method: 'GET', url: `http://api.example${path}`, accessKey: AK, secretKey: SK });
  const sig = /Signature=([0-9a-f]+)/.exec(auth.Authorization ?? '')?.[1];
  return { path, headers: { Host: 'api.example', ...auth }, key: `fo-replay:{${sig}}` };
}

describe('Redis Cluster failover under three gateway processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-failover-'));
  let cluster: RedisClusterHandle | undefined;
  let upstream: Upstream | undefined;
  const nodes: ServeProcess[] = [];
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await upstream?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fail-closed nodes answer 503 + Retry-After while the master is gone, fail-open lets through; after the failover the limit holds at exactly N', async () => {
    [cluster, upstream] = await Promise.all([
      startRedisCluster({ replicas: 1 }),
      startUpstream((_req, res) => res.end('ok')),
    ]);
    const seeds = `[${cluster.urls.join(', ')}]`;
    const config = (prefix: string, failure: string) => [
      'routes:',
      `  - { path: /, targets: [${upstream?.url}] }`,
      'policies:',
      '  auth:', // signatures on /signed/* only; one replay cache for all four nodes
      `    accessKeys: [{ accessKey: ${AK}, secretKey: ${SK} }]`,
      '    protect: [{ path: /signed/*, schemes: [signature] }]',
      `    replayRedis: { cluster: ${seeds}, prefix: "fo-replay:", failure: ${failure}, timeout: 2s }`,
      '  rateLimit:',
      `    limit: ${LIMIT}`,
      '    window: 86400s', // one day: no refill during the test
      '    key: principal', // /x: the client's IP; /signed/*: the access key, a count of its own
      '    unavailableRetryAfter: 2s',
      `    redis: { cluster: ${seeds}, prefix: "${prefix}", failure: ${failure}, timeout: 2s }`,
    ];
    // Same client key and hash tag, so the fail-open node's key is in the same slot: the same master.
    const [closed, open] = await Promise.all([
      startNodes(dir, 'closed', config('fo:', 'closed'), 3),
      startNodes(dir, 'open', config('fo-open:', 'open'), 1),
    ]);
    nodes.push(...closed, ...open);
    const all = [...closed, open[0]!];
    const signedRound = () =>
      spread(
        all,
        [0, 1, 2, 3].map((node) => ({ node, tag: 'signed', ...onDoomed() })),
        4,
      );
    const round = (n: number) =>
      spread(
        all,
        [0, 1, 2, 3].map((node) => ({ node, tag: `r${n}`, path: '/x' })),
        4,
      );

    // Before: every node admits, the closed nodes share one count.
    const before: Sent[] = [];
    for (let i = 0; i < 4; i++) before.push(...(await round(i)));
    assert.deepEqual(
      before.map((s) => s.reply.status),
      new Array(16).fill(200),
    );
    // One of four identical signed requests passes, whichever node gets it.
    const twin = sign();
    const twins = await spread(
      all,
      [0, 1, 2, 3].map((node) => ({ node, tag: 'twin', ...twin })),
      4,
    );
    assert.deepEqual(twins.map((t) => t.reply.status).sort(), [200, 401, 401, 401]);
    const master = await cluster.masterOf('fo:{default:ip:127.0.0.1}');
    // Signed requests whose used-signature key is on the master that will die, one per node and round.
    const doomed = (await cluster.nodes()).find((n) => n.port === master)!;
    const onDoomed = () => {
      for (;;) {
        const s = sign();
        if (holds(doomed, keySlot(s.key))) return s;
      }
    };
    await cluster.replicated(); // the replica has every decision so far: the failover loses none
    await cluster.kill(master);
    // During: rounds until the closed nodes refused and then answered from Redis again (bounded: 60 s).
    const during: Sent[] = [];
    const signedDuring: Sent[] = [];
    const started = Date.now();
    let refusedAt = -1;
    let backAt = -1;
    for (let i = 0; Date.now() - started < 60_000; i++) {
      const got = await round(100 + i);
      during.push(...got);
      const closedStatuses = got.filter((s) => s.node < 3).map((s) => s.reply.status);
      if (refusedAt < 0 && closedStatuses.includes(503)) refusedAt = i;
      if (refusedAt >= 0 && closedStatuses.every((s) => s !== 503)) backAt = i;
      if (backAt >= 0) break;
      // While the rate store fails, the replay cache (its keys on the same master) does too.
      if (refusedAt >= 0) signedDuring.push(...(await signedRound()));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(refusedAt >= 0, 'the closed nodes refused while the master was gone');
    assert.ok(backAt > refusedAt, 'and decided again after the failover');
    for (const s of during.filter((x) => x.reply.status === 503)) {
      assert.ok(s.node < 3, 'only the fail-closed nodes answer 503');
      assert.equal(s.reply.headers['retry-after'], '2');
      assert.equal(s.reply.json().error_code, 'SVC.0503.RATE_STORE');
    }
    const degraded = during.filter((s) => s.node === 3 && s.reply.status === 200 && !s.reply.headers.ratelimit);
    assert.ok(degraded.length > 0, 'the fail-open node let requests through, without a RateLimit count');
    // Replays: fail-closed nodes refuse (503, REPLAY_STORE) when the cache cannot answer, fail-open accepts.
    const replayRefused = signedDuring.filter((x) => x.reply.status === 503);
    assert.ok(replayRefused.length > 0, 'a fail-closed node refused a signed request while the master was gone');
    for (const x of replayRefused) {
      assert.ok(x.node < 3);
      assert.equal(x.reply.json().error_code, 'SVC.0503.REPLAY_STORE');
      assert.ok(x.reply.headers['retry-after']);
    }
    assert.ok(
      signedDuring.some((x) => x.node === 3 && x.reply.status === 200),
      'the fail-open node accepted one',
    );
    await cluster.healthy();
    // After the failover: again one of four identical signed requests passes.
    const after = onDoomed(); // its key is now on the promoted replica
    const afterTwins = await spread(
      all,
      [0, 1, 2, 3].map((node) => ({ node, tag: 'twin', ...after })),
      4,
    );
    assert.deepEqual(afterTwins.map((t) => t.reply.status).sort(), [200, 401, 401, 401]);
    assert.notEqual(await cluster.masterOf('fo:{default:ip:127.0.0.1}'), master, 'a replica was promoted');

    // After: the closed nodes' shared count went on from the replica's state: N admitted in total.
    const rest = await spread(
      closed,
      Array.from({ length: LIMIT }, (_, i) => ({ node: i % 3, tag: 'after', path: '/x' })),
      6,
    );
    const answers = [...before, ...during, ...rest].filter((s) => s.node < 3 && s.reply.status !== 503);
    const admitted = answers.filter((s) => s.reply.status === 200).length;
    assert.equal(admitted, LIMIT, `statuses: ${answers.map((s) => s.reply.status).join(' ')}`);
    const refused = answers.filter((s) => s.reply.status === 429);
    assert.ok(refused.length > 0);
    for (const s of refused) assert.deepEqual(refusalProblems(s.reply), []);
    // No crash: every node is up and says so.
    for (const n of nodes) {
      assert.equal(n.child.exitCode, null);
      assert.equal((await fetch(`${n.adminUrl}/healthz`)).status, 200);
    }
  });
});
