import { canonicalTarget, type EscapedSlashes } from '../../server/canonical.ts';
import type { Unavailable } from '../../server/options.ts';
import { type HealthCheckConfig, readHealthCheck } from './health-check.ts';
import { type ConfigPath, type ConfigReader, describe, isObj, type Obj } from './reader.ts';

/** Changes to an upstream 200 JSON object body; any change makes the answer 203. */
export interface TransformConfig {
  /** Top-level members set (added or replaced). */
  set: Readonly<Record<string, unknown>>;
  /** Top-level members removed. */
  remove: readonly string[];
  /** Top-level members renamed, old → new. */
  rename: Readonly<Record<string, string>>;
  /** Bodies larger than this pass through unchanged (streamed). @default 1 MiB */
  maxBody: number;
}

export interface BreakerConfig {
  /** Consecutive failures that open the breaker. @default 5 */
  failures: number;
  /** How long it stays open before one probe is let through, in ms. @default 10000 (10 s) */
  cooldown: number;
  /** Upstream answers (5xx) that count as failures; any other answer is a success. @default none */
  failOn: readonly number[];
}

/** One route of the gateway after validation. */
export interface RouteConfig {
  /** Position in the file, for messages. */
  index: number;
  /** Path prefix, `/` or `/api` (no trailing slash). */
  path: string;
  /** Where requests go, in turn (round robin over the healthy ones). */
  targets: readonly URL[];
  /** Methods the route takes (405 + Allow for others). @default GET HEAD POST PUT PATCH DELETE */
  methods: readonly string[];
  /** Remove the prefix before forwarding: /api/items → /items. @default false */
  stripPrefix: boolean;
  /**
   * Keep repeated slashes in the forwarded path (`/a//b`); routing and access
   * rules read the merged path all the same. @default true (merged)
   */
  mergeSlashes: boolean;
  /**
   * An encoded slash (%2F, %5C) in the path: keep, reject (400) or decode.
   * Unset, the gateway chooses (src/gateway/gateway.ts `escapedSlashesFor`):
   * reject where an access rule covers the route, where it strips its prefix or
   * a target has a base path; keep elsewhere.
   */
  escapedSlashes: EscapedSlashes | undefined;
  /** Deadline for the upstream's answer, in ms; X-Request-Timeout can only shorten it. @default 30000 (30 s) */
  timeout: number;
  /** Honour `?timeout=` as well as X-Request-Timeout. @default false */
  timeoutQuery: boolean;
  /** Largest request body in bytes (413). @default limits.body */
  bodyLimit: number | undefined;
  /** POST/PUT/PATCH must carry Content-Length (411). @default false */
  requireLength: boolean;
  /** Media types accepted for request bodies (415). @default any */
  accepts: readonly string[] | undefined;
  /** Most connections per upstream target. @default 256 */
  connections: number;
  /** Longest silence from the upstream while a response body streams, in ms. @default 30000 (30 s) */
  idleTimeout: number;
  /** false = never open. */
  breaker: BreakerConfig | false;
  /** Active health checks of the targets; none by default (the breakers judge real traffic). */
  healthCheck: HealthCheckConfig | undefined;
  /** Retry an idempotent request on another target when the first could not even connect. @default true */
  retry: boolean;
  transform: TransformConfig | undefined;
  /** Rewrite upstream 4xx/5xx bodies not in the contract's format into its error body. @default false */
  normaliseErrors: boolean;
  /** Pass `Upgrade: websocket` requests through. @default true */
  websocket: boolean;
  /** Disabled (no Retry-After) or in maintenance (with Retry-After): every request gets 503. */
  unavailable: Unavailable | undefined;
  /** The gateway is not ready (/readyz 503) while this route has no target able to serve. @default false */
  critical: boolean;
}

export const PROXY_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const ROUTE_KEYS = [
  'path',
  'targets',
  'methods',
  'stripPrefix',
  'mergeSlashes',
  'escapedSlashes',
  'timeout',
  'timeoutQuery',
  'bodyLimit',
  'requireLength',
  'accepts',
  'connections',
  'idleTimeout',
  'breaker',
  'healthCheck',
  'retry',
  'transform',
  'normaliseErrors',
  'websocket',
  'disabled',
  'maintenance',
  'critical',
] as const;

/** Checks one upstream address; returns the URL or a sentence saying what is wrong. */
export function parseTarget(text: string): URL | string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `is not an absolute URL: ${JSON.stringify(text)} (expected e.g. "http://127.0.0.1:3000").`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `must use http: or https:, got "${url.protocol}" in ${JSON.stringify(text)}.`;
  if (url.username || url.password) return `must not carry credentials (${JSON.stringify(text)}).`;
  if (url.search || url.hash) return `must not carry a query or fragment (${JSON.stringify(text)}).`;
  return url;
}

function readTargets(r: ConfigReader, o: Obj, path: ConfigPath): URL[] | undefined {
  if (o.targets === undefined) return r.fail([...path, 'targets'], 'is required: one or more upstream URLs.');
  const list = r.strings(o, 'targets', path);
  if (!list) return undefined;
  if (list.length === 0) return r.fail([...path, 'targets'], 'must name at least one upstream URL.');
  const urls: URL[] = [];
  list.forEach((text, i) => {
    const url = parseTarget(text);
    if (typeof url === 'string')
      r.fail(typeof o.targets === 'string' ? [...path, 'targets'] : [...path, 'targets', i], url);
    else urls.push(url);
  });
  return urls.length === list.length ? urls : undefined;
}

function readPath(r: ConfigReader, o: Obj, path: ConfigPath): string | undefined {
  const p = r.string(o, 'path', path);
  if (p === undefined)
    return o.path === undefined ? r.fail([...path, 'path'], 'is required: a path prefix such as "/api".') : undefined;
  if (!/^\/[A-Za-z0-9\-._~!$&'()+,;=:@%/]*$/.test(p) || p.includes('//'))
    return r.fail(
      [...path, 'path'],
      `must be a path prefix starting with "/" (no query, no wildcards), got ${JSON.stringify(p)}.`,
    );
  const trimmed = p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
  // Requests are routed by their canonical path (src/server/canonical.ts): a prefix in any other spelling would match nothing.
  let canonical: string;
  try {
    canonical = canonicalTarget(trimmed, 'GET').path;
  } catch (err) {
    return r.fail([...path, 'path'], `is not a valid path: ${(err as Error).message}`);
  }
  if (canonical !== trimmed)
    return r.fail(
      [...path, 'path'],
      `must be written in canonical form: ${JSON.stringify(canonical)}, not ${JSON.stringify(p)}.`,
    );
  return trimmed;
}

function readMethods(r: ConfigReader, o: Obj, path: ConfigPath): string[] | undefined {
  const list = r.strings(o, 'methods', path);
  if (list === undefined) return o.methods === undefined ? [...PROXY_METHODS] : undefined;
  const upper = list.map((m) => m.toUpperCase());
  const bad = upper.filter((m) => !(PROXY_METHODS as readonly string[]).includes(m));
  if (bad.length)
    return r.fail(
      [...path, 'methods'],
      `names methods the gateway does not forward: ${bad.join(', ')} (allowed: ${PROXY_METHODS.join(', ')}; OPTIONS is answered by the gateway).`,
    );
  if (upper.length === 0) return r.fail([...path, 'methods'], 'must name at least one method.');
  return upper;
}

function readBreaker(r: ConfigReader, value: unknown, path: ConfigPath): BreakerConfig | false | undefined {
  if (value === false) return false;
  const o = value === undefined ? {} : r.object(value, path, ['failures', 'cooldown', 'failOn']);
  if (!o) return undefined;
  const failures = r.integer(o, 'failures', path, 5, 1, 1_000_000);
  const cooldown = r.duration(o, 'cooldown', path, 10_000, 1); // 10 s
  const failOn = o.failOn ?? [];
  // RFC 9110 §15.6: only a server error can say the upstream is failing.
  if (!Array.isArray(failOn) || !failOn.every((c) => Number.isInteger(c) && c >= 500 && c <= 599))
    return r.fail([...path, 'failOn'], `must be a list of 5xx status codes, got ${describe(o.failOn)}.`);
  return failures === undefined || cooldown === undefined ? undefined : { failures, cooldown, failOn };
}

function readTransform(r: ConfigReader, value: unknown, path: ConfigPath): TransformConfig | undefined {
  if (value === undefined) return undefined;
  const o = r.object(value, path, ['set', 'remove', 'rename', 'maxBody']);
  if (!o) return undefined;
  const set =
    o.set === undefined
      ? {}
      : isObj(o.set)
        ? o.set
        : r.fail([...path, 'set'], `must be a mapping of members to values, got ${describe(o.set)}.`);
  const remove = r.strings(o, 'remove', path) ?? [];
  let rename: Record<string, string> | undefined = {};
  if (o.rename !== undefined) {
    if (!isObj(o.rename))
      rename = r.fail([...path, 'rename'], `must be a mapping old: new, got ${describe(o.rename)}.`);
    else
      for (const [from, to] of Object.entries(o.rename))
        if (typeof to !== 'string' || to === '')
          rename = r.fail([...path, 'rename', from], `must name the new member, got ${describe(to)}.`);
        else if (rename) rename[from] = to;
  }
  const maxBody = r.size(o, 'maxBody', path, 1024 * 1024, 1); // 1 MiB
  if (set === undefined || rename === undefined || maxBody === undefined) return undefined;
  if (Object.keys(set).length + remove.length + Object.keys(rename).length === 0)
    return r.fail(path, 'changes nothing: give at least one of set, remove, rename.');
  return { set, remove, rename, maxBody };
}

function readUnavailable(r: ConfigReader, o: Obj, path: ConfigPath): Unavailable | undefined | false {
  if (o.disabled !== undefined && o.maintenance !== undefined)
    return (
      r.fail(
        [...path, 'maintenance'],
        'cannot be combined with "disabled": a route is either disabled or in maintenance.',
      ) ?? false
    );
  const disabled = r.boolean(o, 'disabled', path, false);
  if (disabled) return { reason: `The route ${String(o.path)} is disabled.` };
  if (o.maintenance === undefined) return undefined;
  const m = r.object(o.maintenance, [...path, 'maintenance'], ['retryAfter', 'reason']);
  if (!m) return false;
  const retryAfter = r.duration(m, 'retryAfter', [...path, 'maintenance'], 0, 1000);
  const reason = r.string(m, 'reason', [...path, 'maintenance'], `The route ${String(o.path)} is in maintenance.`);
  if (retryAfter === undefined || reason === undefined) return false;
  // RFC 9110 §10.2.3: Retry-After in whole seconds.
  return retryAfter > 0 ? { retryAfter: Math.ceil(retryAfter / 1000), reason } : { reason };
}

/** Validates one entry of `routes`; undefined when it has issues (they are in the reader). */
export function readRoute(r: ConfigReader, value: unknown, path: ConfigPath): RouteConfig | undefined {
  const before = r.issues.length;
  const o = r.object(value, path, ROUTE_KEYS);
  if (!o) return undefined;
  const unavailable = readUnavailable(r, o, path);
  const route = {
    index: Number(path[path.length - 1]),
    path: readPath(r, o, path),
    targets: readTargets(r, o, path),
    methods: readMethods(r, o, path),
    stripPrefix: r.boolean(o, 'stripPrefix', path, false),
    mergeSlashes: r.boolean(o, 'mergeSlashes', path, true),
    escapedSlashes:
      o.escapedSlashes === undefined
        ? undefined
        : r.oneOf(o, 'escapedSlashes', path, ['keep', 'reject', 'decode'] as const, 'keep'),
    timeout: r.duration(o, 'timeout', path, 30_000, 1), // 30 s
    timeoutQuery: r.boolean(o, 'timeoutQuery', path, false),
    bodyLimit: r.size(o, 'bodyLimit', path, undefined, 0),
    requireLength: r.boolean(o, 'requireLength', path, false),
    accepts: r.strings(o, 'accepts', path),
    connections: r.integer(o, 'connections', path, 256, 1, 65_536),
    idleTimeout: r.duration(o, 'idleTimeout', path, 30_000, 1), // 30 s
    breaker: readBreaker(r, o.breaker, [...path, 'breaker']),
    healthCheck: readHealthCheck(r, o.healthCheck, [...path, 'healthCheck']),
    retry: r.boolean(o, 'retry', path, true),
    transform: readTransform(r, o.transform, [...path, 'transform']),
    normaliseErrors: r.boolean(o, 'normaliseErrors', path, false),
    websocket: r.boolean(o, 'websocket', path, true),
    unavailable: unavailable === false ? undefined : unavailable,
    critical: r.boolean(o, 'critical', path, false),
  };
  return r.issues.length === before ? (route as RouteConfig) : undefined;
}
