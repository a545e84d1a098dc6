/** Where used signatures are remembered: in this process (ReplayCache) or shared (RedisReplayStore). */
export interface ReplayStore {
  readonly kind: string;
  /**
   * Records `signature` as used until `expiresAt` (epoch ms); true when it was
   * already recorded and has not expired: a replay. Synchronous in process.
   */
  seen(signature: string, expiresAt: number, nowMs: number): boolean | Promise<boolean>;
}

export interface ReplayCacheOptions {
  /** Signatures remembered at once; past it the oldest is forgotten (and counted). @default 100_000 */
  maxEntries?: number;
}

/** The option defaults (the config reader takes them from here). */
export const REPLAY_DEFAULTS = { maxEntries: 100_000 } as const;

/**
 * Remembers signatures until they could no longer pass the date check, so a
 * captured request cannot be sent again inside the skew window. Memory is
 * bounded: entries leave when expired, or oldest-first when the cache is full
 * (each such eviction re-opens a replay for that one signature; `evictions`
 * counts them so the core can expose it). Per process: nodes do not share it.
 */
export class ReplayCache implements ReplayStore {
  readonly kind = 'memory';
  readonly maxEntries: number;
  evictions = 0;
  // Insertion order ≈ expiry order, since each expiry is date + skew and dates are ≈ now.
  readonly #expiry = new Map<string, number>();

  constructor(options: ReplayCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? REPLAY_DEFAULTS.maxEntries;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1)
      throw new TypeError('maxEntries: a whole number ≥ 1.');
  }

  get size(): number {
    return this.#expiry.size;
  }

  seen(signature: string, expiresAt: number, nowMs: number): boolean {
    const known = this.#expiry.get(signature);
    if (known !== undefined && known > nowMs) return true;
    this.#sweep(nowMs);
    if (this.#expiry.size >= this.maxEntries) {
      const oldest = this.#expiry.keys().next().value as string;
      this.#expiry.delete(oldest);
      this.evictions++;
    }
    this.#expiry.delete(signature);
    this.#expiry.set(signature, expiresAt);
    return false;
  }

  /** Drops expired entries from the front; stops at the first live one (amortised O(1)). */
  #sweep(nowMs: number): void {
    for (const [sig, expiry] of this.#expiry) {
      if (expiry > nowMs) return;
      this.#expiry.delete(sig);
    }
  }
}
