/** The Redis connection the shared stores use: fail fast while down, reconnect in the background. */
import type { RedisOptions } from 'ioredis';
import { onceConnected, openRedisClient, type RedisClient, type RedisTarget } from './redis-targets.ts';

export type { RedisClient, RedisTarget, SentinelTarget } from './redis-targets.ts';

/**
 * Commands are never queued while the connection is down (`enableOfflineQueue`
 * off, no retries per request), so a decision fails at once and the store's
 * failure policy applies; a command waits at most `commandTimeoutMs`.
 */
export function connectRedis(target: string | RedisTarget, commandTimeoutMs: number): RedisClient {
  const options: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: commandTimeoutMs,
    // Reconnect forever, backing off to 1 s between attempts.
    retryStrategy: (times) => Math.min(times * 50, 1000),
  };
  const client = openRedisClient(typeof target === 'string' ? { url: target } : target, options);
  // Connection errors surface as failed decisions; without a listener ioredis would print each one.
  client.on('error', () => {});
  return client;
}

/**
 * Until a client's first connection, a command waits for it (at most
 * `timeoutMs`) rather than failing: a gateway that just started is not
 * "Redis is down". Returns undefined once the client was ready once.
 */
export function firstConnectionGate(client: RedisClient, timeoutMs: number): () => Promise<void> | undefined {
  let first: Promise<void> | undefined = new Promise<void>((resolve) => onceConnected(client, resolve)).then(() => {
    first = undefined;
  });
  return () => {
    if (!first) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    return Promise.race([first, timeout]).finally(() => clearTimeout(timer));
  };
}

/**
 * Resolves once the client is connected; rejects at the first connection error
 * (ioredis keeps reconnecting in the background), so no caller waits on an
 * unreachable server.
 */
export function whenReady(client: RedisClient): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      client.off('error', failed);
      client.off('end', ended);
      if (err) reject(err);
      else resolve();
    };
    const ok = () => done();
    const failed = (err: Error) => done(new Error(`Redis is not reachable: ${err.message}`, { cause: err }));
    const ended = () => done(new Error('The Redis connection ended before it was ready.'));
    onceConnected(client, ok);
    client.once('error', failed);
    client.once('end', ended);
  });
}

/**
 * QUIT when possible, then drop what is left (with Sentinel's failover detector,
 * QUIT alone leaves sentinel connections open: ioredis 6.0.0, redis/ioredis#1362).
 */
export async function closeRedis(client: RedisClient): Promise<void> {
  try {
    await client.quit();
  } catch {
    // Not connected: nothing to say goodbye to.
  } finally {
    client.disconnect();
  }
}
