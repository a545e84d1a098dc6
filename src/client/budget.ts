/** @see RetryBudgetOptions */
export interface RetryBudgetOptions {
  /** Tokens the bucket holds, and starts with. @default 10 */
  capacity?: number;
  /** Tokens one retry spends. @default 1 */
  cost?: number;
  /** Tokens one answer that needs no retry puts back. @default 0.1 */
  refill?: number;
}

/**
 * A token bucket shared by every request of one client. Retries spend tokens,
 * answers that need no retry put some back; when the bucket is empty the
 * client stops retrying, so a service that is down gets each request once
 * instead of `limit + 1` times (a retry storm).
 */
export class RetryBudget {
  readonly capacity: number;
  readonly cost: number;
  readonly refill: number;
  private level: number;

  constructor(options: RetryBudgetOptions = {}) {
    this.capacity = positive(options.capacity ?? 10, 'retry.budget.capacity');
    this.cost = positive(options.cost ?? 1, 'retry.budget.cost');
    this.refill = nonNegative(options.refill ?? 0.1, 'retry.budget.refill');
    this.level = this.capacity;
  }

  get tokens(): number {
    return this.level;
  }

  /** Takes the cost of one retry; false (and nothing taken) when the bucket cannot pay it. */
  spend(): boolean {
    if (this.level < this.cost) return false;
    this.level -= this.cost;
    return true;
  }

  succeeded(): void {
    if (this.level < this.capacity) this.level = Math.min(this.capacity, this.level + this.refill);
  }

  /** RetryTokens: one retry's cost, whatever failed. */
  take(_timedOut: boolean): number | false {
    return this.spend() ? this.cost : false;
  }

  /** RetryTokens: a call succeeded (the budget refills the same whatever it spent). */
  settle(_spent: number): void {
    this.succeeded();
  }
}

/**
 * What the client asks of its retry tokens, whichever kind: RetryBudget (the
 * default) or RetryQuota (the AWS SDKs' standard mode).
 */
export interface RetryTokens {
  readonly tokens: number;
  /** The cost of one retry, taken; false (nothing taken) when there are not enough tokens. */
  take(timedOut: boolean): number | false;
  /** A call succeeded; `spent` is what its last retry cost (0: it needed none). */
  settle(spent: number): void;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`${name} must be a positive number, got ${value}.`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be zero or more, got ${value}.`);
  return value;
}
