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
 * When the map is full, windows that ended are dropped, and if every window
 * is still running the oldest one goes: memory stays bounded by `maxKeys`.
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
    // Maps iterate in insertion order: the first key is the longest-standing window.
    if (this.#windows.size >= this.maxKeys) this.#windows.delete(this.#windows.keys().next().value as string);
  }

  /** How many keys are tracked. */
  get size(): number {
    return this.#windows.size;
  }
}
