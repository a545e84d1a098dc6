import { type CompiledPolicy, type Decision, gcraStep, toMicros } from './gcra.ts';
import type { RateLimitStore } from './store.ts';

export interface MemoryStoreOptions {
  /** Most keys held at once, over all policies; past it a key not used lately is dropped. @default 100_000 */
  maxKeys?: number;
  /** A sweep of expired keys starts at most this often (ms), and runs a few keys per decision. @default 10_000 (10 s) */
  sweepIntervalMs?: number;
}

/** The option defaults (the config reader takes them from here). */
export const MEMORY_STORE_DEFAULTS = {
  maxKeys: 100_000,
  sweepIntervalMs: 10_000, // 10 s
} as const;

/** Keys a decision examines while a sweep is under way: the sweep never pauses a request for long. */
const SWEEP_STEP = 32;

/** One key's state: its TAT (µs), and whether a decision used it since it last moved to the back. */
interface Entry {
  tat: number;
  used: boolean;
}

/**
 * Rate-limit state in this process: one number per key, decisions synchronous.
 * Memory is bounded by `maxKeys`; a key whose TAT has passed carries no
 * information (a new key would decide the same) and is swept.
 *
 * Keys live in one map per policy name, so the guard's key is the client's
 * own (a key joined to the policy name would be a fresh string per request,
 * which V8 must flatten and hash for every lookup). Recency is kept the way
 * the CLOCK algorithm keeps it: a decision only marks its entry used; when
 * the store is full, the oldest entry of the policy's map that was not used
 * since it last moved to the back is dropped, and the used ones met on the
 * way move to the back. A decision costs one map lookup instead of three,
 * and a client that keeps sending is never the one dropped.
 */
export class MemoryStore implements RateLimitStore {
  readonly kind = 'memory';
  readonly maxKeys: number;
  readonly sweepIntervalMs: number;
  /** Keys dropped while still holding state, because the store was full. */
  evictions = 0;
  readonly #maps = new Map<string, Map<string, Entry>>();
  #size = 0;
  #lastSweepMs = Number.NEGATIVE_INFINITY;
  // A sweep in progress: live iterators over the maps (Map iterators survive deletions).
  #cursor: Generator<[Map<string, Entry>, string, Entry]> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? MEMORY_STORE_DEFAULTS.maxKeys;
    this.sweepIntervalMs = options.sweepIntervalMs ?? MEMORY_STORE_DEFAULTS.sweepIntervalMs;
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new TypeError('maxKeys: a whole number ≥ 1.');
    if (!(this.sweepIntervalMs >= 0)) throw new TypeError('sweepIntervalMs: milliseconds ≥ 0.');
  }

  get size(): number {
    return this.#size;
  }

  take(key: string, policy: CompiledPolicy, nowMs: number): Decision {
    const nowUs = toMicros(nowMs);
    if (this.#cursor || nowMs - this.#lastSweepMs >= this.sweepIntervalMs) this.#sweepStep(nowMs, nowUs);
    let map = this.#maps.get(policy.name);
    if (map === undefined) this.#maps.set(policy.name, (map = new Map()));
    const entry = map.get(key);
    const { tat, decision } = gcraStep(entry?.tat, nowUs, policy);
    if (entry !== undefined) {
      entry.tat = tat;
      entry.used = true;
    } else if (tat > nowUs) {
      if (this.#size >= this.maxKeys) this.#makeRoom(map, nowUs);
      map.set(key, { tat, used: false });
      this.#size++;
    }
    return decision;
  }

  /** Drops every key whose TAT has passed, at once. */
  sweep(nowMs: number): void {
    this.#lastSweepMs = nowMs;
    this.#cursor = undefined;
    const nowUs = toMicros(nowMs);
    for (const [name, map] of this.#maps) {
      for (const [key, entry] of map) if (entry.tat <= nowUs) this.#drop(map, key);
      if (map.size === 0) this.#maps.delete(name);
    }
  }

  #drop(map: Map<string, Entry>, key: string): void {
    map.delete(key);
    this.#size--;
  }

  #sweepStep(nowMs: number, nowUs: number): void {
    if (!this.#cursor) {
      this.#lastSweepMs = nowMs;
      this.#cursor = entriesOf(this.#maps);
    }
    for (let i = 0; i < SWEEP_STEP; i++) {
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = undefined;
        return;
      }
      const [map, key, entry] = next.value;
      if (entry.tat <= nowUs) this.#drop(map, key);
    }
  }

  /**
   * Drops one key to make room: from `map` (the policy about to add one),
   * or from another policy's when that one holds none. Amortised O(1): each
   * entry moved to the back lost its mark, so a pass meets each at most once.
   */
  #makeRoom(preferred: Map<string, Entry>, nowUs: number): void {
    let map = preferred;
    if (map.size === 0) for (const m of this.#maps.values()) if (m.size > 0) map = m;
    for (const [key, entry] of map) {
      if (entry.used && entry.tat > nowUs) {
        // Second chance: used since it last moved, so it goes to the back, unmarked.
        entry.used = false;
        map.delete(key);
        map.set(key, entry);
        continue;
      }
      this.#drop(map, key);
      if (entry.tat > nowUs) this.evictions++;
      return;
    }
  }

  async close(): Promise<void> {
    this.#maps.clear();
    this.#size = 0;
    this.#cursor = undefined;
  }
}

/** Every entry of every map, as [map, key, entry]; follows the maps as they change. */
function* entriesOf(maps: Map<string, Map<string, Entry>>): Generator<[Map<string, Entry>, string, Entry]> {
  for (const map of maps.values()) for (const [key, entry] of map) yield [map, key, entry];
}
