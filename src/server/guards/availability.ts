/**
 * availability — owns 503 Service Unavailable.
 *
 * RFC 9110 §15.6.4: the server cannot handle the request now (maintenance,
 * overload, a disabled route). When the condition is temporary the answer
 * carries Retry-After in seconds (RFC 9110 §10.2.3); CONTRACT.md §5 tells
 * clients to retry a 503 only when it is there.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Resolved, Unavailable } from '../options.ts';

export const owns = [503] as const;

function refuse(u: Unavailable, what: string): StatusError {
  if (u.retryAfter === undefined) return new StatusError(503, u.reason ?? `${what} is unavailable.`);
  const seconds = Math.max(0, Math.ceil(u.retryAfter));
  return new StatusError(503, u.reason ?? `${what} is unavailable; retry in ${seconds} s.`, {
    headers: { 'retry-after': seconds },
  });
}

export function availabilityGuard(options: Resolved) {
  const check = options.availability;
  return function availability(ctx: Context): void {
    const off = ctx.route?.unavailable;
    if (off) throw refuse(off, ctx.path);
    if (check) {
      const u = check(ctx);
      if (u) throw refuse(u, 'The service');
    }
  };
}
