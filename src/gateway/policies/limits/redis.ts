import { createHash } from 'node:crypto';
import { type CompiledPolicy, type Decision, decisionFrom, toMicros } from './gcra.ts';
import { closeRedis, connectRedis, type RedisClient, type RedisTarget, whenReady } from './redis-connection.ts';
import { downError, RedisHealth } from './redis-health.ts';
import { type FailurePolicy, type RateLimitStore, type StoreFailureListener, StoreUnavailableError } from './store.ts';

/**
 * One GCRA decision, atomic on the Redis server (scripts run without interleaving).
 * KEYS[1] key · ARGV now µs (empty: the server's TIME), cost T µs, burst µs
 * → { allowed 0|1, TAT − now in µs }.
 * The key lives exactly as long as its TAT is ahead of now (PX), then it is fresh again.
 * Numbers stay integers below 2^53, exact in Lua's doubles; '%.0f' keeps them whole in the string.
 * TIME in a script that writes needs effects replication: the default since Redis 5.
 */
export const GCRA_SCRIPT = `local now = tonumber(ARGV[1])
if now == nil then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local cost = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]))
if tat == nil or tat < now then tat = now end
local nxt = tat + cost
if nxt - now <= burst then
  redis.call('SET', KEYS[1], string.format('%.0f', nxt), 'PX', math.ceil((nxt - now) / 1000))
  return {1, nxt - now}
end
return {0, tat - now}`;

/** SHA-1 of GCRA_SCRIPT, the name EVALSHA calls it by. */
export const GCRA_SCRIPT_SHA = createHash('sha1').update(GCRA_SCRIPT).digest('hex');

/**
 * One Redis key per policy and client: `<prefix>{<policy name>:<key>}`. The
 * braces are a hash tag (Redis Cluster specification, "Hash tags"): only the
 * part inside decides the slot, so a limit's state is one key in one slot on
 * one master, whatever the prefix, and the clients spread over all slots.
 * A `}` inside the client key ends the tag early: still one slot per key.
 */
export function keyOf(prefix: string, policyName: string, key: string): string {
  return `${prefix}{${policyName}:${key}}`;
}

/** A prefix with braces could carry a hash tag of its own and put every key in one slot. */
export function checkPrefix(prefix: string): string {
  if (/[{}]/.test(prefix)) throw new TypeError(`prefix: must not contain "{" or "}", got ${JSON.stringify(prefix)}.`);
  return prefix;
}

export interface RedisStoreOptions extends RedisTarget {
  /**
   * `url` (one server, `redis://host:port/db`), `cluster` (a Redis Cluster's node URLs) or
   * `sentinel` (`{ name, sentinels }`); ignored when `client` is given. @default url "redis://127.0.0.1:6379"
   */
  url?: string | undefined;
  /** An ioredis client (Redis or Cluster) to use instead of opening one (the store then does not close it). */
  client?: RedisClient;
  /** Prefix of every key the store writes; no `{` or `}` (the key's hash tag is the store's). @default "statuskit:rl:" */
  prefix?: string;
  /** Let requests through (`open`) or refuse them with 503 (`closed`) when Redis cannot decide. @default "open" */
  failure?: FailurePolicy;
  /** How long one decision may wait for Redis (ms) before it counts as a failure. @default 100 (100 ms) */
  commandTimeoutMs?: number;
  /** Told about every failed decision (for logs and metrics). */
  onFailure?: StoreFailureListener;
  /**
   * Whose clock decides: `server` — the Redis server's TIME, read inside the
   * script, so every node sharing the store sees one time and node clocks
   * may drift; `caller` — the `nowMs` the guard passes (an injected clock,
   * for tests). @default "server"
   */
  clock?: 'server' | 'caller';
}

/**
 * Rate-limit state in Redis, so that several gateway nodes share one limit.
 * Each decision is ONE script call (EVALSHA, falling back to EVAL when the
 * server does not know the script yet). Commands are never queued while the
 * connection is down: a decision fails at once and the failure policy applies.
 *
 * Time comes from the Redis server by default, so the nodes' own clocks do
 * not matter; with `clock: 'caller'` a node δ ms ahead would see its keys
 * refill δ ms early.
 */
export class RedisStore implements RateLimitStore {
  readonly kind = 'redis';
  readonly client: RedisClient;
  readonly prefix: string;
  readonly failure: FailurePolicy;
  /** Decisions Redis could not make. */
  failures = 0;
  readonly #owned: boolean;
  readonly #onFailure: StoreFailureListener | undefined;
  /** Up, down (fail fast) or not yet tried (see ./redis-health.ts). */
  readonly health: RedisHealth;
  readonly #serverClock: boolean;

  constructor(options: RedisStoreOptions = {}) {
    this.prefix = checkPrefix(options.prefix ?? 'statuskit:rl:');
    this.failure = options.failure ?? 'open';
    this.#onFailure = options.onFailure;
    if (this.failure !== 'open' && this.failure !== 'closed') throw new TypeError('failure: "open" or "closed".');
    this.#owned = options.client === undefined;
    const clock = options.clock ?? 'server';
    if (clock !== 'server' && clock !== 'caller') throw new TypeError('clock: "server" or "caller".');
    this.#serverClock = clock === 'server';
    const timeout = options.commandTimeoutMs ?? 100; // 100 ms
    this.client = options.client ?? connectRedis(options, timeout);
    this.health = new RedisHealth(this.client, timeout);
  }

  /** Resolves once connected; rejects at the first connection error (decisions follow the failure policy meanwhile). */
  ready(): Promise<void> {
    return whenReady(this.client);
  }

  async take(key: string, policy: CompiledPolicy, nowMs: number): Promise<Decision> {
    const now = this.#serverClock ? '' : toMicros(nowMs);
    const args = [keyOf(this.prefix, policy.name, key), now, policy.costUs, policy.burstUs] as const;
    const first = this.health.settled();
    if (first) await first;
    // Known down: no command that would wait out the timeout; the failure policy answers now.
    if (this.health.down) return this.#failed(downError(this.health), policy);
    let reply: unknown;
    try {
      try {
        reply = await this.client.evalsha(GCRA_SCRIPT_SHA, 1, ...args);
      } catch (err) {
        if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
        reply = await this.client.eval(GCRA_SCRIPT, 1, ...args);
      }
    } catch (err) {
      return this.#failed(err instanceof Error ? err : new Error(String(err)), policy);
    }
    const [allowed, ahead] = reply as [number, number];
    return decisionFrom(allowed === 1, ahead, policy);
  }

  #failed(error: Error, policy: CompiledPolicy): Decision {
    this.failures++;
    const outcome = this.failure === 'open' ? 'allowed' : 'refused';
    this.#onFailure?.({ store: this.kind, error, outcome });
    if (outcome === 'refused')
      throw new StoreUnavailableError(`Rate-limit store unavailable: ${error.message}`, { cause: error });
    // Nothing is known about the key: report the whole quota, marked degraded.
    return { allowed: true, limit: policy.limit, remaining: policy.limit, reset: 0, retryAfter: 0, degraded: true };
  }

  async close(): Promise<void> {
    if (this.#owned) await closeRedis(this.client);
  }
}
