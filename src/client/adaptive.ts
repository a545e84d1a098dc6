/**
 * The client-side rate limiter of the AWS SDKs' `adaptive` retry mode: a
 * token bucket whose fill rate follows CUBIC (RFC 8312 §4) — after a
 * throttling answer (429, or 503 with Retry-After) the rate drops to β = 0.7
 * of what the client was sending, then grows back along a cubic curve while
 * answers succeed. Until the first throttling answer it does not limit at all.
 * Times are seconds inside, as in the SDKs; the clock is the client's.
 */
import type { Clock } from './clock.ts';

const BETA = 0.7; // multiplicative decrease
const SCALE = 0.4; // CUBIC C
const SMOOTH = 0.8; // weight of the newest measured send rate
const MIN_FILL_RATE = 0.5; // requests per second
const MIN_CAPACITY = 1; // requests

export class AdaptiveRateLimiter {
  #enabled = false;
  #fillRate = 0; // tokens/s
  #maxCapacity = 0;
  #capacity = 0;
  #lastRefill = 0; // s
  #measuredRate = 0; // requests/s
  #lastBucket = 0; // s, half-second buckets
  #count = 0;
  #lastMaxRate = 0;
  #lastThrottle = 0; // s
  #timeWindow = 0; // s

  /** Whether a throttling answer has switched the bucket on. */
  get enabled(): boolean {
    return this.#enabled;
  }

  /** The rate requests may be sent at now (requests per second); Infinity before any throttling. */
  get rate(): number {
    return this.#enabled ? this.#fillRate : Number.POSITIVE_INFINITY;
  }

  /** Milliseconds to wait before the next request may go, taking its token. */
  delay(nowMs: number): number {
    if (!this.#enabled) return 0;
    const now = nowMs / 1000;
    this.#refill(now);
    let wait = 0;
    if (this.#capacity < 1) wait = ((1 - this.#capacity) / this.#fillRate) * 1000;
    this.#capacity -= 1; // may go negative: the token is the next one to be filled
    return Math.ceil(wait);
  }

  /** Waits for a token (reported through `onWait`) before sending. */
  async acquire(clock: Clock, signal: AbortSignal | undefined, onWait?: (ms: number) => void): Promise<void> {
    const wait = this.delay(clock.now());
    if (wait <= 0) return;
    onWait?.(wait);
    await clock.sleep(wait, signal);
  }

  /** After each answer: `throttled` for a 429, or a 503 with Retry-After. */
  update(throttled: boolean, nowMs: number): void {
    const now = nowMs / 1000;
    this.#measure(now);
    let rate: number;
    if (throttled) {
      const base = this.#enabled ? Math.min(this.#measuredRate, this.#fillRate) : this.#measuredRate;
      this.#lastMaxRate = base;
      this.#window();
      this.#lastThrottle = now;
      rate = base * BETA;
      this.#enabled = true;
    } else {
      this.#window();
      rate = SCALE * (now - this.#lastThrottle - this.#timeWindow) ** 3 + this.#lastMaxRate;
    }
    this.#setRate(Math.min(rate, 2 * this.#measuredRate), now);
  }

  #window(): void {
    this.#timeWindow = Math.cbrt((this.#lastMaxRate * (1 - BETA)) / SCALE);
  }

  #refill(now: number): void {
    if (this.#lastRefill === 0) this.#lastRefill = now;
    this.#capacity = Math.min(this.#maxCapacity, this.#capacity + (now - this.#lastRefill) * this.#fillRate);
    this.#lastRefill = now;
  }

  #setRate(rate: number, now: number): void {
    this.#refill(now);
    this.#fillRate = Math.max(rate, MIN_FILL_RATE);
    this.#maxCapacity = Math.max(rate, MIN_CAPACITY);
    this.#capacity = Math.min(this.#capacity, this.#maxCapacity);
  }

  /** The send rate, measured per half second and smoothed. */
  #measure(now: number): void {
    const bucket = Math.floor(now * 2) / 2;
    this.#count++;
    if (this.#lastBucket === 0) this.#lastBucket = bucket;
    if (bucket > this.#lastBucket) {
      const current = this.#count / (bucket - this.#lastBucket);
      this.#measuredRate = current * SMOOTH + this.#measuredRate * (1 - SMOOTH);
      this.#count = 0;
      this.#lastBucket = bucket;
    }
  }
}
