import { performance } from 'node:perf_hooks';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. @default 5 */
  failures?: number;
  /** How long it stays open before one probe is let through, in ms. @default 10000 (10 s) */
  cooldown?: number;
  /** Monotonic clock in ms; tests pass their own. @default performance.now */
  now?: () => number;
  /** Told of every state change (metrics, logs). */
  onChange?: (state: BreakerState) => void;
}

/**
 * A circuit breaker for one upstream target. Closed: requests flow and
 * consecutive failures are counted. At `failures` it opens: requests are
 * refused (the gateway answers 503 + Retry-After) until `cooldown` passed.
 * Then it is half-open: exactly one request goes through as a probe; its
 * success closes the breaker, its failure opens it for another cooldown.
 *
 * Every `acquire()` that returned true must be settled by exactly one of
 * `success()`, `failure()` or `release()` (the request ended without telling
 * anything about the upstream, e.g. the client went away).
 */
export class Breaker {
  readonly #threshold: number;
  readonly #cooldown: number;
  readonly #now: () => number;
  readonly #onChange: ((state: BreakerState) => void) | undefined;
  #state: BreakerState = 'closed';
  #failures = 0;
  #openedAt = 0;
  /** In half-open state, whether the one probe is on its way. */
  #probing = false;

  constructor(options: BreakerOptions = {}) {
    this.#threshold = options.failures ?? 5;
    this.#cooldown = options.cooldown ?? 10_000; // 10 s
    this.#now = options.now ?? performance.now.bind(performance);
    this.#onChange = options.onChange;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Whether a request could be let through now (no side effect; for health and readiness). */
  get available(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'half-open') return !this.#probing;
    return this.#now() - this.#openedAt >= this.#cooldown;
  }

  /** Ms until the breaker lets a probe through; 0 when it would now. */
  retryInMs(): number {
    if (this.#state !== 'open') return 0;
    return Math.max(0, this.#openedAt + this.#cooldown - this.#now());
  }

  /** Takes a slot for one request: true when it may go to the upstream. */
  acquire(): boolean {
    if (this.#state === 'closed') return true;
    if (this.#state === 'open') {
      if (this.#now() - this.#openedAt < this.#cooldown) return false;
      this.#set('half-open');
    }
    if (this.#probing) return false;
    this.#probing = true;
    return true;
  }

  success(): void {
    this.#failures = 0;
    if (this.#state !== 'closed') {
      this.#probing = false;
      this.#set('closed');
    }
  }

  failure(): void {
    if (this.#state === 'half-open') {
      this.#probing = false;
      this.#open();
      return;
    }
    if (this.#state === 'closed' && ++this.#failures >= this.#threshold) this.#open();
  }

  /** The request ended without a verdict on the upstream: free a half-open probe slot. */
  release(): void {
    if (this.#state === 'half-open') this.#probing = false;
  }

  #open(): void {
    this.#openedAt = this.#now();
    this.#failures = 0;
    this.#set('open');
  }

  #set(state: BreakerState): void {
    this.#state = state;
    this.#onChange?.(state);
  }
}
