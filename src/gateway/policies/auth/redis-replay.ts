import { checkPrefix } from '../limits/redis.ts';
import { closeRedis, connectRedis, type RedisClient, type RedisTarget, whenReady } from '../limits/redis-connection.ts';
import { downError, RedisHealth } from '../limits/redis-health.ts';
import { type FailurePolicy, type StoreFailureListener, StoreUnavailableError } from '../limits/store.ts';
import type { ReplayStore } from './replay.ts';

export interface RedisReplayOptions extends RedisTarget {
  /** One server, `redis://host:port/db` (or `cluster` / `sentinel`, as RedisStore). Ignored when `client` is given. @default "redis://127.0.0.1:6379" */
  url?: string | undefined;
  /** An ioredis client (Redis or Cluster) to use instead of opening one (e.g. RedisStore.client); the store then does not close it. */
  client?: RedisClient;
  /** How long one check may wait for Redis (ms) before it counts as a failure. @default 100 (100 ms) */
  commandTimeoutMs?: number;
  /** No `{` or `}`: the key's hash tag is the store's. @default "statuskit:replay:" */
  prefix?: string;
  /** Accept the signature (`open`) or refuse the request with 503 (`closed`) when Redis cannot answer. @default "open" */
  failure?: FailurePolicy;
  onFailure?: StoreFailureListener;
}

/**
 * Used signatures in Redis, so that a request captured at one gateway node
 * cannot be replayed at another. One command per signature: SET key NX PX —
 * atomic, and the key leaves exactly when the signature's date leaves the window.
 */
export class RedisReplayStore implements ReplayStore {
  readonly kind = 'redis';
  readonly prefix: string;
  readonly failure: FailurePolicy;
  failures = 0;
  readonly client: RedisClient;
  readonly #owned: boolean;
  readonly #onFailure: StoreFailureListener | undefined;
  /** Up, down (fail fast) or not yet tried (see ../limits/redis-health.ts). */
  readonly health: RedisHealth;

  constructor(options: RedisReplayOptions = {}) {
    // Every check before the connection opens: a refused option leaves no client behind.
    this.prefix = checkPrefix(options.prefix ?? 'statuskit:replay:');
    this.failure = options.failure ?? 'open';
    this.#onFailure = options.onFailure;
    if (this.failure !== 'open' && this.failure !== 'closed') throw new TypeError('failure: "open" or "closed".');
    const timeout = options.commandTimeoutMs ?? 100; // 100 ms
    this.#owned = options.client === undefined;
    this.client = options.client ?? connectRedis(options, timeout);
    this.health = new RedisHealth(this.client, timeout);
  }

  ready(): Promise<void> {
    return whenReady(this.client);
  }

  async seen(signature: string, expiresAt: number, nowMs: number): Promise<boolean> {
    const ttl = Math.max(1, Math.ceil(expiresAt - nowMs));
    const first = this.health.settled();
    if (first) await first;
    try {
      // Known down: fail at once (the catch applies the failure policy), no command waits out the timeout.
      if (this.health.down) throw downError(this.health);
      // NX: set only when absent; a null reply means the signature was already there.
      // The signature is the hash tag: used signatures spread over the cluster's slots.
      return (await this.client.set(`${this.prefix}{${signature}}`, '1', 'PX', ttl, 'NX')) === null;
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      this.failures++;
      const outcome = this.failure === 'open' ? 'allowed' : 'refused';
      this.#onFailure?.({ store: 'redis-replay', error, outcome });
      if (outcome === 'refused')
        throw new StoreUnavailableError(`Replay store unavailable: ${error.message}`, { cause: error });
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.#owned) await closeRedis(this.client);
  }
}
