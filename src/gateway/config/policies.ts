import { REPLAY_DEFAULTS } from '../policies/auth/replay.ts';
import { AUTH_DEFAULTS } from '../policies/guards/auth.ts';
import { BODY_BUDGET_DEFAULTS } from '../policies/guards/body-budget.ts';
import { PROXY_AUTH_DEFAULTS } from '../policies/guards/proxy-auth.ts';
import { RATE_DEFAULTS } from '../policies/guards/rate.ts';
import { SHED_DEFAULTS } from '../policies/guards/shed.ts';
import { MEMORY_STORE_DEFAULTS } from '../policies/limits/memory.ts';
/**
 * The `policies` section of the gateway's configuration file: proxy auth,
 * auth, rate limits, load shedding and the body budget. Read with the core's
 * ConfigReader so every problem is reported with its field; nothing is
 * applied unless the whole section is valid.
 */

import type { AuthScheme } from '../policies/auth/challenge.ts';
import type { AccessKeyRecord, ApiKeyRecord } from '../policies/auth/keys.ts';
import type { RouteRule } from '../policies/auth/routes.ts';
import { createAuthGuard, type ProtectRule } from '../policies/guards/auth.ts';
import type { ClientKey } from '../policies/guards/client-key.ts';
import { createProxyAuthGuard } from '../policies/guards/proxy-auth.ts';
import { FIELD_GENERATIONS, type FieldGeneration } from '../policies/limits/fields.ts';
import type { RatePolicy } from '../policies/limits/gcra.ts';
import { type ConfigPath, type ConfigReader, describe, isObj, type Obj } from './reader.ts';
import { type RedisConfig, readRedis } from './redis.ts';

export { type RedisConfig, redisTarget } from './redis.ts';

export interface PoliciesConfig {
  proxyAuth?: { realm: string; users: { user: string; password: string }[]; protect?: RouteRule[] };
  auth?: {
    realm: string;
    /** ms */
    skew: number;
    replayCache: number;
    /** Remember signatures in Redis (shared by all nodes) instead of in process. */
    replayRedis?: RedisConfig;
    apiKeys: ApiKeyRecord[];
    accessKeys: AccessKeyRecord[];
    protect?: ProtectRule[];
    /** Failed authentications per client address and window (ms), then 429; false = none. */
    failureLimit: { limit: number; window: number } | false;
  };
  rateLimit?: {
    /** The policy on every route; absent when only `limits` are given. */
    policy: RatePolicy | undefined;
    /** Policies for some routes (or all, without `routes`); a request under several is decided by each. */
    limits: (RatePolicy & { routes?: RouteRule[] })[];
    /** The generation of the RateLimit fields in answers. */
    fields: FieldGeneration;
    key: Exclude<ClientKey, (...args: never[]) => unknown>;
    store: 'memory' | 'redis';
    memory: { maxKeys: number; sweepInterval: number };
    redis: RedisConfig;
    /** s */
    unavailableRetryAfter: number;
  };
  shed?: { maxInFlight: number; retryAfter: number };
  bodyBudget?: { maxBytes: number; retryAfter: number; unknownLength: number };
}

export const POLICY_KEYS = ['proxyAuth', 'auth', 'rateLimit', 'shed', 'bodyBudget'] as const;
const SCHEMES: readonly AuthScheme[] = ['api-key', 'signature'];
const CLIENT_KEYS = ['principal', 'api-key', 'access-key', 'ip'] as const;

/** A list at `key` read item by item; undefined when absent or wrong. */
function list<T>(
  r: ConfigReader,
  o: Obj,
  key: string,
  path: ConfigPath,
  item: (v: unknown, p: ConfigPath) => T | undefined,
): T[] | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) return r.fail([...path, key], `must be a list, got ${describe(v)}.`);
  const out: T[] = [];
  v.forEach((x, i) => {
    const got = item(x, [...path, key, i]);
    if (got !== undefined) out.push(got);
  });
  return out.length === v.length ? out : undefined;
}

function readRule(r: ConfigReader, v: unknown, path: ConfigPath, withSchemes: boolean): ProtectRule | undefined {
  const o = r.object(v, path, withSchemes ? ['path', 'methods', 'schemes'] : ['path', 'methods']);
  if (!o) return undefined;
  const p = r.string(o, 'path', path);
  if (p === undefined)
    return r.fail([...path, 'path'], 'is required: a path such as "/items", "/items/:id" or "/api/*".');
  if (!p.startsWith('/')) return r.fail([...path, 'path'], `must start with "/", got ${describe(p)}.`);
  const rule: ProtectRule = { path: p };
  const methods = r.strings(o, 'methods', path);
  if (methods) rule.methods = methods.map((m) => m.toUpperCase());
  const schemes = withSchemes ? r.strings(o, 'schemes', path) : undefined;
  if (schemes) {
    const bad = schemes.find((s) => !(SCHEMES as readonly string[]).includes(s));
    if (bad !== undefined)
      return r.fail([...path, 'schemes'], `must list api-key and/or signature, got ${describe(bad)}.`);
    rule.schemes = schemes as AuthScheme[];
  }
  return rule;
}

function readRate(
  r: ConfigReader,
  v: unknown,
  path: ConfigPath,
  fallbackName: string,
  more: readonly string[] = [],
): RatePolicy | undefined {
  const o = r.object(v, path, ['name', 'limit', 'window', ...more]);
  if (!o) return undefined;
  const name = r.string(o, 'name', path, fallbackName);
  const limit = r.integer(o, 'limit', path, Number.NaN, 1, 1_000_000_000);
  if (Number.isNaN(limit)) return r.fail([...path, 'limit'], 'is required: requests per window.');
  const windowMs = r.duration(o, 'window', path, 60_000, 1000); // 60 s
  if (windowMs !== undefined && windowMs % 1000 !== 0) {
    return r.fail(
      [...path, 'window'],
      `must be whole seconds (RateLimit-Policy w is in seconds), got ${describe(o.window)}.`,
    );
  }
  if (name === undefined || limit === undefined || windowMs === undefined) return undefined;
  if (limit / (windowMs / 1000) > 10_000)
    return r.fail([...path, 'limit'], 'must be at most 10000 requests per second of the window.');
  // RFC 9651 §3.3.3: the name goes out as an sf-string, printable ASCII.
  if (!/^[\x20-\x7e]{1,64}$/.test(name)) return r.fail([...path, 'name'], 'must be 1–64 printable ASCII characters.');
  return { name, limit, window: windowMs / 1000 };
}

/** `failureLimit: false`, or `{ limit, window }` (default 10 per 60 s). */
function readFailureLimit(r: ConfigReader, v: unknown, path: ConfigPath): { limit: number; window: number } | false {
  if (v === false) return false;
  const o = v === undefined ? {} : r.object(v, path, ['limit', 'window']);
  if (!o) return false;
  const limit = r.integer(o, 'limit', path, 10, 1, 1_000_000) ?? 10;
  const window = r.duration(o, 'window', path, 60_000, 1000) ?? 60_000; // 60 s
  return { limit, window };
}

function readKeyRecord(r: ConfigReader, v: unknown, path: ConfigPath, kind: 'api' | 'access'): Obj | undefined {
  const fields = kind === 'api' ? ['key', 'id', 'allow', 'rate'] : ['accessKey', 'secretKey', 'allow', 'rate'];
  const o = r.object(v, path, fields);
  if (!o) return undefined;
  const before = r.issues.length;
  const out: Obj = {};
  for (const f of fields.slice(0, 2)) {
    const s = r.string(o, f, path);
    if (s === undefined && o[f] === undefined) r.fail([...path, f], 'is required.');
    out[f] = s;
  }
  if (kind === 'access' && typeof out.secretKey === 'string' && out.secretKey.length < 16) {
    r.fail([...path, 'secretKey'], 'must be at least 16 characters.');
  }
  const allow = list(r, o, 'allow', path, (x, p) => readRule(r, x, p, false));
  if (allow) out.allow = allow;
  if (o.rate !== undefined) out.rate = readRate(r, o.rate, [...path, 'rate'], 'default');
  return r.issues.length === before ? out : undefined;
}

/**
 * Builds a guard from the options read so far, to let the guard's own checks
 * (key syntax, duplicates, schemes without keys) speak as field issues.
 * The guards' TypeErrors start with the field (`apiKeys[1].id: …`).
 */
function probe(r: ConfigReader, base: ConfigPath, build: () => unknown): void {
  try {
    build();
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
    const m = /^([\w.[\]]+): ([\s\S]*)$/.exec(err.message);
    const field = (m?.[1] ?? '')
      .split(/\.|\[(\d+)\]/)
      .filter((x): x is string => Boolean(x))
      .map((x) => (/^\d+$/.test(x) ? Number(x) : x));
    r.fail([...base, ...field], m?.[2] ?? err.message);
  }
}

function section(r: ConfigReader, top: Obj, key: string, fields: readonly string[]): Obj | undefined {
  const v = top[key];
  if (v === undefined || v === null || v === false) return undefined;
  return r.object(v, ['policies', key], fields);
}

/** Reads `policies:`; issues go to the reader. Absent sections are off. */
export function readPolicies(r: ConfigReader, value: unknown): PoliciesConfig {
  if (value === undefined || value === null) return {};
  const top = r.object(value, ['policies'], POLICY_KEYS);
  if (!top) return {};
  const out: PoliciesConfig = {};

  const pa = section(r, top, 'proxyAuth', ['realm', 'users', 'protect']);
  if (pa) {
    const path = ['policies', 'proxyAuth'];
    const users = list(r, pa, 'users', path, (x, p) => {
      const o = r.object(x, p, ['user', 'password']);
      const user = o && r.string(o, 'user', p);
      const password = o && r.string(o, 'password', p);
      if (user?.includes(':')) return r.fail([...p, 'user'], 'must not contain ":" (RFC 7617 §2).');
      return user && password ? { user, password } : r.fail(p, 'needs user and password.');
    });
    if (!users || users.length === 0) r.fail([...path, 'users'], 'must list at least one { user, password }.');
    const protect = list(r, pa, 'protect', path, (x, p) => readRule(r, x, p, false));
    if (users && users.length > 0) probe(r, path, () => createProxyAuthGuard({ users }));
    out.proxyAuth = {
      realm: r.string(pa, 'realm', path, PROXY_AUTH_DEFAULTS.realm) ?? '',
      users: users ?? [],
      ...(protect ? { protect } : {}),
    };
  }

  const au = section(r, top, 'auth', [
    'realm',
    'skew',
    'replayCache',
    'replayRedis',
    'apiKeys',
    'accessKeys',
    'protect',
    'failureLimit',
  ]);
  if (au) {
    const path = ['policies', 'auth'];
    const before = r.issues.length;
    const apiKeys = (list(r, au, 'apiKeys', path, (x, p) => readKeyRecord(r, x, p, 'api')) ??
      []) as unknown as ApiKeyRecord[];
    const accessKeys = (list(r, au, 'accessKeys', path, (x, p) => readKeyRecord(r, x, p, 'access')) ??
      []) as unknown as AccessKeyRecord[];
    if (apiKeys.length + accessKeys.length === 0 && au.apiKeys === undefined && au.accessKeys === undefined) {
      r.fail(path, 'needs apiKeys and/or accessKeys.');
    }
    const protect = list(r, au, 'protect', path, (x, p) => readRule(r, x, p, true));
    if (r.issues.length === before) {
      probe(r, path, () => createAuthGuard({ apiKeys, accessKeys, ...(protect ? { protect } : {}) }));
    }
    out.auth = {
      realm: r.string(au, 'realm', path, AUTH_DEFAULTS.realm) ?? '',
      skew: r.duration(au, 'skew', path, AUTH_DEFAULTS.skewMs, 1000) ?? 0,
      replayCache: r.integer(au, 'replayCache', path, REPLAY_DEFAULTS.maxEntries, 1, 100_000_000) ?? 0,
      ...(au.replayRedis === undefined
        ? {}
        : { replayRedis: readRedis(r, au.replayRedis, [...path, 'replayRedis'], 'statuskit:replay:') }),
      apiKeys,
      accessKeys,
      ...(protect ? { protect } : {}),
      failureLimit: readFailureLimit(r, au.failureLimit, [...path, 'failureLimit']),
    };
  }

  const rl = section(r, top, 'rateLimit', [
    'name',
    'limit',
    'window',
    'key',
    'store',
    'memory',
    'redis',
    'unavailableRetryAfter',
    'limits',
    'fields',
  ]);
  if (rl) {
    const path = ['policies', 'rateLimit'];
    const { name, limit, window } = rl;
    const limits =
      list(r, rl, 'limits', path, (x, p) => {
        const rate = readRate(r, x, p, `policy-${Number(p[p.length - 1]) + 1}`, ['routes']);
        const routes = isObj(x) ? list(r, x, 'routes', p, (y, q) => readRule(r, y, q, false)) : undefined;
        return rate && (routes ? { ...rate, routes } : rate);
      }) ?? [];
    // One policy on every route (name/limit/window), or only `limits`, or both.
    const policy =
      limit === undefined && rl.limits !== undefined
        ? undefined
        : readRate(r, { name, limit, window }, path, 'default');
    const names = [policy, ...limits].filter((p) => p !== undefined).map((p) => p.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice !== undefined)
      r.fail([...path, 'limits'], `policy name "${twice}" is used twice; each policy needs its own.`);
    const mem =
      rl.memory === undefined ? {} : (r.object(rl.memory, [...path, 'memory'], ['maxKeys', 'sweepInterval']) ?? {});
    const store = r.oneOf(rl, 'store', path, ['memory', 'redis'] as const, rl.redis === undefined ? 'memory' : 'redis');
    out.rateLimit = {
      policy,
      limits,
      fields: r.oneOf(rl, 'fields', path, FIELD_GENERATIONS, 'draft-08') ?? 'draft-08',
      key: r.oneOf(rl, 'key', path, CLIENT_KEYS, 'principal') ?? 'principal',
      store: store ?? 'memory',
      memory: {
        maxKeys: r.integer(mem, 'maxKeys', [...path, 'memory'], MEMORY_STORE_DEFAULTS.maxKeys, 1, 100_000_000) ?? 0,
        sweepInterval:
          r.duration(mem, 'sweepInterval', [...path, 'memory'], MEMORY_STORE_DEFAULTS.sweepIntervalMs, 0) ?? 0,
      },
      redis: readRedis(r, rl.redis, [...path, 'redis'], 'statuskit:rl:'),
      unavailableRetryAfter: Math.ceil(
        (r.duration(rl, 'unavailableRetryAfter', path, RATE_DEFAULTS.unavailableRetryAfter * 1000, 1000) ?? 0) / 1000,
      ),
    };
  }

  const sh = section(r, top, 'shed', ['maxInFlight', 'retryAfter']);
  if (sh) {
    const path = ['policies', 'shed'];
    const max = r.integer(sh, 'maxInFlight', path, Number.NaN, 1, 10_000_000);
    if (Number.isNaN(max)) r.fail([...path, 'maxInFlight'], 'is required: the most requests admitted at once.');
    const retryAfter = r.duration(sh, 'retryAfter', path, SHED_DEFAULTS.retryAfter * 1000, 1000) ?? 0;
    out.shed = { maxInFlight: max ?? 0, retryAfter: Math.ceil(retryAfter / 1000) };
  }

  const bb = section(r, top, 'bodyBudget', ['maxBytes', 'retryAfter', 'unknownLength']);
  if (bb) {
    const path = ['policies', 'bodyBudget'];
    const maxBytes = r.size(bb, 'maxBytes', path, undefined, 1);
    if (maxBytes === undefined && bb.maxBytes === undefined) r.fail([...path, 'maxBytes'], 'is required, e.g. "64mb".');
    const retryAfter = r.duration(bb, 'retryAfter', path, BODY_BUDGET_DEFAULTS.retryAfter * 1000, 1000) ?? 0;
    const unknownLength = r.size(bb, 'unknownLength', path, BODY_BUDGET_DEFAULTS.unknownLengthBytes, 0) ?? 0;
    out.bodyBudget = { maxBytes: maxBytes ?? 0, retryAfter: Math.ceil(retryAfter / 1000), unknownLength };
  }
  return out;
}
