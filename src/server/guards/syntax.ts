/**
 * syntax — owns 400 Bad Request for what node's parser lets through.
 *
 * Framing errors (Content-Length with Transfer-Encoding, bad header names,
 * bare LF, obs-fold) never reach a guard: ../client-error.ts answers them 400
 * from the parser. This guard checks the rest:
 * RFC 9112 §3.2: an HTTP/1.1 request without Host, or with more than one, gets 400.
 * CONTRACT.md §4: `X-Request-Timeout` (and the `timeout` query parameter where
 *   the route enables it) must be a positive whole number of milliseconds;
 *   anything else is a bad request (RFC 9110 §15.5.1), not silently ignored.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';
import type { Router } from '../router.ts';

export const owns = [400] as const;

const MILLIS = /^[1-9]\d{0,9}$/;

function parseTimeout(value: string, where: string): number {
  const v = value.trim();
  if (!MILLIS.test(v)) {
    throw new StatusError(400, `${where} must be a positive whole number of milliseconds, got "${value}".`);
  }
  return Number(v);
}

function hostCount(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) n++;
  }
  return n;
}

export function syntaxGuard(router: Router) {
  return function syntax(ctx: Context): void {
    const req = ctx.req;
    if (req.httpVersionMinor === 1) {
      const hosts = req.headers.host === undefined ? 0 : hostCount(req.rawHeaders);
      if (hosts !== 1) {
        throw new StatusError(
          400,
          hosts === 0 ? 'An HTTP/1.1 request must carry Host.' : 'The request carries Host more than once.',
        );
      }
    }
    const header = req.headers['x-request-timeout'];
    let timeout = header === undefined ? undefined : parseTimeout(header as string, 'X-Request-Timeout');
    // Only a route with `timeoutQuery` reads the parameter; elsewhere `timeout` is the application's.
    if (ctx.search.includes('timeout=') && router.match(ctx.path)?.route.def.timeoutQuery) {
      const param = ctx.query.get('timeout');
      if (param !== null) {
        const ms = parseTimeout(param, 'The timeout query parameter');
        timeout = timeout === undefined ? ms : Math.min(timeout, ms);
      }
    }
    ctx.requestTimeout = timeout;
  };
}
