/**
 * Many gateway nodes, one limit: three `statuskit serve` processes whose rate
 * limits and replay cache live in a real 3-master Redis Cluster.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signRequest } from '../../src/signing.ts';
import { type RedisClusterHandle, startRedisCluster } from '../support/redis-cluster.ts';
import { refusalProblems, spread, startNodes } from './cluster-nodes.ts';
import type { ServeProcess } from './process.ts';
import { startUpstream, type Upstream } from './support.ts';

const LIMIT = 20;
const CLIENTS = 12;
const AK = 'AKCLUSTER0001';
const SK = 'cluster-secret-key-0001';

describe('three gateway processes, one Redis Cluster (3 masters)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-cluster-gw-'));
  let cluster: RedisClusterHandle;
  let upstream: Upstream;
  let nodes: ServeProcess[] = [];
  const prefix = `cl-${process.pid}:`;

  before(async () => {
    [cluster, upstream] = await Promise.all([startRedisCluster(), startUpstream((_req, res) => res.end('ok'))]);
    const seeds = `[${cluster.urls.slice(0, 2).join(', ')}]`; // two seeds: the client finds the third
    nodes = await startNodes(
      dir,
      'cluster',
      [
        'profile: dis',
        'routes:',
        `  - { path: /, targets: [${upstream.url}] }`,
        'policies:',
        '  auth:',
        '    apiKeys:',
        ...Array.from({ length: CLIENTS }, (_, i) => `      - { key: client-key-${i}, id: client-${i} }`),
        `    accessKeys: [{ accessKey: ${AK}, secretKey: ${SK} }]`,
        `    replayRedis: { cluster: ${seeds}, prefix: "${prefix}replay:", failure: closed, timeout: 2s }`,
        // The replays below fail authentication on purpose, more often than the per-address failure limit allows.
        '    failureLimit: false',
        '  rateLimit:',
        `    limit: ${LIMIT}`,
        '    window: 86400s', // one day: no refill during the test, so "N in total" is exact
        '    key: principal',
        `    redis: { cluster: ${seeds}, prefix: "${prefix}rl:", failure: closed, timeout: 2s }`,
      ],
      3,
    );
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await upstream?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`admits exactly ${LIMIT} per client in total, whichever node gets the requests; every refusal is 429 + Retry-After + RateLimit`, async () => {
    const PER_CLIENT = 40;
    const plan = Array.from({ length: CLIENTS * PER_CLIENT }, (_, i) => ({
      node: i % 3,
      tag: `client-${i % CLIENTS}`,
      path: `/items/${i}`,
      headers: { 'X-Api-Key': `client-key-${i % CLIENTS}` },
    }));
    const seen = upstream.seen.length;
    const answers = await spread(nodes, plan, 16);
    for (let c = 0; c < CLIENTS; c++) {
      const mine = answers.filter((a) => a.tag === `client-${c}`);
      const statuses = mine.map((a) => a.reply.status);
      assert.equal(statuses.filter((s) => s === 200).length, LIMIT, `client-${c}: ${statuses.join(' ')}`);
      assert.equal(statuses.filter((s) => s === 429).length, PER_CLIENT - LIMIT);
    }
    for (const a of answers.filter((x) => x.reply.status === 429)) assert.deepEqual(refusalProblems(a.reply), []);
    assert.equal(upstream.seen.length - seen, CLIENTS * LIMIT, 'only admitted requests reach the upstream');
    // Every node admitted some: the count is shared, not per node.
    for (const n of [0, 1, 2])
      assert.ok(
        answers.some((a) => a.node === n && a.reply.status === 200),
        `node ${n}`,
      );
    // One key per client, hash-tagged, each in one slot; the clients spread over the masters.
    const byMaster = await cluster.keysByMaster(`${prefix}rl:*`);
    const keys = [...byMaster.values()].flat();
    assert.equal(keys.length, CLIENTS);
    for (const k of keys) assert.match(k, new RegExp(`^${prefix}rl:\\{default:api-key:client-\\d+\\}$`));
    assert.ok([...byMaster.values()].filter((ks) => ks.length > 0).length >= 2, 'keys on at least two masters');
  });

  it('lets one of many identical signed requests through, whichever node gets it', async () => {
    const COPIES = 6;
    const plan = Array.from({ length: 10 }, (_, r) => {
      // The signature covers Host: every node sees the same one, as behind one load balancer.
      const headers = {
        Host: 'api.example',
        ...signRequest({ method: 'GET', url: `http://api.example/signed/${r}`, accessKey: AK, secretKey: SK }),
      };
      return Array.from({ length: COPIES }, (_, c) => ({
        node: c % 3,
        tag: `req-${r}`,
        path: `/signed/${r}`,
        headers,
      }));
    }).flat();
    const answers = await spread(nodes, plan, 12);
    for (let r = 0; r < 10; r++) {
      const mine = answers.filter((a) => a.tag === `req-${r}`);
      const statuses = mine.map((a) => a.reply.status).sort();
      assert.deepEqual(statuses, [200, 441, 441, 441, 441, 441], `req-${r}`);
      for (const a of mine.filter((x) => x.reply.status === 441))
        assert.equal(a.reply.json().error_code, 'DIS.0441.REPLAY');
    }
    const used = [...(await cluster.keysByMaster(`${prefix}replay:*`)).values()].flat();
    assert.equal(used.length, 10);
    for (const k of used) assert.match(k, new RegExp(`^${prefix}replay:\\{[0-9a-f]{64}\\}$`));
  });
});
