/**
 * version — owns 505 HTTP Version Not Supported.
 *
 * RFC 9110 §15.6.6 and RFC 9112 §2.3: a server answers 505 to a major
 * version it does not support. CONTRACT.md narrows it: on an HTTP/1
 * connection anything but HTTP/1.0 and HTTP/1.1 gets 505 (node:http parses
 * `HTTP/2.0` and `HTTP/0.9` request lines and would answer them 200).
 * Versions llhttp refuses outright (`HTTP/3.0`, `HTTP/1.2`) get the same
 * answer from ../client-error.ts.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import { isHttp2 } from '../h2.ts';

export const owns = [505] as const;

/** The 505 for a version other than HTTP/1.0 and 1.1; ../client-error.ts answers the parser's with it too. */
export const versionNotSupported = (major: number | string, minor: number | string): StatusError =>
  new StatusError(505, `HTTP/${major}.${minor} is not supported here: send the request as HTTP/1.1.`, {
    // The message framing of an unknown version cannot be trusted for a next request.
    headers: { connection: 'close' },
  });

export function versionGuard() {
  return function version(ctx: Context): void {
    const { httpVersionMajor: major, httpVersionMinor: minor } = ctx.req;
    // A real HTTP/2 stream passes; `HTTP/2.0` on an HTTP/1 request line does not.
    if ((major !== 1 || minor > 1) && !isHttp2(ctx.req)) {
      throw versionNotSupported(major, minor);
    }
  };
}
