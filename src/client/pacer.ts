/**
 * Pacing: a client that has been told its quota is spent waits for the reset
 * instead of sending a request that can only collect a 429. One Pacer keeps
 * a state per origin (RFC 6454: scheme, host, port) and can be shared by
 * several clients that talk to the same origins with the same credentials.
 *
 * Per origin: the requests the answers say are left (less those in flight),
 * when the quota resets, and until when Retry-After holds requests back
 * (RFC 9110 §10.2.3: it takes precedence over the RateLimit fields).
 * While nothing is known — the first request, or once a reset passed — one
 * request goes at a time and the others wait for its answer, which tells.
 * An origin whose answers carry no RateLimit fields is not paced at all.
 */
import type { Clock } from './clock.ts';
import type { RateLimitInfo } from './rate-limit.ts';

/** A wait before sending, reported through `hooks.paced`. */
export interface PacedEvent {
  readonly method: string;
  readonly url: string;
  /** Milliseconds the client waits before sending. */
  readonly wait: number;
  /** `quota`: the RateLimit fields said none is left; `retry-after`: an earlier answer's Retry-After; `adaptive`: the adaptive limiter. */
  readonly reason: 'quota' | 'retry-after' | 'adaptive';
}

interface OriginState {
  /** False until an answer told (or after a reset passed): one request at a time then. */
  known: boolean;
  /** Requests that may still go before the reset. */
  tokens: number;
  /** Epoch ms when the quota resets; undefined when the answer did not say. */
  resetAt: number | undefined;
  /** Epoch ms until which Retry-After holds requests back. */
  blockedUntil: number;
  inFlight: number;
  /** Wakes the requests waiting for an answer. */
  waiters: (() => void)[];
}

export interface Ticket {
  readonly origin: string;
}

export interface AcquireInput {
  readonly url: URL;
  readonly method: string;
  readonly clock: Clock;
  /** Longest wait (ms); a longer one is not made: the request goes at once. */
  readonly maxWait: number;
  readonly signal: AbortSignal | undefined;
  readonly onWait: ((e: PacedEvent) => void) | undefined;
  /**
   * Longest wait (ms, wall time: it is about an answer on its way) for the answer of the
   * request that finds out the quota; after it the request goes anyway, so that a slow
   * first request does not hold up the others. @default 1000
   */
  readonly probeWait?: number;
}

/** Resolves true when an answer came (settle), false when `ms` passed first. */
function answerOrTimeout(s: OriginState, ms: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => {
      const i = s.waiters.indexOf(wake);
      if (i >= 0) s.waiters.splice(i, 1);
      resolve(false);
    }, ms);
    timer.unref();
    const wake = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    s.waiters.push(wake);
  });
}

export class Pacer {
  readonly #origins = new Map<string, OriginState>();

  /** The state of an origin, for tests and metrics. */
  state(origin: string): Readonly<Omit<OriginState, 'waiters'>> | undefined {
    return this.#origins.get(origin);
  }

  #of(origin: string): OriginState {
    let s = this.#origins.get(origin);
    if (!s) {
      s = { known: false, tokens: 0, resetAt: undefined, blockedUntil: 0, inFlight: 0, waiters: [] };
      this.#origins.set(origin, s);
    }
    return s;
  }

  /** Resolves when a request may be sent; settle the ticket with its answer. */
  async acquire(input: AcquireInput): Promise<Ticket> {
    const origin = input.url.origin;
    const s = this.#of(origin);
    for (;;) {
      const now = input.clock.now();
      let wait = 0;
      let reason: PacedEvent['reason'] = 'quota';
      if (s.blockedUntil > now) {
        wait = s.blockedUntil - now;
        reason = 'retry-after';
      } else if (s.known && s.tokens <= 0) {
        if (s.resetAt !== undefined && s.resetAt > now) wait = s.resetAt - now;
        else s.known = false; // The reset passed (or was never said): find out again.
      }
      if (wait > input.maxWait) break; // Not worth waiting for: sent now, it gets its answer.
      if (wait > 0) {
        input.onWait?.({ method: input.method, url: input.url.href, wait, reason });
        await input.clock.sleep(wait, input.signal);
        continue; // The state may have changed meanwhile (a newer answer): judge it afresh.
      }
      if (!s.known) {
        if (s.inFlight === 0) break; // This one finds out.
        if (!(await answerOrTimeout(s, input.probeWait ?? 1_000))) break; // It is slow: go anyway.
        if (input.signal?.aborted) throw input.signal.reason;
        continue;
      }
      s.tokens--;
      break;
    }
    s.inFlight++;
    return { origin };
  }

  /**
   * The answer to a ticket's request: `info` what its RateLimit fields said,
   * `retryAfter` (ms) its Retry-After when it was a 429.
   * `answered` false: no answer came (a network failure, a timeout).
   */
  settle(ticket: Ticket, now: number, answered: boolean, info?: RateLimitInfo, retryAfter?: number): void {
    const s = this.#of(ticket.origin);
    s.inFlight = Math.max(0, s.inFlight - 1);
    if (retryAfter !== undefined) s.blockedUntil = Math.max(s.blockedUntil, now + retryAfter);
    if (info) {
      s.known = true;
      // The requests still in flight were sent on the old count: the server has yet to count them.
      s.tokens = info.remaining - s.inFlight;
      s.resetAt = info.resetMs === undefined ? undefined : now + info.resetMs;
    } else if (answered && !s.known) {
      // An answer without RateLimit fields: nothing to pace by.
      s.known = true;
      s.tokens = Number.POSITIVE_INFINITY;
      s.resetAt = undefined;
    }
    const waiters = s.waiters.splice(0);
    for (const wake of waiters) wake();
  }
}
