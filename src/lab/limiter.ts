/** The outcome of one request against a fixed window. */
export interface WindowState {
  allowed: boolean;
  /** Requests left in the current window after this one. */
  remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  reset: number;
}

/**
 * A fixed-window counter per key (client address), on an injected clock.
 * Windows that ended are dropped when their key is next seen, and all of
 * them when the map grows past `maxKeys`, so memory stays bounded.
 */
export class FixedWindow {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number,
    private readonly maxKeys = 10_000,
  ) {}

  hit(key: string): WindowState {
    const now = this.now();
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.#windows.size >= this.maxKeys) this.#sweep(now);
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
    }
    const reset = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    if (w.count >= this.limit) return { allowed: false, remaining: 0, reset };
    w.count++;
    return { allowed: true, remaining: this.limit - w.count, reset };
  }

  #sweep(now: number): void {
    for (const [key, w] of this.#windows) if (now - w.start >= this.windowMs) this.#windows.delete(key);
  }
}
