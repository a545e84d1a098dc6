import { isErrorCode } from '../../../catalog/index.ts';
import { StatusError } from '../../../errors.ts';
import type { Guard, RequestContext } from '../../../server/types.ts';
import {
  CONTENT_SHA256_HEADER,
  DEFAULT_SKEW_MS,
  isVerificationFailure,
  parseAuthorization,
  type SignatureFailure,
  sha256Hex,
  UNSIGNED_PAYLOAD,
  verifyRequest,
} from '../../../signing.ts';
import { type AuthScheme, type BearerError, wwwAuthenticate } from '../auth/challenge.ts';
import { FailedAuthLimiter, type FailedAuthOptions } from '../auth/failed-auth.ts';
import {
  type AccessKeyRecord,
  AccessKeyRegistry,
  API_KEY_SYNTAX,
  type ApiKeyRecord,
  ApiKeyRegistry,
  type KeyEntry,
} from '../auth/keys.ts';
import { PRINCIPAL_STATE, type Principal, SIGNED_BODY_STATE } from '../auth/principal.ts';
import { ReplayCache, type ReplayStore } from '../auth/replay.ts';
import { compileRules, type RouteMatcher, type RouteRule } from '../auth/routes.ts';
import { StoreUnavailableError } from '../limits/store.ts';
import type { Owned } from '../registry.ts';
import { ipOf, presentedApiKey } from './client-key.ts';

/**
 * 401 missing/malformed (and, outside `dis`, failed verification); 441 failed verification under
 * `dis`; 403 a key without the right; 429 too many failures from an address; 503 the replay store down.
 */
export const owns = [
  { code: 401, subcodes: ['MISSING', 'MALFORMED', 'API_KEY', 'ACCESS_KEY', 'DATE', 'SIGNATURE', 'REPLAY'] },
  { code: 441, subcodes: ['API_KEY', 'ACCESS_KEY', 'DATE', 'SIGNATURE', 'REPLAY'] },
  { code: 403, subcodes: [''] },
  { code: 429, subcodes: ['AUTH_FAILURES'] },
  { code: 503, subcodes: ['REPLAY_STORE'] },
] as const satisfies readonly Owned[];

/** The option defaults (the config reader takes them from here). */
export const AUTH_DEFAULTS = {
  realm: 'statuskit',
  skewMs: DEFAULT_SKEW_MS, // 15 min
  unavailableRetryAfter: 1, // 1 s
} as const;

export interface ProtectRule extends RouteRule {
  /** Schemes this route accepts. @default every scheme that has keys configured */
  schemes?: readonly AuthScheme[];
}

export interface AuthOptions {
  apiKeys?: readonly ApiKeyRecord[];
  accessKeys?: readonly AccessKeyRecord[];
  /** Routes that need credentials; the first matching rule applies. @default every route, every configured scheme */
  protect?: readonly ProtectRule[];
  /** Largest accepted |now − X-Sdk-Date| in ms. @default 900000 (15 min) */
  skewMs?: number;
  /** Where used signatures are remembered. @default new ReplayCache() */
  replay?: ReplayStore;
  /** Retry-After (s) of the 503 while a fail-closed replay store cannot answer. @default 1 (1 s) */
  unavailableRetryAfter?: number;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** The realm named in WWW-Authenticate. @default "statuskit" */
  realm?: string;
  /**
   * Failed authentications allowed per client address, then 429 + Retry-After; false = no limit.
   * @default { limit: 10, window: 60000 } (10 per minute)
   */
  failureLimit?: FailedAuthOptions | false;
}

export interface AuthGuard extends Guard {
  readonly replay: ReplayStore;
  readonly failures: FailedAuthLimiter | undefined;
}

const EMPTY_SHA256 = sha256Hex('');

const SUBCODES: Record<SignatureFailure | 'replay', string> = {
  missing: 'MISSING',
  malformed: 'MALFORMED',
  'unknown-key': 'ACCESS_KEY',
  'date-skew': 'DATE',
  'bad-signature': 'SIGNATURE',
  replay: 'REPLAY',
};

/**
 * Authentication and per-key authorisation:
 * - 401 + WWW-Authenticate naming the route's schemes when credentials are missing or malformed
 *   (RFC 9110 §15.5.2, §11.6.1);
 * - 441 under a profile that lists it (`dis`) when well-formed credentials fail verification — bad
 *   signature, unknown key, date outside the window, replay — and 401 under the others (CONTRACT.md 441);
 * - 403 when the key is known but may not use this route or method (RFC 9110 §15.5.4).
 * On success `ctx.state.principal` holds the Principal. Synchronous unless a signed body must be read.
 */
export function createAuthGuard(options: AuthOptions = {}): AuthGuard {
  const apiKeys = new ApiKeyRegistry(options.apiKeys ?? []);
  const accessKeys = new AccessKeyRegistry(options.accessKeys ?? []);
  const configured: AuthScheme[] = [];
  if (apiKeys.size > 0) configured.push('api-key');
  if (accessKeys.size > 0) configured.push('signature');
  if (configured.length === 0) throw new TypeError('apiKeys / accessKeys: configure at least one key.');
  const skewMs = options.skewMs ?? AUTH_DEFAULTS.skewMs;
  if (!(skewMs > 0)) throw new TypeError('skewMs: a positive number of milliseconds.');
  const replay = options.replay ?? new ReplayCache();
  const unavailableRetryAfter = String(options.unavailableRetryAfter ?? AUTH_DEFAULTS.unavailableRetryAfter);
  const clock = options.clock ?? Date.now;
  const realm = options.realm ?? AUTH_DEFAULTS.realm;
  const rules = compileProtect(options.protect ?? [{ path: '/*' }], configured);
  const secretFor = (ak: string) => accessKeys.find(ak)?.secretKey;

  const unauthorized = (schemes: readonly AuthScheme[], message: string, subcode: string, bearer?: BearerError) =>
    new StatusError(401, message, {
      // RFC 9110 §15.5.2: a 401 MUST carry WWW-Authenticate with at least one applicable challenge.
      headers: { 'WWW-Authenticate': wwwAuthenticate(schemes, realm, bearer) },
      subcode,
    });

  /**
   * Well-formed credentials that failed: 441 where the profile lists it (CONTRACT.md 441), else 401.
   * `bearer` marks a failed API key, so the Bearer challenge says invalid_token (RFC 6750 §3.1).
   */
  const rejected = (
    ctx: RequestContext,
    schemes: readonly AuthScheme[],
    message: string,
    subcode: string,
    bearer?: BearerError,
  ) =>
    isErrorCode(441, ctx.profile)
      ? new StatusError(441, message, { subcode })
      : unauthorized(schemes, message, subcode, bearer);

  const admit = (ctx: RequestContext, principal: Principal, entry: KeyEntry): void => {
    if (entry.allowed && !entry.allowed(ctx)) {
      throw new StatusError(403, `The credentials of "${entry.id}" do not allow ${ctx.method} ${ctx.path}.`);
    }
    ctx.state[PRINCIPAL_STATE] = principal;
  };

  const withApiKey = (ctx: RequestContext, schemes: readonly AuthScheme[], key: string): void => {
    const header = ctx.req.headers['x-api-key'];
    const auth = ctx.req.headers.authorization;
    if (typeof header === 'string' && auth !== undefined && /^bearer /i.test(auth) && auth.slice(7).trim() !== key) {
      throw unauthorized(schemes, 'X-Api-Key and the Bearer token disagree.', 'MALFORMED', 'invalid_request');
    }
    if (!API_KEY_SYNTAX.test(key)) {
      throw unauthorized(schemes, 'The API key is malformed.', 'MALFORMED', 'invalid_request');
    }
    const entry = apiKeys.find(key);
    if (!entry) throw rejected(ctx, schemes, 'The API key is not valid.', 'API_KEY', 'invalid_token');
    admit(ctx, { scheme: 'api-key', id: entry.id, ...(entry.rate ? { rate: entry.rate } : {}) }, entry);
  };

  const verifySigned = (
    ctx: RequestContext,
    schemes: readonly AuthScheme[],
    payloadHash: string,
  ): void | Promise<void> => {
    const now = clock();
    const result = verifyRequest({
      method: ctx.method,
      // The raw request target, not ctx.path: the signature covers the bytes the client signed;
      // the canonical path is what is authorised and forwarded (docs/gateway-limits.md).
      url: ctx.req.url ?? '/',
      headers: ctx.req.headers,
      payloadHash,
      secretFor,
      now,
      skewMs,
    });
    if (!result.ok) {
      const subcode = SUBCODES[result.failure];
      if (isVerificationFailure(result.failure)) throw rejected(ctx, schemes, result.message, subcode);
      throw unauthorized(schemes, result.message, subcode);
    }
    const entry = accessKeys.find(result.credentials.accessKey) as KeyEntry;
    const principal: Principal = { scheme: 'signature', id: entry.id, ...(entry.rate ? { rate: entry.rate } : {}) };
    // Kept until the signature's date leaves the window; after that the date check refuses it anyway.
    const replayed = replay.seen(result.credentials.signature, result.date.getTime() + skewMs, now);
    if (typeof replayed === 'boolean') return afterReplayCheck(ctx, schemes, replayed, principal, entry);
    return replayed.then(
      (r) => afterReplayCheck(ctx, schemes, r, principal, entry),
      (err: unknown) => {
        if (!(err instanceof StoreUnavailableError)) throw err;
        // RFC 9110 §15.6.4: 503 with Retry-After while the condition is temporary.
        throw new StatusError(503, 'The replay store is unavailable; try again shortly.', {
          headers: { 'Retry-After': unavailableRetryAfter },
          subcode: 'REPLAY_STORE',
          cause: err,
        });
      },
    );
  };

  const afterReplayCheck = (
    ctx: RequestContext,
    schemes: readonly AuthScheme[],
    replayed: boolean,
    principal: Principal,
    entry: KeyEntry,
  ): void => {
    if (replayed) {
      throw rejected(ctx, schemes, 'This signature was already used; sign each request afresh.', SUBCODES.replay);
    }
    admit(ctx, principal, entry);
  };

  const withSignature = (ctx: RequestContext, schemes: readonly AuthScheme[]): void | Promise<void> => {
    const parsed = parseAuthorization(ctx.req.headers.authorization);
    if (!parsed.ok) throw unauthorized(schemes, parsed.message, SUBCODES.malformed);
    const unsigned = ctx.req.headers[CONTENT_SHA256_HEADER.toLowerCase()] === UNSIGNED_PAYLOAD;
    if (unsigned || !hasBody(ctx)) return verifySigned(ctx, schemes, unsigned ? UNSIGNED_PAYLOAD : EMPTY_SHA256);
    // The signed body hash covers the bytes: read them (under the route's limit) before verifying.
    return ctx.body().then((body) => {
      ctx.state[SIGNED_BODY_STATE] = body;
      return verifySigned(ctx, schemes, sha256Hex(body));
    });
  };

  const failures = options.failureLimit === false ? undefined : new FailedAuthLimiter(options.failureLimit);

  /** A 401/441 to a request that presented credentials is a failed authentication of its address. */
  const counted = (ctx: RequestContext, err: unknown): never => {
    if (failures && err instanceof StatusError && (err.status === 401 || err.status === 441) && presented(ctx))
      failures.fail(ipOf(ctx), clock());
    throw err;
  };

  const authenticate = (ctx: RequestContext, schemes: readonly AuthScheme[]): void | Promise<void> => {
    const auth = ctx.req.headers.authorization;
    if (schemes.includes('signature') && auth !== undefined && /^sdk-hmac-sha256(?:\s|$)/i.test(auth)) {
      return withSignature(ctx, schemes);
    }
    if (schemes.includes('api-key')) {
      const key = presentedApiKey(ctx);
      if (key !== undefined) return withApiKey(ctx, schemes, key);
    }
    throw unauthorized(
      schemes,
      auth === undefined ? 'Credentials are required.' : 'The Authorization scheme is not one this route accepts.',
      SUBCODES.missing,
    );
  };

  const guard = function authenticateLimited(ctx: RequestContext): void | Promise<void> {
    const schemes = rules(ctx);
    if (!schemes) return;
    // No failure remembered (the usual case): no address to look up.
    if (failures && failures.size > 0 && presented(ctx)) {
      const wait = failures.retryAfter(ipOf(ctx), clock());
      // RFC 6585 §4: too many failed attempts from this address; Retry-After says when one more may fail.
      if (wait > 0) {
        failures.limited++;
        throw new StatusError(
          429,
          `Too many failed authentications from this address: ${failures.limit} per ${failures.window / 1000} s.`,
          { headers: { 'Retry-After': String(wait) }, subcode: 'AUTH_FAILURES' },
        );
      }
    }
    let result: void | Promise<void>;
    try {
      result = authenticate(ctx, schemes);
    } catch (err) {
      return counted(ctx, err);
    }
    return result instanceof Promise ? result.catch((err: unknown) => counted(ctx, err)) : undefined;
  };
  return Object.assign(guard, { replay, failures });
}

/** The request carries credentials of some kind (missing ones are a plain 401, never a failure). */
function presented(ctx: RequestContext): boolean {
  return ctx.req.headers.authorization !== undefined || ctx.req.headers['x-api-key'] !== undefined;
}

function hasBody(ctx: RequestContext): boolean {
  const cl = ctx.req.headers['content-length'];
  return (cl !== undefined && cl !== '0') || ctx.req.headers['transfer-encoding'] !== undefined;
}

function compileProtect(
  rules: readonly ProtectRule[],
  configured: readonly AuthScheme[],
): (ctx: RequestContext) => readonly AuthScheme[] | undefined {
  const compiled: [RouteMatcher, readonly AuthScheme[]][] = rules.map((rule, i) => {
    const schemes = rule.schemes ?? configured;
    for (const s of schemes) {
      if (!configured.includes(s)) throw new TypeError(`protect[${i}].schemes: "${s}" has no keys configured.`);
    }
    if (schemes.length === 0) throw new TypeError(`protect[${i}].schemes: name at least one scheme.`);
    try {
      return [compileRules([rule]), schemes];
    } catch (err) {
      throw new TypeError(`protect${(err as Error).message.replace('[0]', `[${i}]`)}`);
    }
  });
  return (ctx) => {
    for (const [matches, schemes] of compiled) if (matches(ctx)) return schemes;
    return undefined;
  };
}
