import { StatusError } from '../../../errors.ts';
import type { Guard, RequestContext } from '../../../server/types.ts';
import type { Owned } from '../registry.ts';

/** 413 `BUDGET`: larger than the budget can ever hold; `BUSY`: retry when bodies in flight finish. */
export const owns = [{ code: 413, subcodes: ['BUDGET', 'BUSY'] }] as const satisfies readonly Owned[];

/** The option defaults (the config reader takes them from here). */
export const BODY_BUDGET_DEFAULTS = {
  retryAfter: 1, // 1 s
  unknownLengthBytes: 64 * 1024, // 64 KiB
} as const;

export interface BodyBudgetOptions {
  /** Body bytes the gateway holds in flight at once, across all requests. */
  maxBytes: number;
  /** Retry-After of the temporary 413, in seconds. @default 1 (1 s) */
  retryAfter?: number;
  /** Bytes reserved for a body without Content-Length (chunked). @default 65536 (64 KiB) */
  unknownLengthBytes?: number;
  /** Release a reservation when the response closes. Off only when the core calls `release(ctx)`. @default true */
  autoRelease?: boolean;
}

export interface BodyBudget {
  /** Reserves the declared body size, or answers 413 (+ Retry-After when it would fit later). Synchronous. */
  readonly guard: Guard;
  /** Returns `ctx`'s reservation; safe to call more than once. */
  release(ctx: RequestContext): void;
  /** Bytes reserved now. */
  readonly inUse: number;
  readonly maxBytes: number;
}

const RESERVED = Symbol('statuskit.body-budget.reserved');

/** The bytes a request says it will send (RFC 9112 §6: Content-Length, or a chunked body of unknown size). */
function declaredLength(ctx: RequestContext, unknown: number): number {
  const cl = ctx.req.headers['content-length'];
  // The front already refused a malformed Content-Length (400); here it is digits.
  if (cl !== undefined) return Number(cl);
  return ctx.req.headers['transfer-encoding'] !== undefined ? unknown : 0;
}

/**
 * A budget of request-body bytes held by the gateway at once. A request whose
 * declared body does not fit right now gets 413 with Retry-After — the limit is
 * temporary (CONTRACT.md 413) — and Connection: close, since its body is left
 * unread (RFC 9110 §15.5.14). A body larger than the whole budget can never
 * fit: that 413 carries no Retry-After.
 */
export function createBodyBudget(options: BodyBudgetOptions): BodyBudget {
  const { maxBytes } = options;
  const retryAfter = String(options.retryAfter ?? BODY_BUDGET_DEFAULTS.retryAfter);
  const unknownLength = options.unknownLengthBytes ?? BODY_BUDGET_DEFAULTS.unknownLengthBytes;
  const autoRelease = options.autoRelease ?? true;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) throw new TypeError('maxBytes: a whole number of bytes ≥ 1.');
  if (!Number.isInteger(unknownLength) || unknownLength < 0) throw new TypeError('unknownLengthBytes: bytes ≥ 0.');
  let inUse = 0;

  const release = (ctx: RequestContext): void => {
    const state = ctx.state as Record<symbol, number | undefined>;
    const n = state[RESERVED];
    if (n === undefined) return;
    state[RESERVED] = undefined;
    inUse -= n;
  };

  const guard = function bodyBudget(ctx: RequestContext): void {
    const n = declaredLength(ctx, unknownLength);
    if (n === 0) return;
    if (n > maxBytes) {
      throw new StatusError(
        413,
        `The body (${n} bytes) is larger than the gateway can ever hold (${maxBytes} bytes).`,
        { headers: { Connection: 'close' }, subcode: 'BUDGET' },
      );
    }
    if (inUse + n > maxBytes) {
      throw new StatusError(
        413,
        `The gateway is holding too many request bodies right now; retry in ${retryAfter} s.`,
        {
          headers: { 'Retry-After': retryAfter, Connection: 'close' },
          subcode: 'BUSY',
        },
      );
    }
    inUse += n;
    (ctx.state as Record<symbol, number>)[RESERVED] = n;
    if (autoRelease) ctx.onClose(release);
  };

  return {
    guard,
    release,
    maxBytes,
    get inUse() {
      return inUse;
    },
  };
}
