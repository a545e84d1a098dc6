/**
 * The gateway's access policies, in one place: proxy auth (407), auth
 * (401/441/403), rate limits (429), load shedding (429) and the body budget
 * (temporary 413). `createPolicies` turns the validated policy sections of the
 * configuration (`policies:`, read by readPolicies) into access guards in contract order,
 * plus the handles the core needs for metrics and shutdown.
 */
import type { Guard } from '../../server/types.ts';
import { type PoliciesConfig, redisTarget } from '../config/policies.ts';
import type { PolicyStats } from '../telemetry/policy-metrics.ts';
import { RedisReplayStore } from './auth/redis-replay.ts';
import { ReplayCache, type ReplayStore } from './auth/replay.ts';
import { type AuthGuard, createAuthGuard } from './guards/auth.ts';
import { type BodyBudget, createBodyBudget } from './guards/body-budget.ts';
import { createProxyAuthGuard } from './guards/proxy-auth.ts';
import { createRateLimitGuard, type RateLimitGuard } from './guards/rate.ts';
import { createLoadShedder, type LoadShedder } from './guards/shed.ts';
import { MemoryStore } from './limits/memory.ts';
import { RedisStore } from './limits/redis.ts';
import type { FailurePolicy, RateLimitStore, StoreFailureListener } from './limits/store.ts';
import { ACCESS_GUARDS, type AccessGuardName, withDecision } from './registry.ts';

export { POLICY_KEYS, type PoliciesConfig, readPolicies } from '../config/policies.ts';
export { type PolicyStats, policyFamilies } from '../telemetry/policy-metrics.ts';
export { type AuthScheme, basicChallenge, wwwAuthenticate } from './auth/challenge.ts';
export { type AccessKeyRecord, AccessKeyRegistry, type ApiKeyRecord, ApiKeyRegistry } from './auth/keys.ts';
export { PRINCIPAL_STATE, type Principal, principalOf, SIGNED_BODY_STATE } from './auth/principal.ts';
export { type RedisReplayOptions, RedisReplayStore } from './auth/redis-replay.ts';
export { ReplayCache, type ReplayCacheOptions, type ReplayStore } from './auth/replay.ts';
export { compileRules, type RouteMatcher, type RouteRule } from './auth/routes.ts';
export { type AuthGuard, type AuthOptions, createAuthGuard, type ProtectRule } from './guards/auth.ts';
export { type BodyBudget, type BodyBudgetOptions, createBodyBudget } from './guards/body-budget.ts';
export { type ClientKey, clientKeyFn, presentedApiKey } from './guards/client-key.ts';
export { createDrainGuard } from './guards/drain.ts';
export { createProxyAuthGuard, type ProxyAuthOptions, type ProxyUser } from './guards/proxy-auth.ts';
export { createRateLimitGuard, type RateLimitGuard, type RateLimitOptions, type RoutedPolicy } from './guards/rate.ts';
export { createLoadShedder, type LoadShedder, type LoadShedOptions } from './guards/shed.ts';
export {
  FIELD_GENERATIONS,
  type FieldGeneration,
  type LimitState,
  QUOTA_EXCEEDED,
  rateLimitField,
  rateLimitFieldList,
  rateLimitHeaders,
  rateLimitHeaderValues,
  retryAfterSeconds,
} from './limits/fields.ts';
export { type CompiledPolicy, compilePolicy, type Decision, gcraStep, type RatePolicy } from './limits/gcra.ts';
export { MemoryStore, type MemoryStoreOptions } from './limits/memory.ts';
export { GCRA_SCRIPT, RedisStore, type RedisStoreOptions } from './limits/redis.ts';
export {
  type FailurePolicy,
  type RateLimitStore,
  type StoreFailureListener,
  StoreUnavailableError,
} from './limits/store.ts';
export {
  ACCESS_GUARDS,
  type AccessGuardName,
  type AccessGuardSpec,
  DECISION_STATE,
  decisionOf,
  type LimitDecision,
  type Owned,
} from './registry.ts';

/** A shared store's reachability, as /readyz reports it. */
export interface StoreHealth {
  store: string;
  reachable: boolean;
  failure: FailurePolicy;
  reason?: string;
}

export interface PolicyHooks {
  /** Epoch milliseconds, for rate limits and signature dates. @default Date.now */
  clock?: () => number;
  /** Every decision the rate-limit store could not make (log it); counted in stats() either way. */
  onStoreFailure?: StoreFailureListener;
  /**
   * Where used signatures are remembered when no `replayRedis` is configured (a cluster worker
   * passes the primary's, see ./auth/ipc-replay.ts). @default an in-process ReplayCache
   */
  replay?: ReplayStore & { close?(): Promise<void> };
}

export interface Policies {
  /**
   * ServerOptions.accessGuards, in the registry's order (./registry.ts ACCESS_GUARDS: 407 → 401/441/403
   * → 429 rate → 429 shed → 413 budget; the gateway puts drain's 503 before them), each limiting one
   * recording its decision.
   */
  readonly guards: readonly Guard[];
  /** The registry name of each of `guards`, in the same order. */
  readonly names: readonly AccessGuardName[];
  readonly auth: AuthGuard | undefined;
  readonly rate: RateLimitGuard | undefined;
  readonly shedder: LoadShedder | undefined;
  readonly bodyBudget: BodyBudget | undefined;
  readonly store: RateLimitStore | undefined;
  /** Resolves when the shared stores are connected (at once without any); rejects at a first connection error. */
  ready(): Promise<void>;
  /** Gauges and counters for /metrics. */
  stats(): PolicyStats;
  /** The shared stores and whether each can be reached now (for /readyz). */
  stores(): StoreHealth[];
  /** Closes the shared stores' connections. */
  close(): Promise<void>;
}

/** Builds the guards of a validated `policies` section (see readPolicies). */
export function createPolicies(config: PoliciesConfig, hooks: PolicyHooks = {}): Policies {
  const built: Partial<Record<AccessGuardName, Guard>> = {};
  const clock = hooks.clock ?? Date.now;
  if (config.proxyAuth) built['proxy-auth'] = createProxyAuthGuard(config.proxyAuth);

  // Failed store calls, by store and by what the request got.
  const failures: Record<string, { allowed: number; refused: number }> = {};
  const counted: StoreFailureListener = (event) => {
    failures[event.store] ??= { allowed: 0, refused: 0 };
    failures[event.store]![event.outcome]++;
    hooks.onStoreFailure?.(event);
  };

  let auth: AuthGuard | undefined;
  let replay: (ReplayStore & { close?(): Promise<void> }) | undefined;
  if (config.auth) {
    const { realm, skew, replayCache, replayRedis, apiKeys, accessKeys, protect, failureLimit } = config.auth;
    replay = replayRedis
      ? new RedisReplayStore({
          ...redisTarget(replayRedis),
          prefix: replayRedis.prefix,
          failure: replayRedis.failure,
          commandTimeoutMs: replayRedis.timeout,
          onFailure: counted,
        })
      : (hooks.replay ?? new ReplayCache({ maxEntries: replayCache }));
    auth = createAuthGuard({
      realm,
      skewMs: skew,
      replay,
      apiKeys,
      accessKeys,
      ...(protect ? { protect } : {}),
      failureLimit,
      clock,
    });
    built.auth = auth;
  }

  let rate: RateLimitGuard | undefined;
  let store: RateLimitStore | undefined;
  if (config.rateLimit) {
    const c = config.rateLimit;
    store =
      c.store === 'redis'
        ? new RedisStore({
            ...redisTarget(c.redis),
            prefix: c.redis.prefix,
            failure: c.redis.failure,
            commandTimeoutMs: c.redis.timeout,
            // An injected clock (tests) decides everywhere; otherwise the Redis server's, shared by every node.
            clock: hooks.clock ? 'caller' : 'server',
            onFailure: counted,
          })
        : new MemoryStore({ maxKeys: c.memory.maxKeys, sweepIntervalMs: c.memory.sweepInterval });
    rate = createRateLimitGuard({
      ...(c.policy ? { policy: c.policy } : {}),
      policies: c.limits,
      fields: c.fields,
      store,
      key: c.key,
      clock,
      unavailableRetryAfter: c.unavailableRetryAfter,
    });
    built.rate = rate;
  }

  const shedder = config.shed ? createLoadShedder(config.shed) : undefined;
  if (shedder) built.shed = shedder.guard;
  const bodyBudget = config.bodyBudget
    ? createBodyBudget({
        maxBytes: config.bodyBudget.maxBytes,
        retryAfter: config.bodyBudget.retryAfter,
        unknownLengthBytes: config.bodyBudget.unknownLength,
      })
    : undefined;
  if (bodyBudget) built.budget = bodyBudget.guard;
  const order = ACCESS_GUARDS.filter((spec) => built[spec.name]);

  return {
    guards: order.map((spec) => withDecision(spec, built[spec.name]!)),
    names: order.map((spec) => spec.name),
    auth,
    rate,
    shedder,
    bodyBudget,
    store,
    ready: async () => {
      if (store instanceof RedisStore) await store.ready();
      if (replay instanceof RedisReplayStore) await replay.ready();
    },
    stores: () => {
      const out: StoreHealth[] = [];
      for (const [name, s] of [
        ['redis', store],
        ['redis-replay', replay],
      ] as const) {
        if (!(s instanceof RedisStore || s instanceof RedisReplayStore)) continue;
        const reachable = !s.health.down;
        out.push({ store: name, reachable, failure: s.failure, ...(reachable ? {} : { reason: s.health.reason }) });
      }
      return out;
    },
    stats: () => ({
      inFlight: shedder?.inFlight ?? 0,
      shed: shedder?.shed ?? 0,
      bodyBytesInUse: bodyBudget?.inUse ?? 0,
      storeFailures: Object.entries(failures).map(([name, f]) => ({ store: name, ...f })),
      rateKeys: store instanceof MemoryStore ? store.size : undefined,
      rateKeyEvictions: store instanceof MemoryStore ? store.evictions : 0,
      replayEntries: replay instanceof ReplayCache ? replay.size : undefined,
      replayEvictions: replay instanceof ReplayCache ? replay.evictions : 0,
      authFailures: auth?.failures && { counted: auth.failures.failures, limited: auth.failures.limited },
    }),
    close: async () => {
      await store?.close();
      await replay?.close?.();
    },
  };
}
