/**
 * deadline — owns 504 Gateway Timeout.
 *
 * CONTRACT.md §4: the effective deadline is the smaller of the request's own
 * timeout (X-Request-Timeout, or the `timeout` query parameter where the route
 * enables it; checked by ./syntax.ts) and the route's limit. RFC 9110 §15.6.5:
 * 504 when no answer came in time. The guard only sets ctx.deadline; the timer
 * is armed by `armDeadline` after the handler's synchronous part, and only
 * when the handler has not answered yet — a synchronous answer costs no timer.
 * On expiry the front answers 504 and aborts ctx.signal, unless the answer
 * already started: then the deadline was met and nothing happens.
 */
import { performance } from 'node:perf_hooks';
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Resolved } from '../options.ts';
import { sendError } from '../respond.ts';

export const owns = [504] as const;

export function deadlineGuard(options: Resolved) {
  const fallback = options.limits.timeout;
  return function deadline(ctx: Context): void {
    const limit = ctx.route?.timeout ?? fallback;
    const asked = ctx.requestTimeout;
    const ms = asked === undefined ? limit : limit > 0 ? Math.min(asked, limit) : asked;
    if (ms > 0) ctx.deadline = ctx.start + ms;
  };
}

const noop = (): void => {};
const CLOSE = { Connection: 'close' } as const;
const MAX_TIMER = 2 ** 31 - 1; // ≈ 24.8 days, in ms

function expire(ctx: Context): void {
  const res = ctx.res;
  // CONTRACT.md §4 / RFC 9110 §15.6.5: 504 is for no answer in time. A status
  // line already sent is the answer; its body streams on (downloads, events),
  // and a stalled one is the socket timeouts' business, not the deadline's.
  if (res.headersSent) return;
  const ms = Math.round((ctx.deadline ?? ctx.start) - ctx.start);
  // RFC 9112 §9.6: a body still unread when the answer goes out leaves the connection unusable: close it.
  const unread = !ctx.req.complete;
  const err = new StatusError(504, `No answer within the deadline of ${ms} ms.`, unread ? { headers: CLOSE } : {});
  // A handler that answers late writes after the end; that is expected, not an error.
  res.on('error', noop);
  sendError(ctx, err);
  ctx.abort(err);
}

/** Starts the deadline timer for a handler that did not answer synchronously. */
export function armDeadline(ctx: Context): void {
  const at = ctx.deadline;
  if (at === undefined) return;
  // setTimeout fires at once for delays past 2^31-1 ms; such a deadline is as good as none.
  const delay = at - performance.now();
  if (delay > MAX_TIMER) return;
  const timer = setTimeout(expire, Math.max(0, delay), ctx);
  ctx.res.on('close', () => clearTimeout(timer));
}
