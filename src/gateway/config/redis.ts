/**
 * The Redis connection of a shared store (`rateLimit.redis`, `auth.replayRedis`):
 * one server, a Redis Cluster or a master behind Sentinel, read with the
 * core's ConfigReader so each problem names its field (file:line:col).
 */

import type { RedisTarget, SentinelTarget } from '../policies/limits/redis-connection.ts';
import type { FailurePolicy } from '../policies/limits/store.ts';
import { type ConfigPath, type ConfigReader, describe, type Obj } from './reader.ts';

/** A Redis connection of a shared store: one server (`url`), a Redis Cluster (`cluster`) or Sentinel (`sentinel`). */
export interface RedisConfig {
  /** One server; the default when neither cluster nor sentinel is given. */
  url: string;
  /** A Redis Cluster's node URLs (some or all). */
  cluster?: string[];
  /** A master found through Sentinel. */
  sentinel?: SentinelTarget;
  prefix: string;
  failure: FailurePolicy;
  /** ms */
  timeout: number;
}

/** The connection a store opens: cluster, else sentinel, else the single URL. */
export function redisTarget(c: RedisConfig): RedisTarget {
  if (c.cluster) return { cluster: c.cluster };
  if (c.sentinel) return { sentinel: c.sentinel };
  return { url: c.url };
}

function readRedisUrls(r: ConfigReader, o: Obj, key: string, path: ConfigPath): string[] | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  const urls = r.strings(o, key, path);
  if (urls?.length === 0) return r.fail([...path, key], 'must list at least one redis:// URL.');
  const bad = (urls ?? []).findIndex((u) => !/^rediss?:\/\/[^/]/.test(u));
  if (urls && bad >= 0) {
    const at = Array.isArray(o[key]) ? [...path, key, bad] : [...path, key];
    return r.fail(at, `must be a redis:// or rediss:// URL, got ${describe(urls[bad])}.`);
  }
  return urls;
}

function readSentinel(r: ConfigReader, v: unknown, path: ConfigPath): SentinelTarget | undefined {
  const o = r.object(v, path, ['name', 'sentinels', 'password', 'db']);
  if (!o) return undefined;
  const name = r.string(o, 'name', path);
  if (name === undefined && o.name === undefined)
    r.fail([...path, 'name'], 'is required: the master\'s name, as in "sentinel monitor NAME …".');
  const sentinels = readRedisUrls(r, o, 'sentinels', path);
  if (o.sentinels === undefined) r.fail([...path, 'sentinels'], "is required: the sentinels' redis:// URLs.");
  const password = r.string(o, 'password', path);
  const db = r.integer(o, 'db', path, 0, 0, 10_000);
  if (name === undefined || sentinels === undefined) return undefined;
  return { name, sentinels, ...(password ? { password } : {}), ...(db ? { db } : {}) };
}

export function readRedis(r: ConfigReader, v: unknown, path: ConfigPath, prefix: string): RedisConfig {
  const fields = ['url', 'cluster', 'sentinel', 'prefix', 'failure', 'timeout'];
  const o = v === undefined ? {} : (r.object(v, path, fields) ?? {});
  const given = ['url', 'cluster', 'sentinel'].filter((k) => o[k] !== undefined && o[k] !== null);
  if (given.length > 1) {
    r.fail([...path, given[1]!], `give one of url, cluster, sentinel, not ${given.join(' and ')}.`);
  }
  const url = r.string(o, 'url', path, 'redis://127.0.0.1:6379') ?? '';
  if (!/^rediss?:\/\//.test(url))
    r.fail([...path, 'url'], `must be a redis:// or rediss:// URL, got ${describe(url)}.`);
  const cluster = readRedisUrls(r, o, 'cluster', path);
  const sentinel =
    o.sentinel === undefined || o.sentinel === null ? undefined : readSentinel(r, o.sentinel, [...path, 'sentinel']);
  const keyPrefix = r.string(o, 'prefix', path, prefix) ?? '';
  // Redis Cluster specification, "Hash tags": braces in the prefix could tag every key alike, into one slot.
  if (/[{}]/.test(keyPrefix))
    r.fail(
      [...path, 'prefix'],
      `must not contain "{" or "}" (the key's hash tag is the store's), got ${describe(keyPrefix)}.`,
    );
  return {
    url,
    ...(cluster ? { cluster } : {}),
    ...(sentinel ? { sentinel } : {}),
    prefix: keyPrefix,
    failure: r.oneOf(o, 'failure', path, ['open', 'closed'] as const, 'open') ?? 'open',
    timeout: r.duration(o, 'timeout', path, 100, 1) ?? 0, // 100 ms
  };
}
