import { DEFAULT_PROFILE, isProfile, PROFILE_IDS, type Profile } from '../catalog/index.ts';
import type { Transport } from './h2.ts';
import type { Guard, RequestContext, RouteDef } from './types.ts';

/** Why the service cannot take a request now (503). */
export interface Unavailable {
  /** Seconds until the condition is expected to clear; sent as Retry-After (RFC 9110 §10.2.3). */
  retryAfter?: number;
  /** Said in the error body's message. */
  reason?: string;
}

export interface Limits {
  /** Longest request line (method, target, version) in bytes; longer → 414. @default 8192 (8 KiB) */
  requestLine?: number;
  /** Largest header section in bytes (request line included); larger → 431 (a request line past it → 414). @default 16384 (16 KiB) */
  headerSize?: number;
  /** Largest request body in bytes when the route sets none; larger → 413. @default 1048576 (1 MiB) */
  body?: number;
  /** Time for a client to send the whole header section, in ms; past it → 408 + close. @default 30000 (30 s) */
  headersTimeout?: number;
  /** Time for a client to send the body once the handler reads it, in ms; past it → 408 + close. @default 15000 (15 s) */
  bodyTimeout?: number;
  /** Time for the whole request to arrive, in ms (node:http requestTimeout, a backstop). @default 300000 (5 min) */
  requestTimeout?: number;
  /**
   * How long a kept-alive connection may wait idle for its next request, in ms; advertised as
   * `Keep-Alive: timeout=N` and enforced 1 s later (node's margin); 0 = no limit. @default 5000 (5 s)
   */
  keepAliveTimeout?: number;
  /** Deadline of a route that sets no `timeout`, in ms; 0 = none; past it → 504. @default 30000 (30 s) */
  timeout?: number;
}

export interface ServerOptions {
  /** Which contract table answers: its code set, names and error_code prefix. @default 'generic' */
  profile?: Profile;
  /** The routes; a request matching none gets 404. @default [] */
  routes?: readonly RouteDef[];
  /**
   * Guards run after routing and before the expect step (the gateway's proxy-auth 407,
   * auth 401/441/403, rate 429, in that order). @default []
   */
  accessGuards?: readonly Guard[];
  /** The methods the server implements; any other → 501. @default GET HEAD POST PUT PATCH DELETE OPTIONS */
  methods?: readonly string[];
  limits?: Limits;
  /** Asked once per request after the other guards: a value → 503 (+ Retry-After). @default none */
  availability?: (ctx: RequestContext) => Unavailable | false | undefined;
  /** Called when a response finishes (status, ms since the request arrived). Keep it cheap. @default none */
  onResponse?: (ctx: RequestContext, status: number, durationMs: number) => void;
  /**
   * Called when a response closes before it finished: the client went away, or the answer was
   * cut (a proxied body that failed midway). `sent` is the status already sent, if one was. @default none
   */
  onAborted?: (ctx: RequestContext, sent: number | undefined, durationMs: number) => void;
  /** Called with failures that became a 500 (the body never shows them). @default none */
  onError?: (err: unknown, ctx: RequestContext | undefined) => void;
  /** TLS and/or HTTP/2 on the server `createServer` makes (./h2.ts); cleartext HTTP/1.1 without. */
  transport?: Transport;
  /** How often node:http checks the header/request timeouts, in ms. @default 1000 (1 s) */
  timeoutCheckInterval?: number;
}

/** The options after defaults were applied; built once per front. */
export interface Resolved {
  readonly profile: Profile;
  readonly routes: readonly RouteDef[];
  readonly accessGuards: readonly Guard[];
  readonly methods: ReadonlySet<string>;
  readonly limits: Required<Limits>;
  readonly availability: ServerOptions['availability'];
  readonly onResponse: ServerOptions['onResponse'];
  readonly onAborted: ServerOptions['onAborted'];
  readonly onError: ServerOptions['onError'];
  readonly timeoutCheckInterval: number;
}

export const DEFAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

const DEFAULT_LIMITS: Required<Limits> = {
  requestLine: 8 * 1024, // 8 KiB
  headerSize: 16 * 1024, // 16 KiB
  body: 1024 * 1024, // 1 MiB
  headersTimeout: 30_000, // 30 s
  // Below the route deadline, so a body that stops arriving is the client's 408, not a 504.
  bodyTimeout: 15_000, // 15 s
  requestTimeout: 300_000, // 5 min
  keepAliveTimeout: 5_000, // 5 s, node's default
  timeout: 30_000, // 30 s
};

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new TypeError(`limits.${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}.`);
  }
  return value;
}

/** Applies defaults and checks every option once; throws a TypeError naming the bad one. */
export function resolveOptions(options: ServerOptions = {}): Resolved {
  const limits = { ...DEFAULT_LIMITS };
  // An option given as undefined takes its default, as an absent one does.
  for (const [key, value] of Object.entries(options.limits ?? {}) as [keyof Limits, number | undefined][])
    if (value !== undefined) limits[key] = value;
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    positive(key, limits[key], key === 'timeout' || key === 'requestTimeout' || key === 'keepAliveTimeout');
  }
  if (limits.requestLine >= limits.headerSize) {
    // The request line counts toward node's header limit: a line limit at or above it could never answer 414.
    throw new TypeError(
      `limits.requestLine (${limits.requestLine}) must be below limits.headerSize (${limits.headerSize}).`,
    );
  }
  const profile = options.profile ?? DEFAULT_PROFILE;
  if (!isProfile(profile))
    throw new TypeError(`Unknown profile "${profile}": expected one of ${PROFILE_IDS.join(', ')}.`);
  const methods = new Set((options.methods ?? DEFAULT_METHODS).map((m) => m.toUpperCase()));
  return {
    profile,
    routes: options.routes ?? [],
    accessGuards: options.accessGuards ?? [],
    methods,
    limits,
    availability: options.availability,
    onResponse: options.onResponse,
    onAborted: options.onAborted,
    onError: options.onError,
    timeoutCheckInterval: positive('timeoutCheckInterval', options.timeoutCheckInterval ?? 1000), // 1 s
  };
}
