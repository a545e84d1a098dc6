/**
 * The retry quota of the AWS SDKs' `standard` retry mode, shared by every
 * request of a client (or of several clients given the same instance): a
 * bucket of 500 tokens; a retry costs 5, a retry after a timeout 10; a call
 * that succeeds puts back what its last retry cost, or 1 when it needed none.
 * With no tokens left there is no retry: a failing service gets each request
 * once, while a healthy one refills the bucket as it answers.
 */
export interface RetryQuotaOptions {
  /** Tokens the bucket holds, and starts with. @default 500 */
  capacity?: number;
  /** Tokens one retry costs. @default 5 */
  retryCost?: number;
  /** Tokens one retry after a timeout costs. @default 10 */
  timeoutCost?: number;
  /** Tokens a call that succeeded at once puts back. @default 1 */
  noRetryIncrement?: number;
}

export class RetryQuota {
  readonly capacity: number;
  readonly retryCost: number;
  readonly timeoutCost: number;
  readonly noRetryIncrement: number;
  #tokens: number;

  constructor(options: RetryQuotaOptions = {}) {
    this.capacity = whole(options.capacity ?? 500, 'retry.quota.capacity', 1);
    this.retryCost = whole(options.retryCost ?? 5, 'retry.quota.retryCost', 1);
    this.timeoutCost = whole(options.timeoutCost ?? 10, 'retry.quota.timeoutCost', 1);
    this.noRetryIncrement = whole(options.noRetryIncrement ?? 1, 'retry.quota.noRetryIncrement', 0);
    this.#tokens = this.capacity;
  }

  get tokens(): number {
    return this.#tokens;
  }

  /** Takes the cost of one retry; false (nothing taken) when the bucket cannot pay it. */
  take(timedOut: boolean): number | false {
    const cost = timedOut ? this.timeoutCost : this.retryCost;
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return cost;
  }

  /** A call succeeded; `spent` is what its last retry cost (0: it needed none). */
  settle(spent: number): void {
    this.#tokens = Math.min(this.capacity, this.#tokens + (spent > 0 ? spent : this.noRetryIncrement));
  }
}

function whole(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new TypeError(`${name} must be a whole number ≥ ${min}, got ${value}.`);
  return value;
}
