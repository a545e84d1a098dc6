/**
 * Failed authentication, limited per client address: a guesser of API keys
 * or signatures gets `limit` failures per `window`, then 429 + Retry-After
 * (RFC 6585 §4) until one more failure fits. GCRA as the rate limiter uses
 * it (../limits/gcra.ts): one number per address, no timer. Only failures
 * count; a client that authenticates is never slowed. Per process: with
 * `--workers N`, each worker keeps its own counts.
 */
export interface FailedAuthOptions {
  /** Failures allowed per window. @default 10 */
  limit?: number;
  /** Window in ms. @default 60000 (60 s) */
  window?: number;
  /** Most addresses remembered; past it the oldest is forgotten. @default 100000 */
  maxKeys?: number;
}

export class FailedAuthLimiter {
  readonly limit: number;
  readonly window: number;
  /** Failed authentications counted. */
  failures = 0;
  /** Requests refused with 429 for too many failures. */
  limited = 0;
  /** Cost of one failure in ms. */
  readonly #cost: number;
  readonly #maxKeys: number;
  /** Address → theoretical arrival time of its failures (epoch ms), oldest insertion first. */
  readonly #tat = new Map<string, number>();

  constructor(options: FailedAuthOptions = {}) {
    this.limit = options.limit ?? 10;
    this.window = options.window ?? 60_000; // 60 s
    this.#maxKeys = options.maxKeys ?? 100_000;
    if (!(Number.isInteger(this.limit) && this.limit >= 1))
      throw new TypeError('failureLimit.limit: a whole number ≥ 1.');
    if (!(this.window > 0)) throw new TypeError('failureLimit.window: a positive number of ms.');
    this.#cost = this.window / this.limit;
  }

  /** Addresses remembered (for tests and metrics). */
  get size(): number {
    return this.#tat.size;
  }

  /** Seconds until `key` may fail once more, 0 when it may now. */
  retryAfter(key: string, now: number): number {
    const tat = this.#tat.get(key);
    if (tat === undefined) return 0;
    if (tat <= now) {
      this.#tat.delete(key); // every failure of it is forgotten
      return 0;
    }
    const wait = tat + this.#cost - this.window - now;
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
  }

  /** Counts one failure of `key`. */
  fail(key: string, now: number): void {
    this.failures++;
    const tat = Math.max(this.#tat.get(key) ?? now, now) + this.#cost;
    this.#tat.delete(key); // re-inserted last: the map's order is the age of the last failure
    this.#tat.set(key, tat);
    if (this.#tat.size > this.#maxKeys) this.#forgetOld(now);
    else this.#sweep(now);
  }

  /** Drops a few addresses from the front whose failures are all forgotten (amortised O(1)). */
  #sweep(now: number): void {
    let n = 0;
    for (const [key, tat] of this.#tat) {
      if (tat > now || ++n > 4) return;
      this.#tat.delete(key);
    }
  }

  /** Drops addresses whose failures are all forgotten, and the oldest one if none are. */
  #forgetOld(now: number): void {
    let dropped = 0;
    for (const [key, tat] of this.#tat) {
      if (tat > now || dropped >= 32) break;
      this.#tat.delete(key);
      dropped++;
    }
    if (dropped === 0) this.#tat.delete(this.#tat.keys().next().value as string);
  }
}
