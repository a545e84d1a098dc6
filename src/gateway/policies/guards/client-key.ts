import { createHash } from 'node:crypto';
import type { RequestContext } from '../../../server/types.ts';
import { clientAddressOf } from '../../proxy/client-address.ts';
import { principalOf } from '../auth/principal.ts';

/**
 * What a per-client limit counts by:
 * - `principal`: who the auth guard authenticated (API key id or access key);
 * - `api-key`: the presented API key (X-Api-Key or Authorization: Bearer), hashed so no secret is stored;
 * - `access-key`: the Access= parameter of an SDK-HMAC-SHA256 Authorization;
 * - `ip`: the client address: the peer's, or through trusted proxies only (`trustProxy`, ../client-address.ts);
 * - a function returning the key, or undefined.
 * Whenever the chosen credential is absent, or was not authenticated by the auth guard, the client IP is used.
 */
export type ClientKey = 'principal' | 'api-key' | 'access-key' | 'ip' | ((ctx: RequestContext) => string | undefined);

const ACCESS = /(?:^|[\s,])access=([^\s,]+)/i;

function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.req.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The client-IP key. Keys are joined, not added: an added key of 13 characters or more is a
 * rope, which the store's map must flatten before it can hash it (see ../limits/memory.ts).
 */
export function ipOf(ctx: RequestContext): string {
  return ['ip:', clientAddressOf(ctx.req)].join('');
}

/** The presented API key, if any: X-Api-Key, else a Bearer token. */
export function presentedApiKey(ctx: RequestContext): string | undefined {
  const fromHeader = header(ctx, 'x-api-key');
  if (fromHeader !== undefined) return fromHeader.trim();
  const auth = header(ctx, 'authorization');
  // RFC 9110 §11.1: the scheme is case-insensitive.
  return auth !== undefined && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
}

/** Resolves a ClientKey option once into the function the guard calls per request. */
export function clientKeyFn(kind: ClientKey): (ctx: RequestContext) => string {
  if (typeof kind === 'function') return (ctx) => kind(ctx) ?? ipOf(ctx);
  switch (kind) {
    case 'ip':
      return ipOf;
    case 'principal':
      return (ctx) => {
        const p = principalOf(ctx);
        return p ? [p.scheme, ':', p.id].join('') : ipOf(ctx);
      };
    // A credential chooses the bucket only once the auth guard authenticated it: an invented key
    // would otherwise get a fresh bucket of its own with every guess. Unauthenticated → client address.
    case 'api-key':
      return (ctx) => {
        const key = principalOf(ctx)?.scheme === 'api-key' ? presentedApiKey(ctx) : undefined;
        return key ? `key:${createHash('sha256').update(key).digest('base64url').slice(0, 22)}` : ipOf(ctx);
      };
    case 'access-key':
      return (ctx) => {
        if (principalOf(ctx)?.scheme !== 'signature') return ipOf(ctx);
        const auth = header(ctx, 'authorization');
        const m = auth !== undefined && /^sdk-hmac-sha256 /i.test(auth) ? ACCESS.exec(auth.slice(16)) : null;
        return m?.[1] ? `ak:${m[1]}` : ipOf(ctx);
      };
    default:
      throw new TypeError(`key: "principal", "api-key", "access-key", "ip" or a function; got ${String(kind)}.`);
  }
}
