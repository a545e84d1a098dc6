import type { RouteDef } from '../../server/types.ts';

/**
 * The gateway route `base` split along the upstream's own route table (the
 * embedded lab's `createLab().routes`, where the gateway knows it): one route
 * per upstream route, with the upstream's paths and methods, carrying its
 * request-body limits (bodyLimit 413, requireLength 411, accepts 415), so
 * the gateway answers those exactly as the upstream would — before a body
 * byte moves. This matters for 413: RFC 9110 §15.5.14 lets a client that
 * declared a length wait for an early answer, and the proxy only starts the
 * upstream request with the first body byte, so only the gateway can give it.
 * Everything else (deadline, policies, upstream) stays the gateway route's;
 * `base` itself follows, for whatever the table does not name (the upstream
 * answers 404 there). Paths are matched as the client sends them.
 */
export function splitAlongUpstreamRoutes(base: RouteDef, upstream: readonly RouteDef[]): RouteDef[] {
  const handler = Object.values(base.methods)[0];
  if (!handler) return [base];
  const split = upstream.map((u): RouteDef => {
    const def: RouteDef = {
      ...base,
      path: u.path,
      // The upstream's methods, as far as the gateway route lets them through.
      methods: Object.fromEntries(Object.keys(u.methods).flatMap((m) => (m in base.methods ? [[m, handler]] : []))),
    };
    // The stricter of the two limits holds.
    if (u.bodyLimit !== undefined) def.bodyLimit = Math.min(u.bodyLimit, base.bodyLimit ?? u.bodyLimit);
    if (u.requireLength) def.requireLength = true;
    if (u.accepts !== undefined) def.accepts = u.accepts;
    if (!u.upgrade) delete def.upgrade;
    return def;
  });
  return [...split, base];
}
