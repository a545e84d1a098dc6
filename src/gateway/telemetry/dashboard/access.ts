import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import { StatusError } from '../../../errors.ts';
import type { RequestContext } from '../../../server/types.ts';

/** The cookie the page leaves so its event stream (EventSource sends no header of its own) carries the token. */
export const TOKEN_COOKIE = 'statuskit_admin';

/** Whether the admin port listens on the loopback interface only. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === TOKEN_COOKIE) {
      try {
        return decodeURIComponent(rest.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Where a request carries the admin token: Authorization: Bearer, the page's cookie, or `?token=`. */
export function presentedToken(ctx: RequestContext): { token: string | undefined; fromQuery: boolean } {
  const auth = ctx.req.headers.authorization;
  // RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token.
  const bearer = auth && /^Bearer +(\S+)$/i.exec(auth)?.[1];
  if (bearer) return { token: bearer, fromQuery: false };
  const cookie = cookieToken(ctx.req.headers.cookie);
  if (cookie) return { token: cookie, fromQuery: false };
  const query = ctx.query.get('token') ?? undefined;
  return { token: query, fromQuery: query !== undefined };
}

const CHALLENGE = 'Bearer realm="statuskit-admin"';

/**
 * The dashboard's access rule. On loopback with no token configured it is
 * open (as /metrics). With `admin.token` it needs that token; bound
 * elsewhere without one it is closed: 401 + WWW-Authenticate: Bearer
 * (RFC 9110 §11.6.1, RFC 6750 §3) with the contract's error body.
 */
export function createAdminAccess(host: string, token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  const open = expected === undefined && isLoopback(host);
  return function checkAdminToken(ctx: RequestContext): { fromQuery: boolean; token: string } | undefined {
    if (open) return undefined;
    if (expected === undefined)
      throw new StatusError(
        401,
        'The dashboard is off on a non-loopback admin address until admin.token is configured.',
        { headers: { 'www-authenticate': CHALLENGE }, subcode: 'ADMIN_TOKEN' },
      );
    const presented = presentedToken(ctx);
    if (presented.token === undefined)
      throw new StatusError(401, 'The dashboard needs the admin token (Authorization: Bearer, or ?token=).', {
        headers: { 'www-authenticate': CHALLENGE },
        subcode: 'ADMIN_TOKEN',
      });
    // Compared as digests: same length, constant time.
    if (!timingSafeEqual(digest(presented.token), expected))
      throw new StatusError(401, 'The admin token is not valid.', {
        headers: { 'www-authenticate': `${CHALLENGE}, error="invalid_token"` },
        subcode: 'ADMIN_TOKEN',
      });
    return { fromQuery: presented.fromQuery, token: presented.token };
  };
}
