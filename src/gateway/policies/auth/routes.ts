import { decisionPath } from '../../../server/canonical.ts';
import type { RequestContext } from '../../../server/types.ts';

/**
 * A set of requests by path and method:
 * - `path` exact (`/items`), a prefix (`/api/*` matches `/api` and everything under it),
 *   or a route pattern as written in the routes (`/items/:id`, compared with the matched route);
 * - `methods` upper-case; absent means every method.
 * Rules compare with the canonical path (src/server/canonical.ts) with each
 * segment's parameters removed and slashes merged: /admin/* covers
 * /admin;x/secret and, on a route that keeps slashes, /admin//secret.
 */
export interface RouteRule {
  path: string;
  methods?: readonly string[];
}

export type RouteMatcher = (ctx: RequestContext) => boolean;

/** Compiles rules once; the matcher says whether any rule covers the request. */
export function compileRules(rules: readonly RouteRule[]): RouteMatcher {
  const compiled = rules.map((rule, i) => {
    if (typeof rule.path !== 'string' || !rule.path.startsWith('/')) {
      throw new TypeError(`[${i}].path: a path starting with "/", got ${JSON.stringify(rule.path)}.`);
    }
    const methods = rule.methods ? new Set(rule.methods.map((m) => m.toUpperCase())) : undefined;
    const prefix = rule.path.endsWith('/*') ? rule.path.slice(0, -2) : undefined;
    return { path: rule.path, prefix, methods };
  });
  return (ctx) => {
    const path = decisionPath(ctx.path);
    for (const r of compiled) {
      if (r.methods && !r.methods.has(ctx.method)) continue;
      if (r.prefix !== undefined) {
        if (path === r.prefix || path.startsWith(`${r.prefix}/`)) return true;
      } else if (path === r.path || ctx.route?.path === r.path) return true;
    }
    return false;
  };
}
