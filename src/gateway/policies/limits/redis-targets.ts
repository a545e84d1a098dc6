/**
 * The three shapes of a shared store's Redis — one server, a Redis Cluster,
 * a master watched by Sentinel — opened as one ioredis client each.
 */
import { Cluster, type ClusterOptions, Redis, type RedisOptions } from 'ioredis';

/** One server, a Redis Cluster, or a master found through Sentinel: all answer the same commands. */
export type RedisClient = Redis | Cluster;

/** Where a shared store's Redis is. Give exactly one of `url`, `cluster`, `sentinel`. */
export interface RedisTarget {
  /** One server: `redis://[user:password@]host:port/db` or `rediss://…`. */
  url?: string | undefined;
  /** A Redis Cluster: some of its nodes' URLs (the client learns the rest from CLUSTER SLOTS). */
  cluster?: readonly string[] | undefined;
  /** A master watched by Sentinel: the failover follows the sentinels' answer. */
  sentinel?: SentinelTarget | undefined;
}

export interface SentinelTarget {
  /** The master's name in the sentinels' configuration (`sentinel monitor NAME …`). */
  name: string;
  /** The sentinels' URLs, `redis://[:password@]host:port`. */
  sentinels: readonly string[];
  /** The master's password, when it has one. */
  password?: string | undefined;
  /** @default 0 */
  db?: number | undefined;
}

/** Checks that exactly one kind of target is given; the message starts with the field, for the config reader. */
export function checkTarget(target: RedisTarget): void {
  const given = (['url', 'cluster', 'sentinel'] as const).filter((k) => target[k] !== undefined);
  if (given.length > 1)
    throw new TypeError(`${given[1]}: give one of url, cluster, sentinel, not ${given.join(' and ')}.`);
  if (target.cluster?.length === 0) throw new TypeError('cluster: list at least one node URL.');
  if (target.sentinel && (target.sentinel.sentinels.length === 0 || !target.sentinel.name))
    throw new TypeError('sentinel: needs name and at least one sentinel URL.');
}

/** host, port and credentials of a redis:// URL. */
function address(url: string): { host: string; port: number; username?: string; password?: string; tls: boolean } {
  const u = new URL(url);
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: Number(u.port || 6379),
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/**
 * A Redis Cluster client. Keys carry a hash tag (`{…}`), so each limit's
 * state is one key in one slot and every decision is one single-slot command.
 * ioredis follows MOVED (and refreshes its slot map) and ASK (a slot being
 * migrated) by itself. A command for a master that is down is not retried
 * (`retryDelayOnFailover: 0`, `retryDelayOnClusterDown: 0`): it fails at once
 * and the failure policy decides; once a replica is promoted, the next command
 * meets a MOVED to it (or the slot refresh finds it) and decisions resume.
 */
function connectCluster(nodes: readonly string[], node: RedisOptions): Cluster {
  const seeds = nodes.map(address);
  const auth = seeds.find((s) => s.password !== undefined);
  const { retryStrategy, enableOfflineQueue, ...perNode } = node;
  const options: ClusterOptions = {
    enableOfflineQueue: false,
    retryDelayOnFailover: 0,
    retryDelayOnClusterDown: 0,
    slotsRefreshInterval: 1000, // 1 s: a promoted replica is found even without a MOVED
    clusterRetryStrategy: (times) => Math.min(times * 50, 1000),
    redisOptions: {
      ...perNode,
      ...(auth?.username ? { username: auth.username } : {}),
      ...(auth?.password ? { password: auth.password } : {}),
      ...(seeds.some((s) => s.tls) ? { tls: {} } : {}),
    },
  };
  const cluster = new Cluster(
    seeds.map(({ host, port }) => ({ host, port })),
    options,
  );
  // ioredis opens a node's connection at its first command and, with the offline queue
  // off, refuses the commands that come while it is opening: open each one as soon as
  // the slot map names it instead, so a burst after start-up or a failover is not refused.
  cluster.on('+node', (node: Redis) => {
    if (node.status === 'wait') node.connect().catch(() => {});
  });
  return cluster;
}

/**
 * Calls `done` once the client can take commands: a server's connection is
 * ready; a cluster has its slot map and a connection to each master (or knows
 * that master is gone, whose slots then fail by the failure policy).
 */
export function onceConnected(client: RedisClient, done: () => void): void {
  const ready = () => {
    if (!(client instanceof Cluster)) return done();
    const masters = client.nodes('master').filter((n) => n.status !== 'ready' && n.status !== 'end');
    let left = masters.length;
    if (left === 0) return done();
    const one = () => {
      if (--left === 0) done();
    };
    for (const n of masters) {
      const settle = () => {
        n.off('ready', settle);
        n.off('end', settle);
        one();
      };
      n.once('ready', settle);
      n.once('end', settle);
    }
  };
  if (client.status === 'ready') ready();
  else client.once('ready', ready);
}

/** A master found through Sentinel; after a failover the client reconnects to the master the sentinels name. */
function connectSentinel(s: SentinelTarget, node: RedisOptions): Redis {
  const sentinels = s.sentinels.map(address);
  const auth = sentinels.find((x) => x.password !== undefined);
  return new Redis({
    ...node,
    name: s.name,
    sentinels: sentinels.map(({ host, port }) => ({ host, port })),
    // No failoverDetector: in ioredis 6.0.0 its +switch-master handler disconnects the connector
    // even while the client is reconnecting, which ends the client for good (seen in the
    // Sentinel test). A dead master drops the connection, and a demoted one answers READONLY:
    // either way the client asks the sentinels again.
    // A demoted master answers writes with READONLY: reconnect, and the sentinels name the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
    sentinelCommandTimeout: node.commandTimeout ?? 100, // 100 ms
    ...(auth?.password ? { sentinelPassword: auth.password } : {}),
    ...(auth?.username ? { sentinelUsername: auth.username } : {}),
    ...(s.password ? { password: s.password } : {}),
    ...(s.db ? { db: s.db } : {}),
  });
}

/** Opens the client for `target` with the per-connection `options` (timeouts, no offline queue). */
export function openRedisClient(target: RedisTarget, options: RedisOptions): RedisClient {
  checkTarget(target);
  if (target.cluster) return connectCluster(target.cluster, options);
  if (target.sentinel) return connectSentinel(target.sentinel, options);
  return new Redis(target.url ?? 'redis://127.0.0.1:6379', options);
}
