import { Agent, type Dispatcher } from 'undici';
import { DEFAULT_PROFILE, type Guidance, type Profile, parseProfile } from '../catalog/index.ts';
import { AdaptiveRateLimiter } from './adaptive.ts';
import { RetryBudget, type RetryBudgetOptions, type RetryTokens } from './budget.ts';
import { type Clock, systemClock } from './clock.ts';
import { type PacedEvent, Pacer } from './pacer.ts';
import { RetryQuota, type RetryQuotaOptions } from './quota.ts';
import { fetchTransport } from './transport/fetch.ts';
import type { FetchLike, HeadersInit, Transport } from './transport/types.ts';
import { undiciTransport } from './transport/undici.ts';

export interface RetryOptions {
  /** Retries after the first attempt (per redirect hop). @default 2 */
  limit?: number;
  /**
   * Also repeat POST and PATCH requests that carry an `Idempotency-Key` header
   * (the server deduplicates them). Other non-idempotent requests are never repeated.
   * @default false
   */
  idempotencyKey?: boolean;
  /** First backoff step for 408/500/502/504 and network failures; doubles per retry. @default 100 ms */
  backoff?: number;
  /** Longest backoff step. @default 10_000 ms */
  maxBackoff?: number;
  /** Longest Retry-After the client waits; a longer one fails at once. @default 60_000 ms */
  maxRetryAfter?: number;
  /**
   * How retries are rationed across calls: `budget` (the RetryBudget below), `standard`
   * (the AWS SDKs' retry quota, RetryQuota) or `adaptive` (the quota, and a send rate that
   * slows after throttling answers: AdaptiveRateLimiter). @default "budget"
   */
  mode?: 'budget' | 'standard' | 'adaptive';
  /** The client-wide retry budget (mode `budget`), or false for none. @default { capacity: 10, cost: 1, refill: 0.1 } */
  budget?: RetryBudgetOptions | RetryBudget | false;
  /** The retry quota of modes `standard` and `adaptive`; pass one instance to share it. @default { capacity: 500, retryCost: 5, timeoutCost: 10, noRetryIncrement: 1 } */
  quota?: RetryQuotaOptions | RetryQuota;
  /** The send-rate limiter of mode `adaptive`; pass one instance to share it. @default a new AdaptiveRateLimiter */
  rateLimiter?: AdaptiveRateLimiter;
}

export interface PacingOptions {
  /** One Pacer shared by several clients (to the same origins, same credentials). @default one per client */
  pacer?: Pacer;
  /** Longest wait for a reset or a Retry-After; a longer one is not made and the request goes at once. @default 60_000 ms */
  maxWait?: number;
  /** While the quota is unknown, how long the others wait for the answer of the one request that finds out. @default 1_000 ms */
  probeWait?: number;
}

export interface TimeoutOptions {
  /** Deadline for the whole call: every attempt, wait and redirect. @default 30_000 ms */
  total?: number | false;
  /** Deadline for the first attempt; after a 504 the next attempt gets twice as long. @default 10_000 ms */
  attempt?: number | false;
  /** Send the time left, less a tenth (at most 1 s) for the way back, as `X-Request-Timeout` (ms). @default true */
  header?: boolean;
}

export interface Credentials {
  accessKey: string;
  secretKey: string;
}

/** What the client did after one attempt, for logs and metrics. */
export interface AttemptEvent {
  /** 1 for the first attempt of a hop. */
  readonly attempt: number;
  readonly method: string;
  readonly url: string;
  /** The answer's status; undefined when no answer came. */
  readonly status: number | undefined;
  readonly error: Error | undefined;
  readonly guidance: Guidance;
  readonly decision: 'return' | 'retry' | 'follow' | 'throw';
  /** Milliseconds the client waits before the next attempt (retries only). */
  readonly delay: number;
  readonly reason: string;
}

export interface BeforeAttemptEvent {
  readonly attempt: number;
  readonly method: string;
  readonly url: URL;
  /** Lowercase names; add or change headers here (before signing). */
  readonly headers: Record<string, string>;
}

export interface Hooks {
  /** Runs before each attempt is signed and sent. @default [] */
  beforeAttempt?: ReadonlyArray<(event: BeforeAttemptEvent) => void>;
  /** Runs after each attempt with the decision taken. @default [] */
  afterAttempt?: ReadonlyArray<(event: AttemptEvent) => void>;
  /** Runs before the client waits to send (pacing by the RateLimit fields, or the adaptive limiter). @default [] */
  paced?: ReadonlyArray<(event: PacedEvent) => void>;
}

export interface ClientOptions {
  /** Resolves relative inputs; its path is kept (`items` under `http://h/v1` is `http://h/v1/items`). @default none */
  baseUrl?: string | URL;
  /** The table whose names errors use (CONTRACT.md §2). @default 'generic' */
  profile?: Profile;
  /** @default see RetryOptions */
  retry?: RetryOptions | false;
  /** A number sets `total`; false sets no deadline at all. @default { total: 30_000, attempt: 10_000, header: true } */
  timeout?: number | false | TimeoutOptions;
  /** Sent with every request; a request's own headers win. @default {} */
  headers?: HeadersInit;
  /** Signs every attempt with SDK-HMAC-SHA256 (src/signing.ts). @default none */
  credentials?: Credentials;
  /** Redirects followed per call before failing (the Fetch standard's limit). @default 20 */
  maxRedirects?: number;
  /** Throw HttpError for answers whose guidance is not `done`/`follow`. @default true */
  throwHttpErrors?: boolean;
  /** `waitFor` polling when a 202 carries no Retry-After. @default { interval: 1_000 ms, timeout: 300_000 ms } */
  poll?: { interval?: number; timeout?: number };
  /** @default {} */
  hooks?: Hooks;
  /**
   * Wait for the quota to reset instead of sending into a 429 when an answer's RateLimit
   * fields (any generation) said none is left; Retry-After still takes precedence. false: off.
   * @default true
   */
  pacing?: boolean | PacingOptions;
  /** Another fetch to send with (it must not follow redirects itself; the client asks for `manual`). @default undici */
  fetch?: FetchLike;
  /** The undici dispatcher for the default transport. @default a new undici Agent */
  dispatcher?: Dispatcher;
  /** @default the system clock */
  clock?: Clock;
  /** Source of jitter in [0, 1). @default Math.random */
  random?: () => number;
}

export interface ResolvedOptions {
  readonly baseUrl: URL | undefined;
  readonly profile: Profile;
  readonly retry: {
    readonly limit: number;
    readonly idempotencyKey: boolean;
    readonly backoff: number;
    readonly maxBackoff: number;
    readonly maxRetryAfter: number;
  };
  readonly budget: RetryTokens | undefined;
  readonly pacing: { readonly pacer: Pacer; readonly maxWait: number; readonly probeWait: number } | undefined;
  readonly adaptive: AdaptiveRateLimiter | undefined;
  readonly paced: ReadonlyArray<(event: PacedEvent) => void>;
  readonly timeout: { readonly total: number; readonly attempt: number; readonly header: boolean };
  readonly headers: Readonly<Record<string, string>>;
  readonly credentials: Credentials | undefined;
  readonly maxRedirects: number;
  readonly throwHttpErrors: boolean;
  readonly poll: { readonly interval: number; readonly timeout: number };
  readonly beforeAttempt: ReadonlyArray<(event: BeforeAttemptEvent) => void>;
  readonly afterAttempt: ReadonlyArray<(event: AttemptEvent) => void>;
  readonly transport: Transport;
  /** Closes the connections of the Agent the client created (not an injected dispatcher). */
  readonly close: () => Promise<void>;
  readonly clock: Clock;
  readonly random: () => number;
}

function count(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new TypeError(`${name} must be a whole number ≥ 0, got ${value}.`);
  return v;
}

function ms(value: number | false | undefined, fallback: number, name: string): number {
  if (value === false) return Number.POSITIVE_INFINITY;
  const v = value ?? fallback;
  if (!(v > 0)) throw new TypeError(`${name} must be a positive number of milliseconds or false, got ${value}.`);
  return v;
}

/** Lowercase name → value; repeated names are joined with ", " (RFC 9110 §5.3). */
export function headerRecord(init: HeadersInit | undefined, into: Record<string, string> = {}): Record<string, string> {
  if (init === undefined) return into;
  new Headers(init).forEach((value, name) => {
    into[name] = value;
  });
  return into;
}

function baseUrlOf(value: string | URL | undefined): URL | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`baseUrl "${value}" is not an absolute URL; write it as http(s)://host[:port]/path.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`baseUrl "${value}" must use http: or https:, not ${url.protocol}.`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** Resolves every option once, when the client is created; bad values throw a TypeError that names them. */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  const retry = options.retry === false ? { limit: 0 } : (options.retry ?? {});
  const timeout: TimeoutOptions =
    options.timeout === false
      ? { total: false, attempt: false }
      : typeof options.timeout === 'number'
        ? { total: options.timeout }
        : (options.timeout ?? {});
  const poll = options.poll ?? {};
  const { credentials } = options;
  if (credentials && (!credentials.accessKey || !credentials.secretKey)) {
    throw new TypeError('credentials need both accessKey and secretKey.');
  }
  let agent: Agent | undefined;
  let transport: Transport;
  if (options.fetch) transport = fetchTransport(options.fetch);
  else {
    const dispatcher = options.dispatcher ?? (agent = new Agent());
    transport = undiciTransport(dispatcher);
  }
  const mode = retry.mode ?? 'budget';
  if (mode !== 'budget' && mode !== 'standard' && mode !== 'adaptive') {
    throw new TypeError(`retry.mode must be "budget", "standard" or "adaptive", got ${String(mode)}.`);
  }
  const budget = retry.budget;
  const tokens: RetryTokens | undefined =
    mode !== 'budget'
      ? retry.quota instanceof RetryQuota
        ? retry.quota
        : new RetryQuota(retry.quota)
      : budget === false
        ? undefined
        : budget instanceof RetryBudget
          ? budget
          : new RetryBudget(budget);
  const pacing = options.pacing === false ? undefined : options.pacing === true ? {} : (options.pacing ?? {});
  return {
    baseUrl: baseUrlOf(options.baseUrl),
    profile: options.profile === undefined ? DEFAULT_PROFILE : parseProfile(options.profile),
    retry: {
      limit: count(retry.limit, 2, 'retry.limit'),
      idempotencyKey: retry.idempotencyKey ?? false,
      backoff: ms(retry.backoff, 100, 'retry.backoff'), // 100 ms
      maxBackoff: ms(retry.maxBackoff, 10_000, 'retry.maxBackoff'), // 10 s
      maxRetryAfter: ms(retry.maxRetryAfter, 60_000, 'retry.maxRetryAfter'), // 60 s
    },
    budget: tokens,
    pacing: pacing && {
      pacer: pacing.pacer ?? new Pacer(),
      maxWait: ms(pacing.maxWait, 60_000, 'pacing.maxWait'), // 60 s
      probeWait: ms(pacing.probeWait, 1_000, 'pacing.probeWait'), // 1 s
    },
    adaptive: mode === 'adaptive' ? (retry.rateLimiter ?? new AdaptiveRateLimiter()) : undefined,
    paced: options.hooks?.paced ?? [],
    timeout: {
      total: ms(timeout.total, 30_000, 'timeout.total'), // 30 s
      attempt: ms(timeout.attempt, 10_000, 'timeout.attempt'), // 10 s
      header: timeout.header ?? true,
    },
    headers: headerRecord(options.headers),
    credentials,
    maxRedirects: count(options.maxRedirects, 20, 'maxRedirects'),
    throwHttpErrors: options.throwHttpErrors ?? true,
    poll: {
      interval: ms(poll.interval, 1_000, 'poll.interval'), // 1 s
      timeout: ms(poll.timeout, 300_000, 'poll.timeout'), // 5 min
    },
    beforeAttempt: options.hooks?.beforeAttempt ?? [],
    afterAttempt: options.hooks?.afterAttempt ?? [],
    transport,
    // destroy, not close: close would wait forever on a response whose body nobody reads.
    close: async () => {
      await agent?.destroy();
    },
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
  };
}
