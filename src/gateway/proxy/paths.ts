/**
 * The gateway's path choices, on the canonical path the front made
 * (src/server/canonical.ts): what an encoded slash does on a route, and the
 * path sent upstream (prefix stripped, target base path joined).
 */
import type { EscapedSlashes } from '../../server/canonical.ts';
import type { PoliciesConfig } from '../config/policies.ts';
import type { RouteConfig } from '../config/route.ts';
import type { RouteRule } from '../policies/auth/routes.ts';
import type { Target } from '../upstream/targets.ts';

/** Whether some request under the route prefix `prefix` falls under `rule`. */
function overlaps(rule: RouteRule, prefix: string): boolean {
  const body = rule.path.endsWith('/*') ? rule.path.slice(0, -2) : rule.path;
  if (prefix === '/' || body === '' || body === prefix) return true;
  // A rule below the route (/api/admin under /api), or a route below a prefix rule (/api under /*, /a under /a/*).
  return body.startsWith(`${prefix}/`) || (rule.path.endsWith('/*') && prefix.startsWith(`${body}/`));
}

/**
 * The route's choice for %2F and %5C: its own when set; otherwise reject
 * (400) where the answer depends on reading the path right — a path rule
 * (auth or proxy-auth `protect`, a rate limit's `routes`) covers the route,
 * it strips its prefix, or a target has a base path — and keep elsewhere. An upstream that decodes %2F
 * would otherwise see a different path than the one the rule was checked on.
 */
export function escapedSlashesFor(route: RouteConfig, policies: PoliciesConfig): EscapedSlashes {
  if (route.escapedSlashes !== undefined) return route.escapedSlashes;
  if (route.stripPrefix || route.targets.some((t) => t.pathname !== '/')) return 'reject';
  const rules: RouteRule[] = [];
  if (policies.auth) rules.push(...(policies.auth.protect ?? [{ path: '/*' }]));
  if (policies.proxyAuth) rules.push(...(policies.proxyAuth.protect ?? [{ path: '/*' }]));
  // A limit on /api/items/* must not be walked around by /api/items%2Fx, which a decoding upstream serves.
  for (const limit of policies.rateLimit?.limits ?? []) if (limit.routes) rules.push(...limit.routes);
  return rules.some((rule) => overlaps(rule, route.path)) ? 'reject' : 'keep';
}

/**
 * What follows the route prefix in `path`, starting with "/". The path may
 * keep repeated slashes (mergeSlashes: false), also inside the prefix
 * ("//api//items" under "/api" is "//items").
 */
function afterPrefix(path: string, prefix: string): string {
  if (path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47))
    return path.slice(prefix.length) || '/';
  let i = 0;
  for (const segment of prefix.split('/').slice(1)) {
    while (path.charCodeAt(i) === 47) i++;
    if (!path.startsWith(segment, i)) return path; // not reached: the route matched the merged path
    i += segment.length;
  }
  return path.slice(i) || '/';
}

/**
 * The path and query sent upstream: the canonical path (never the raw
 * target), the route prefix stripped when asked, below the target's base
 * path. The canonical path has no dot segments, and encoded slashes that
 * would hide some are refused, so the result never leaves the base path.
 */
export function upstreamPath(target: Target, route: RouteConfig, path: string, search: string): string {
  const rest = route.stripPrefix && route.path !== '/' ? afterPrefix(path, route.path) : path;
  const full = target.basePath ? target.basePath + rest : rest;
  return search === '' ? full : `${full}?${search}`;
}
