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
import {
  type CanonicalTarget,
  canonicalTarget,
  checkKeptEscapes,
  decodeEscapedSlashes,
  hasEncodedSlash,
  mergeSlashes,
} from '../canonical.ts';
import type { Context } from '../context.ts';
import { checkHost } from '../host.ts';
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

/** Whether a Transfer-Encoding value has an empty member ("", "chunked, ", ", chunked"). */
function emptyCoding(te: string): boolean {
  if (te === 'chunked') return false;
  for (const member of te.split(',')) if (member.trim() === '') return true;
  return false;
}

const closing = { headers: { connection: 'close' } };

/**
 * The matched route's path choices (RouteDef.escapedSlashes, mergeSlashes):
 * an encoded slash kept, refused, or decoded (and the path routed again);
 * repeated slashes kept in ctx.path for a route that keeps them.
 */
function routeChoices(ctx: Context, router: Router, target: CanonicalTarget): void {
  let slashes = target.slashes;
  let def = router.match(ctx.path)?.route.def;
  if (def && hasEncodedSlash(ctx.path)) {
    const action = def.escapedSlashes ?? 'keep';
    if (action === 'reject') {
      throw new StatusError(400, `${def.path} does not take encoded slashes ("%2F", "%5C") in the path.`, closing);
    }
    if (action === 'keep') checkKeptEscapes(ctx.path);
    else {
      ctx.path = decodeEscapedSlashes(ctx.path, true);
      slashes = decodeEscapedSlashes(slashes, false);
      def = router.match(ctx.path)?.route.def;
    }
  }
  if (def?.mergeSlashes === false) ctx.path = slashes;
}

export function syntaxGuard(router: Router) {
  return function syntax(ctx: Context): void {
    const req = ctx.req;
    const target = canonicalTarget(req.url ?? '/', ctx.method);
    ctx.host = checkHost(req, target.authority);
    ctx.search = target.search;
    ctx.path = target.path;
    if (target.path !== target.slashes || hasEncodedSlash(target.path)) routeChoices(ctx, router, target);
    const te = req.headers['transfer-encoding'];
    if (te !== undefined && emptyCoding(te)) {
      throw new StatusError(400, 'Transfer-Encoding has an empty coding (RFC 9112 §6.1).', closing);
    }
    const header = req.headers['x-request-timeout'];
    let timeout = header === undefined ? undefined : parseTimeout(header as string, 'X-Request-Timeout');
    // Only a route with `timeoutQuery` reads the parameter; elsewhere `timeout` is the application's.
    if (ctx.search.includes('timeout=') && router.match(mergeSlashes(ctx.path))?.route.def.timeoutQuery) {
      const param = ctx.query.get('timeout');
      if (param !== null) {
        const ms = parseTimeout(param, 'The timeout query parameter');
        timeout = timeout === undefined ? ms : Math.min(timeout, ms);
      }
    }
    ctx.requestTimeout = timeout;
  };
}
