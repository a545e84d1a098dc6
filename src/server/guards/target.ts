/**
 * target — owns 414 URI Too Long.
 *
 * RFC 9110 §15.5.15: 414 when the request target is longer than the server
 * will interpret. RFC 9112 §3 recommends supporting request lines of at least
 * 8000 octets, the default limit. The limit covers the whole request line; a
 * line so long that node:http's header limit trips first is answered 414 by
 * ../client-error.ts, never 431.
 *
 * It also brings an absolute-form target to its path (RFC 9112 §3.2.2: a
 * server MUST accept the absolute-form).
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Resolved } from '../options.ts';

export const owns = [414] as const;

// "HTTP/1.1" plus the two spaces around the target.
const LINE_OVERHEAD = 10;
const ABSOLUTE = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i;

export function targetGuard(options: Resolved) {
  const limit = options.limits.requestLine;
  return function target(ctx: Context): void {
    const url = ctx.req.url ?? '';
    const length = ctx.method.length + url.length + LINE_OVERHEAD;
    if (length > limit) {
      throw new StatusError(414, `The request line is ${length} bytes long; the limit is ${limit} bytes.`);
    }
    if (url.charCodeAt(0) !== 47 /* '/' */ && url !== '*') {
      const authority = ABSOLUTE.exec(ctx.path);
      if (authority) ctx.path = ctx.path.slice(authority[0].length) || '/';
    }
  };
}
