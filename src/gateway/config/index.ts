import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { DEFAULT_PROFILE, PROFILE_IDS, type Profile } from '../../catalog/index.ts';
import type { Limits } from '../../server/options.ts';
import { trustedProxies } from '../proxy/client-address.ts';
import { type PoliciesConfig, readPolicies } from './policies.ts';
import {
  ConfigError,
  type ConfigIssue,
  type ConfigPath,
  ConfigReader,
  describe,
  fieldName,
  type Obj,
} from './reader.ts';
import { type RouteConfig, readRoute } from './route.ts';

export type { RouteConfig, TransformConfig } from './route.ts';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Endpoint {
  host: string;
  port: number;
}

export interface AdminEndpoint extends Endpoint {
  /**
   * Bearer token the dashboard (page and stream) asks for. Needed when the
   * admin port is not on loopback: without one the dashboard answers 401 there.
   * @default none
   */
  token?: string;
}

/** TLS on the listener: PEM file paths (relative to the working directory), read at start. */
export interface TlsConfig {
  cert: string;
  key: string;
  /** CA certificates sent with the chain / trusted for client certificates. */
  ca?: string;
  /** @default 'TLSv1.2' */
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}

/** The public listener: where, and how it speaks (see docs/gateway.md, TLS and HTTP/2). */
export interface ListenConfig extends Endpoint {
  tls?: TlsConfig;
  /** With tls: HTTP/2 and HTTP/1.1 by ALPN; without: an h2c (prior knowledge) only port. @default true with tls */
  http2?: boolean;
}

/** The gateway's whole configuration after validation and defaults. */
export interface GatewayConfig {
  /** @default 'generic' */
  profile: Profile;
  /** @default { host: '127.0.0.1', port: 8080 } (cleartext HTTP/1.1) */
  listen: ListenConfig;
  /** Prometheus /metrics, /healthz, /readyz, the dashboard; false = none. @default { host: '127.0.0.1', port: 9090 } */
  admin: AdminEndpoint | false;
  /** Access and event logs (JSON lines on stdout). @default 'info' */
  logLevel: LogLevel;
  /** Shutdown: how long in-flight requests may take, and the Retry-After of answers refused meanwhile. */
  drain: { grace: number; retryAfter: number };
  /** The front's parser and size limits (body is the default for routes that set none). */
  limits: Limits;
  /** Longest prefix first. */
  routes: RouteConfig[];
  /** Proxy authentication, authentication, rate limit, load shedding, body budget: each off unless configured. */
  policies: PoliciesConfig;
  /**
   * Peers (addresses or CIDR blocks) whose Forwarded / X-Forwarded-For say who
   * the client is (./client-address.ts). @default [] (none: the peer is the client)
   */
  trustProxy: readonly string[];
}

export const DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  adminPort: 9090,
  grace: 10_000, // 10 s
  drainRetryAfter: 5, // 5 s
  logLevel: 'info',
  workers: 1,
} as const;

const TOP_KEYS = ['profile', 'listen', 'admin', 'log', 'drain', 'limits', 'routes', 'policies', 'trustProxy'] as const;
const LIMIT_KEYS = [
  'requestLine',
  'headerSize',
  'body',
  'headersTimeout',
  'bodyTimeout',
  'requestTimeout',
  'keepAliveTimeout',
] as const;

function readEndpoint(
  r: ConfigReader,
  value: unknown,
  path: ConfigPath,
  fallback: Endpoint,
  keys: readonly string[] = ['host', 'port'],
): Endpoint | undefined {
  if (value === undefined || value === null) return fallback;
  const o = r.object(value, path, keys);
  if (!o) return undefined;
  const host = r.string(o, 'host', path, fallback.host);
  const port = r.integer(o, 'port', path, fallback.port, 0, 65_535);
  return host === undefined || port === undefined ? undefined : { host, port };
}

/** Tokens shorter than this are refused: the admin token guards a page that lists request ids and paths. */
const MIN_TOKEN = 16;

function readAdmin(r: ConfigReader, value: unknown): AdminEndpoint | undefined {
  const fallback = { host: DEFAULTS.host, port: DEFAULTS.adminPort };
  if (value === undefined || value === null) return fallback;
  const endpoint = readEndpoint(r, value, ['admin'], fallback, ['host', 'port', 'token']);
  const o = value as Obj;
  if (o.token === undefined || o.token === null) return endpoint;
  const token = r.string(o, 'token', ['admin']);
  if (token === undefined) return undefined;
  // RFC 6750 §2.1: a b64token, so it goes in an Authorization field as it is.
  if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token))
    return r.fail(['admin', 'token'], 'must be a bearer token: letters, digits and -._~+/ only (RFC 6750 §2.1).');
  if (token.length < MIN_TOKEN)
    return r.fail(['admin', 'token'], `must be at least ${MIN_TOKEN} characters long, got ${token.length}.`);
  return endpoint && { ...endpoint, token };
}

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;

/** A PEM file the listener needs: it must exist and hold a PEM block now, not fail at the first handshake. */
function readPem(r: ConfigReader, o: Obj, key: string, path: ConfigPath, what: string): string | undefined {
  const file = r.string(o, key, path);
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return r.fail(
      [...path, key],
      `cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? err}.`,
    );
  }
  if (!text.includes(`-----BEGIN ${what}`) && !(what === 'PRIVATE KEY' && /-----BEGIN [A-Z ]*PRIVATE KEY/.test(text)))
    return r.fail([...path, key], `${JSON.stringify(file)} holds no PEM ${what}.`);
  return file;
}

function readTls(r: ConfigReader, value: unknown, path: ConfigPath): TlsConfig | undefined {
  const o = r.object(value, path, ['cert', 'key', 'ca', 'minVersion']);
  if (!o) return undefined;
  if (o.cert === undefined) r.fail([...path, 'cert'], 'is required: the PEM certificate (chain) file.');
  if (o.key === undefined) r.fail([...path, 'key'], 'is required: the PEM private key file.');
  const cert = readPem(r, o, 'cert', path, 'CERTIFICATE');
  const key = readPem(r, o, 'key', path, 'PRIVATE KEY');
  const ca = o.ca === undefined ? undefined : readPem(r, o, 'ca', path, 'CERTIFICATE');
  const minVersion = r.oneOf(o, 'minVersion', path, TLS_VERSIONS, 'TLSv1.2');
  if (cert === undefined || key === undefined || minVersion === undefined || (o.ca !== undefined && !ca)) return;
  try {
    // The key must be the certificate's: checked now, with the file's place, rather than at the first client.
    createSecureContext({ cert: readFileSync(cert), key: readFileSync(key) });
  } catch (err) {
    return r.fail(
      [...path, 'key'],
      `does not go with the certificate ${JSON.stringify(cert)}: ${(err as Error).message}.`,
    );
  }
  return ca === undefined ? { cert, key, minVersion } : { cert, key, ca, minVersion };
}

function readListen(r: ConfigReader, value: unknown): ListenConfig | undefined {
  const fallback = { host: DEFAULTS.host, port: DEFAULTS.port };
  if (value === undefined || value === null) return fallback;
  const o = r.object(value, ['listen'], ['host', 'port', 'tls', 'http2']);
  if (!o) return undefined;
  const host = r.string(o, 'host', ['listen'], fallback.host);
  const port = r.integer(o, 'port', ['listen'], fallback.port, 0, 65_535);
  const tls = o.tls === undefined || o.tls === null ? undefined : readTls(r, o.tls, ['listen', 'tls']);
  const http2 = r.boolean(o, 'http2', ['listen'], o.tls !== undefined && o.tls !== null);
  if (host === undefined || port === undefined || http2 === undefined) return undefined;
  // Said only when it matters: cleartext HTTP/1.1 is the plain { host, port }.
  return tls ? { host, port, tls, http2 } : http2 ? { host, port, http2 } : { host, port };
}

function readLimits(r: ConfigReader, value: unknown): Limits {
  if (value === undefined || value === null) return {};
  const o = r.object(value, ['limits'], LIMIT_KEYS);
  if (!o) return {};
  const out: Limits = {};
  for (const key of LIMIT_KEYS) {
    const v =
      key === 'requestLine' || key === 'headerSize' || key === 'body'
        ? r.size(o, key, ['limits'], undefined, 1)
        : r.duration(o, key, ['limits'], Number.NaN, key === 'keepAliveTimeout' ? 0 : 1);
    if (v !== undefined && !Number.isNaN(v)) out[key] = v;
  }
  return out;
}

/**
 * Validates a configuration value (parsed YAML/JSON, or built by the CLI) and
 * applies the defaults. Returns every issue found; the config is usable only
 * when `issues` is empty.
 */
export function readGatewayConfig(raw: unknown): { config: GatewayConfig; issues: ConfigIssue[] } {
  const r = new ConfigReader();
  const top: Obj = raw === undefined || raw === null ? {} : (r.object(raw, [], TOP_KEYS) ?? {});
  const profile = r.oneOf(top, 'profile', [], PROFILE_IDS, DEFAULT_PROFILE) ?? DEFAULT_PROFILE;
  const listen = readListen(r, top.listen);
  const admin = top.admin === false ? false : readAdmin(r, top.admin);
  const log = top.log === undefined ? {} : (r.object(top.log, ['log'], ['level']) ?? {});
  const logLevel = r.oneOf(log, 'level', ['log'], LOG_LEVELS, DEFAULTS.logLevel) ?? DEFAULTS.logLevel;
  const drainObj = top.drain === undefined ? {} : (r.object(top.drain, ['drain'], ['grace', 'retryAfter']) ?? {});
  const grace = r.duration(drainObj, 'grace', ['drain'], DEFAULTS.grace);
  const retryAfterMs = r.duration(drainObj, 'retryAfter', ['drain'], DEFAULTS.drainRetryAfter * 1000, 1000);
  const limits = readLimits(r, top.limits);
  const policies = readPolicies(r, top.policies);
  const trustProxy = r.strings(top, 'trustProxy', []) ?? [];
  trustProxy.forEach((cidr, i) => {
    try {
      trustedProxies([cidr]);
    } catch (err) {
      r.fail(
        typeof top.trustProxy === 'string' ? ['trustProxy'] : ['trustProxy', i],
        (err as Error).message.replace('[0]: ', ''),
      );
    }
  });

  const routes: RouteConfig[] = [];
  if (top.routes !== undefined) {
    if (!Array.isArray(top.routes)) r.fail(['routes'], `must be a list of routes, got ${describe(top.routes)}.`);
    else if (top.routes.length === 0) r.fail(['routes'], 'must name at least one route.');
    else
      top.routes.forEach((value, i) => {
        const route = readRoute(r, value, ['routes', i]);
        if (route) routes.push(route);
      });
  }
  const seen = new Map<string, number>();
  routes.forEach((route) => {
    const first = seen.get(route.path);
    if (first !== undefined)
      r.fail(['routes', route.index, 'path'], `repeats the path "${route.path}" of routes[${first}].`);
    else seen.set(route.path, route.index);
  });
  // The most specific prefix must be tried first: /api/v2 before /api before /.
  routes.sort((a, b) => b.path.length - a.path.length);

  const config: GatewayConfig = {
    profile,
    listen: listen ?? { host: DEFAULTS.host, port: DEFAULTS.port },
    admin: admin ?? false,
    logLevel,
    drain: { grace: grace ?? DEFAULTS.grace, retryAfter: Math.ceil((retryAfterMs ?? 0) / 1000) },
    limits,
    routes,
    policies,
    trustProxy,
  };
  return { config, issues: r.issues };
}

/** Validates a configuration value built in code; throws a ConfigError naming every bad field. */
export function checkGatewayConfig(raw: unknown): GatewayConfig {
  const { config, issues } = readGatewayConfig(raw);
  if (issues.length) {
    const placed = issues.map((i) => ({ field: fieldName(i.path), message: i.message }));
    throw new ConfigError(
      `Invalid gateway configuration:\n${placed.map((i) => `${i.field}: ${i.message}`).join('\n')}`,
      placed,
    );
  }
  return config;
}
