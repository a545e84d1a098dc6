import { createHash, timingSafeEqual } from 'node:crypto';
import { StatusError } from '../../../errors.ts';
import type { Guard, RequestContext } from '../../../server/types.ts';
import { basicChallenge } from '../auth/challenge.ts';
import { compileRules, type RouteRule } from '../auth/routes.ts';
import type { Owned } from '../registry.ts';

export const owns = [{ code: 407, subcodes: ['MISSING', 'MALFORMED', 'INVALID'] }] as const satisfies readonly Owned[];

/** The option defaults (the config reader takes them from here). */
export const PROXY_AUTH_DEFAULTS = { realm: 'statuskit-gateway' } as const;

export interface ProxyUser {
  user: string;
  password: string;
}

export interface ProxyAuthOptions {
  /** Who may use the gateway as a proxy (Proxy-Authorization: Basic). */
  users: readonly ProxyUser[];
  /** Routes that require proxy credentials. @default every route */
  protect?: readonly RouteRule[];
  /** The realm named in Proxy-Authenticate. @default "statuskit-gateway" */
  realm?: string;
}

const hash = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** RFC 7617 §2: token68 after the (case-insensitive) scheme name. */
const BASIC = /^basic +([A-Za-z0-9+/]+=*) *$/i;

/**
 * 407 + Proxy-Authenticate (RFC 9110 §15.5.8, §11.7.1) unless the request
 * carries valid Proxy-Authorization: Basic credentials (RFC 7617). Passwords are
 * compared as SHA-256 digests in constant time, and an unknown user costs the
 * same comparison. Valid credentials are consumed: removed before forwarding
 * (RFC 9110 §11.7.2). Synchronous.
 */
export function createProxyAuthGuard(options: ProxyAuthOptions): Guard {
  const realm = options.realm ?? PROXY_AUTH_DEFAULTS.realm;
  if (!Array.isArray(options.users) || options.users.length === 0) throw new TypeError('users: at least one user.');
  const users = new Map<string, Buffer>();
  options.users.forEach((u, i) => {
    if (typeof u.user !== 'string' || u.user === '' || u.user.includes(':')) {
      throw new TypeError(`users[${i}].user: a non-empty name without ":" (RFC 7617 §2).`);
    }
    if (typeof u.password !== 'string' || u.password === '') throw new TypeError(`users[${i}].password: non-empty.`);
    if (users.has(u.user)) throw new TypeError(`users[${i}].user: "${u.user}" is listed twice.`);
    users.set(u.user, hash(u.password));
  });
  const applies = compileRules(options.protect ?? [{ path: '/*' }]);
  const challenge = { 'Proxy-Authenticate': basicChallenge(realm) };
  const decoy = hash('\u0000decoy');
  const refuse = (message: string, subcode: string) => new StatusError(407, message, { headers: challenge, subcode });

  return function proxyAuth(ctx: RequestContext): void {
    if (!applies(ctx)) return;
    const value = ctx.req.headers['proxy-authorization'];
    if (value === undefined) throw refuse('Proxy credentials are required.', 'MISSING');
    const m = BASIC.exec(value);
    const decoded = m ? Buffer.from(m[1] as string, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) throw refuse('Proxy-Authorization must be Basic base64(user:password).', 'MALFORMED');
    const expected = users.get(decoded.slice(0, colon));
    const ok = timingSafeEqual(expected ?? decoy, hash(decoded.slice(colon + 1))) && expected !== undefined;
    if (!ok) throw refuse('The proxy credentials are not valid.', 'INVALID');
    delete ctx.req.headers['proxy-authorization'];
  };
}
