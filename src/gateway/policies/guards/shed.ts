import { StatusError } from '../../../errors.ts';
import type { Guard, RequestContext } from '../../../server/types.ts';
import type { Owned } from '../registry.ts';

export const owns = [{ code: 429, subcodes: ['OVERLOAD'] }] as const satisfies readonly Owned[];

/** The option defaults (the config reader takes them from here). */
export const SHED_DEFAULTS = { retryAfter: 1 /* 1 s */ } as const;

export interface LoadShedOptions {
  /** Requests admitted at once; one more is answered 429. */
  maxInFlight: number;
  /** Retry-After of the 429, in seconds. @default 1 (1 s) */
  retryAfter?: number;
  /**
   * Release a request's slot when its response closes (finished or aborted).
   * Turn off only when the core calls `release(ctx)` itself. @default true
   */
  autoRelease?: boolean;
}

export interface LoadShedder {
  /** The guard: admits (takes a slot) or answers 429 + Retry-After. Synchronous. */
  readonly guard: Guard;
  /** Gives back the slot `ctx` took; safe to call more than once, and for a request never admitted. */
  release(ctx: RequestContext): void;
  /** Requests admitted and not yet released. */
  readonly inFlight: number;
  /** Requests refused since start. */
  readonly shed: number;
  readonly maxInFlight: number;
}

const SLOT = Symbol('statuskit.shed.slot');

/**
 * Load shedding: answers 429 + Retry-After (RFC 6585 §4; CONTRACT.md: 429 also
 * covers "more work than the server can take") once `maxInFlight` admitted
 * requests are still open. The count is a plain integer: +1 on admission,
 * −1 when the response closes.
 */
export function createLoadShedder(options: LoadShedOptions): LoadShedder {
  const { maxInFlight } = options;
  const retryAfter = String(options.retryAfter ?? SHED_DEFAULTS.retryAfter);
  const autoRelease = options.autoRelease ?? true;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new TypeError('maxInFlight: a whole number ≥ 1.');
  let inFlight = 0;
  let shed = 0;

  const release = (ctx: RequestContext): void => {
    const state = ctx.state as Record<symbol, unknown>;
    if (state[SLOT] !== true) return;
    state[SLOT] = false;
    inFlight--;
  };

  const guard = function loadShed(ctx: RequestContext): void {
    if (inFlight >= maxInFlight) {
      shed++;
      throw new StatusError(429, `The server is at capacity (${maxInFlight} requests in flight); retry shortly.`, {
        headers: { 'Retry-After': retryAfter },
        subcode: 'OVERLOAD',
      });
    }
    inFlight++;
    (ctx.state as Record<symbol, unknown>)[SLOT] = true;
    if (autoRelease) ctx.onClose(release);
  };

  return {
    guard,
    release,
    maxInFlight,
    get inFlight() {
      return inFlight;
    },
    get shed() {
      return shed;
    },
  };
}
