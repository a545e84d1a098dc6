/**
 * target — owns 414 URI Too Long.
 *
 * RFC 9110 §15.5.15: 414 when the request target is longer than the server
 * will interpret. RFC 9112 §3 recommends supporting request lines of at least
 * 8000 octets, the default limit. The limit covers the whole request line; a
 * line so long that node:http's header limit trips first is answered 414 by
 * ../client-error.ts, never 431.
 * The target's form and path are made canonical by the syntax guard
 * (../canonical.ts), which owns 400.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Resolved } from '../options.ts';

export const owns = [414] as const;

// "HTTP/1.1" plus the two spaces around the target.
const LINE_OVERHEAD = 10;

export function targetGuard(options: Resolved) {
  const limit = options.limits.requestLine;
  return function target(ctx: Context): void {
    const url = ctx.req.url ?? '';
    const length = ctx.method.length + url.length + LINE_OVERHEAD;
    if (length > limit) {
      throw new StatusError(414, `The request line is ${length} bytes long; the limit is ${limit} bytes.`);
    }
  };
}
