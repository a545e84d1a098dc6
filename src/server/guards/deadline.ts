/**
 * deadline — owns 504 Gateway Timeout (and answers 408 for a body that stopped arriving).
 *
 * CONTRACT.md §4: the effective deadline is the smaller of the request's own
 * timeout (X-Request-Timeout, or the `timeout` query parameter where the route
 * enables it; checked by ./syntax.ts) and the route's limit. RFC 9110 §15.6.5:
 * 504 when no answer came in time. The guard only sets ctx.deadline; the front
 * starts watching it (../deadlines.ts) after the handler's synchronous part,
 * and only when the handler has not answered yet.
 * On expiry the front answers 504 and aborts ctx.signal, unless the answer
 * already started: then the deadline was met, and the answer is only cut
 * if it then stalls (see watchProgress).
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import { MAX_TIMER } from '../deadlines.ts';
import type { Resolved } from '../options.ts';
import { sendError } from '../respond.ts';
import { setFault } from '../state.ts';

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

/**
 * Past the deadline, an answer that already started streams on for as long
 * as it makes progress: when a whole route limit (`stall` ms) passes with no
 * byte handed to the socket — the handler or upstream went silent, or the
 * client stopped reading — the connection is cut. RFC 9112 §8: the client
 * then sees an incomplete message, never a complete-looking one.
 */
function watchProgress(ctx: Context, stall: number): void {
  const res = ctx.res;
  const socket = res.socket;
  if (!socket || stall <= 0 || stall > MAX_TIMER) return;
  let seen = socket.bytesWritten;
  const timer = setInterval(() => {
    const now = socket.bytesWritten;
    if (now !== seen) {
      seen = now;
      return;
    }
    clearInterval(timer);
    const err = new Error(`The answer made no progress for ${stall} ms past its deadline.`);
    res.destroy();
    ctx.abort(err);
  }, stall);
  res.on('close', () => clearInterval(timer));
}

/** A request whose deadline passed: 504, or for an answer already under way, a watch on its progress. */
export function expire(ctx: Context): void {
  const res = ctx.res;
  // CONTRACT.md §4 / RFC 9110 §15.6.5: 504 is for no answer in time. A status
  // line already sent is the answer: its body streams on (downloads, events)
  // while it makes progress.
  if (res.headersSent) {
    if (!res.writableEnded) watchProgress(ctx, ctx.route?.timeout ?? ctx.options.limits.timeout);
    return;
  }
  const ms = Math.round((ctx.deadline ?? ctx.start) - ctx.start);
  // RFC 9112 §9.6: a body still unread when the answer goes out leaves the connection unusable: close it.
  const unread = !ctx.req.complete;
  // RFC 9110 §15.5.9: the body stopped arriving while it was being read — the client did not
  // produce its request in time. 408, not the 504 of a handler or upstream that did not answer.
  const clientLate = unread && ctx.awaitingBody;
  if (clientLate) setFault(ctx, 'client');
  const err = clientLate
    ? new StatusError(408, `The request body stopped arriving; it was not complete within ${ms} ms.`, {
        headers: CLOSE,
      })
    : new StatusError(504, `No answer within the deadline of ${ms} ms.`, unread ? { headers: CLOSE } : {});
  // A handler that answers late writes after the end; that is expected, not an error.
  res.on('error', noop);
  sendError(ctx, err);
  ctx.abort(err);
}
