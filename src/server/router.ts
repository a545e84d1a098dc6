import type { Handler, RouteDef } from './types.ts';

/** A route with what the front needs per request computed once. */
export interface CompiledRoute {
  readonly def: RouteDef;
  /** The Allow field value: the route's methods, HEAD where GET exists, and OPTIONS (RFC 9110 §10.2.1). */
  readonly allow: string;
  readonly methods: ReadonlySet<string>;
  /** Handlers by upper-case method; HEAD falls back to GET. */
  readonly handlers: ReadonlyMap<string, Handler>;
}

export interface Match {
  readonly route: CompiledRoute;
  readonly params: Record<string, string>;
}

interface Pattern {
  readonly route: CompiledRoute;
  /** Literal segments, or `:name` parameters. */
  readonly segments: readonly string[];
  /** `/api/*`: the rest of the path goes to params['*']. */
  readonly prefix: boolean;
  /**
   * For a prefix route with literal segments only (`/api/*`, `/*`, the
   * gateway's routes): `/api`, matched with string compares, no split.
   */
  readonly literal: string | undefined;
}

const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function compile(def: RouteDef, implemented: ReadonlySet<string>): CompiledRoute {
  if (typeof def.path !== 'string' || !def.path.startsWith('/')) {
    throw new TypeError(`Route path must start with "/", got ${JSON.stringify(def.path)}.`);
  }
  const handlers = new Map<string, Handler>();
  for (const [method, handler] of Object.entries(def.methods)) {
    if (typeof handler !== 'function')
      throw new TypeError(`Route ${def.path}: the ${method} handler is not a function.`);
    handlers.set(method.toUpperCase(), handler);
  }
  // RFC 9110 §9.3.2: HEAD is GET without content, so a GET route serves HEAD too.
  const get = handlers.get('GET');
  if (get && !handlers.has('HEAD')) handlers.set('HEAD', get);
  // Allow names only what the server implements: the rest is 501 before routing (RFC 9110 §15.6.2).
  const methods = new Set([...handlers.keys()].filter((m) => implemented.has(m)));
  if (implemented.has('OPTIONS')) methods.add('OPTIONS');
  return { def, methods, handlers, allow: [...methods].join(', ') };
}

/**
 * Finds the route of a path: exact paths through one map lookup, then
 * patterns with `:params`, then `/prefix/*` routes, in the order given.
 */
export class Router {
  /** Exact paths map straight to a ready Match: no allocation per request. */
  readonly #exact = new Map<string, Match>();
  readonly #patterns: Pattern[] = [];
  /** Every method some route implements, for the server-wide `OPTIONS *` (RFC 9110 §9.3.7). */
  readonly allowAll: string;

  /** `implemented`: the server's methods (ServerOptions.methods). */
  constructor(routes: readonly RouteDef[], implemented: ReadonlySet<string>) {
    const all = new Set<string>(implemented.has('OPTIONS') ? ['OPTIONS'] : []);
    for (const def of routes) {
      const route = compile(def, implemented);
      for (const m of route.methods) all.add(m);
      const prefix = def.path.endsWith('/*');
      const body = prefix ? def.path.slice(0, -2) : def.path;
      const segments = body.split('/').slice(1);
      if (!prefix && !segments.some((s) => s.startsWith(':'))) {
        if (!this.#exact.has(def.path)) this.#exact.set(def.path, { route, params: NO_PARAMS });
      } else {
        const literal = prefix && !segments.some((seg) => seg.startsWith(':')) ? body : undefined;
        this.#patterns.push({ route, segments: prefix && body === '' ? [] : segments, prefix, literal });
      }
    }
    this.allowAll = [...all].join(', ');
  }

  match(path: string): Match | undefined {
    const exact = this.#exact.get(path);
    if (exact) return exact;
    let parts: string[] | undefined;
    for (const p of this.#patterns) {
      if (p.literal !== undefined) {
        const rest = restAfter(p.literal, path);
        if (rest !== undefined) return { route: p.route, params: { '*': rest } };
        continue;
      }
      parts ??= path.split('/').slice(1);
      const params = matchPattern(p, parts);
      if (params) return { route: p.route, params };
    }
    return undefined;
  }
}

/** What follows `/prefix` in `path` (without the `/`), or undefined when `path` is not under it. */
function restAfter(prefix: string, path: string): string | undefined {
  if (!path.startsWith(prefix)) return undefined;
  if (path.length === prefix.length) return '';
  return path.charCodeAt(prefix.length) === 47 /* / */ ? path.slice(prefix.length + 1) : undefined;
}

function matchPattern(p: Pattern, parts: readonly string[]): Record<string, string> | undefined {
  const n = p.segments.length;
  if (p.prefix ? parts.length < n : parts.length !== n) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < n; i++) {
    const seg = p.segments[i]!;
    const part = parts[i]!;
    if (seg.startsWith(':')) {
      if (part === '') return undefined;
      params[seg.slice(1)] = part;
    } else if (seg !== part) return undefined;
  }
  if (p.prefix) params['*'] = parts.slice(n).join('/');
  return params;
}
