/**
 * route — owns 404 Not Found, 405 Method Not Allowed, 204 No Content (OPTIONS).
 *
 * RFC 9110 §15.5.5: 404 when no route serves the target.
 * RFC 9110 §15.5.6: 405 when the route exists but not for this method; it
 *   MUST carry Allow listing the route's methods (§10.2.1).
 * RFC 9110 §9.3.7: OPTIONS asks what the target supports; the contract's
 *   answer is 204 with Allow, given by the front for every route. `OPTIONS *`
 *   (RFC 9112 §3.2.4) asks about the server as a whole.
 */
import { StatusError } from '../../errors.ts';
import { mergeSlashes } from '../canonical.ts';
import type { Context } from '../context.ts';
import { sendEmpty } from '../respond.ts';
import type { Router } from '../router.ts';

export const owns = [204, 404, 405] as const;

export function routeGuard(router: Router) {
  return function route(ctx: Context): void {
    const path = ctx.path;
    if (path === '*') {
      if (ctx.method === 'OPTIONS') {
        sendEmpty(ctx, 204, { allow: router.allowAll });
        return;
      }
      // RFC 9112 §3.2.4: the asterisk-form names no resource for any other method (the syntax guard answers 400).
      throw new StatusError(404, 'The target "*" names a resource only for OPTIONS.');
    }
    // A route that keeps repeated slashes (mergeSlashes: false) is still found by the merged path.
    const match = router.match(mergeSlashes(path));
    if (!match) {
      if (ctx.fallback) return;
      throw new StatusError(404, `No resource at ${path}.`);
    }
    const compiled = match.route;
    ctx.compiled = compiled;
    ctx.route = compiled.def;
    ctx.params = match.params;
    if (!compiled.methods.has(ctx.method)) {
      throw new StatusError(405, `${path} does not support ${ctx.method}; it supports ${compiled.allow}.`, {
        headers: { allow: compiled.allow },
      });
    }
    if (ctx.method === 'OPTIONS' && !compiled.handlers.has('OPTIONS')) {
      sendEmpty(ctx, 204, { allow: compiled.allow });
    }
  };
}
