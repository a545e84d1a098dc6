import { type CompiledPolicy, type Decision, gcraStep, toMicros } from './gcra.ts';
import type { RateLimitStore } from './store.ts';

export interface MemoryStoreOptions {
  /** Most keys held at once; past it the least recently used key is dropped. @default 100_000 */
  maxKeys?: number;
  /** A sweep of expired keys starts at most this often (ms), and runs a few keys per decision. @default 10_000 (10 s) */
  sweepIntervalMs?: number;
}

/** Keys a decision examines while a sweep is under way: the sweep never pauses a request for long. */
const SWEEP_STEP = 32;

/**
 * Rate-limit state in this process: one number per key, decisions synchronous.
 * Memory is bounded by `maxKeys`; a key whose TAT has passed carries no
 * information (a new key would decide the same) and is swept.
 */
export class MemoryStore implements RateLimitStore {
  readonly kind = 'memory';
  readonly maxKeys: number;
  readonly sweepIntervalMs: number;
  /** Keys dropped while still holding state, because the store was full. */
  evictions = 0;
  // Insertion order doubles as recency: each decision re-inserts its key at the end.
  readonly #tats = new Map<string, number>();
  #lastSweepMs = Number.NEGATIVE_INFINITY;
  // A sweep in progress: a live iterator over the map (Map iterators survive deletions).
  #cursor: Iterator<[string, number]> | undefined;

  constructor(options: MemoryStoreOptions = {}) {
    this.maxKeys = options.maxKeys ?? 100_000;
    this.sweepIntervalMs = options.sweepIntervalMs ?? 10_000; // 10 s
    if (!Number.isInteger(this.maxKeys) || this.maxKeys < 1) throw new TypeError('maxKeys: a whole number ≥ 1.');
    if (!(this.sweepIntervalMs >= 0)) throw new TypeError('sweepIntervalMs: milliseconds ≥ 0.');
  }

  get size(): number {
    return this.#tats.size;
  }

  take(key: string, policy: CompiledPolicy, nowMs: number): Decision {
    const nowUs = toMicros(nowMs);
    if (this.#cursor || nowMs - this.#lastSweepMs >= this.sweepIntervalMs) this.#sweepStep(nowMs, nowUs);
    const previous = this.#tats.get(key);
    const { tat, decision } = gcraStep(previous, nowUs, policy);
    if (previous !== undefined) this.#tats.delete(key);
    else if (this.#tats.size >= this.maxKeys && tat > nowUs) this.#makeRoom(nowMs);
    if (tat > nowUs) this.#tats.set(key, tat);
    return decision;
  }

  /** Drops every key whose TAT has passed, at once. */
  sweep(nowMs: number): void {
    this.#lastSweepMs = nowMs;
    this.#cursor = undefined;
    const nowUs = toMicros(nowMs);
    for (const [key, tat] of this.#tats) if (tat <= nowUs) this.#tats.delete(key);
  }

  #sweepStep(nowMs: number, nowUs: number): void {
    if (!this.#cursor) {
      this.#lastSweepMs = nowMs;
      this.#cursor = this.#tats.entries();
    }
    for (let i = 0; i < SWEEP_STEP; i++) {
      const next = this.#cursor.next();
      if (next.done) {
        this.#cursor = undefined;
        return;
      }
      if (next.value[1] <= nowUs) this.#tats.delete(next.value[0]);
    }
  }

  // The first key in order is the least recently decided one; O(1), so a full store cannot be made to sweep per request.
  #makeRoom(nowMs: number): void {
    const [oldest, tat] = this.#tats.entries().next().value as [string, number];
    this.#tats.delete(oldest);
    if (tat > toMicros(nowMs)) this.evictions++;
  }

  async close(): Promise<void> {
    this.#tats.clear();
    this.#cursor = undefined;
  }
}
