import { StatusError } from '../../../errors.ts';
import type { Guard, RequestContext } from '../../../server/types.ts';
import { principalOf } from '../auth/principal.ts';
import { compileRules, type RouteMatcher, type RouteRule } from '../auth/routes.ts';
import {
  type FieldGeneration,
  type LimitState,
  QUOTA_EXCEEDED,
  rateLimitField,
  rateLimitFieldList,
  rateLimitHeaderValues,
  stateOf,
} from '../limits/fields.ts';
import { type CompiledPolicy, compilePolicy, type Decision, type RatePolicy } from '../limits/gcra.ts';
import { MemoryStore } from '../limits/memory.ts';
import { type RateLimitStore, StoreUnavailableError } from '../limits/store.ts';
import type { Owned } from '../registry.ts';
import { type ClientKey, clientKeyFn } from './client-key.ts';

/** 429 over the limit; 503 while a fail-closed store cannot decide. */
export const owns = [
  { code: 429, subcodes: ['RATE_LIMIT'] },
  { code: 503, subcodes: ['RATE_STORE'] },
] as const satisfies readonly Owned[];

/** The option defaults (the config reader takes them from here). */
export const RATE_DEFAULTS = { unavailableRetryAfter: 1 /* 1 s */ } as const;

/** A policy that decides only for the requests its `routes` cover (every request without). */
export interface RoutedPolicy {
  /** @default "policy-N", N its place in the list from 1 */
  name?: string;
  limit: number;
  /** Seconds. */
  window: number;
  routes?: readonly RouteRule[];
}

export interface RateLimitOptions {
  /**
   * The limit each client gets on every route. A principal's own `rate` overrides
   * the policy of the same name. @default { name: "default", limit: 100, window: 60 } when `policies` is empty
   */
  policy?: Partial<RatePolicy>;
  /** More policies, each deciding for the routes it covers; a request may be under several. @default [] */
  policies?: readonly RoutedPolicy[];
  /** Which generation of the RateLimit fields answers carry (see ../limits/fields.ts). @default "draft-08" */
  fields?: FieldGeneration;
  /** Where the counts live. @default new MemoryStore() */
  store?: RateLimitStore;
  /** What a client is. @default "principal" (falls back to the client IP) */
  key?: ClientKey;
  /** Epoch milliseconds. @default Date.now */
  clock?: () => number;
  /** Retry-After (s) of the 503 a fail-closed store answers while it cannot decide. @default 1 (1 s) */
  unavailableRetryAfter?: number;
  /** Put RateLimit / RateLimit-Policy on allowed answers too, not only on 429. @default true */
  headersOnAllow?: boolean;
}

export interface RateLimitGuard extends Guard {
  readonly store: RateLimitStore;
  /** The policy on every route (the first one when only routed policies are configured). */
  readonly policy: CompiledPolicy;
  /** Every configured policy, in order. */
  readonly policies: readonly CompiledPolicy[];
}

type Routed = { policy: CompiledPolicy; covers: RouteMatcher | undefined };
type Taken = { policy: CompiledPolicy; decision: Decision };

/**
 * 429 + Retry-After + RateLimit fields when a client goes over its limit
 * (RFC 6585 §4). Synchronous whenever the store is (the memory store is).
 */
export function createRateLimitGuard(options: RateLimitOptions = {}): RateLimitGuard {
  const routed: Routed[] = (options.policies ?? []).map((p, i) => {
    const { routes, ...policy } = p;
    return {
      policy: compilePolicy({ name: `policy-${i + 1}`, ...policy }),
      covers: routes ? compileRules(routes) : undefined,
    };
  });
  // The policy on every route, which a principal's own `rate` replaces.
  let base: Routed | undefined;
  if (options.policy || routed.length === 0) {
    base = { policy: compilePolicy({ name: 'default', limit: 100, window: 60, ...options.policy }), covers: undefined };
    routed.unshift(base);
  }
  const all = routed.map((r) => r.policy);
  const names = new Set<string>();
  for (const p of all) {
    if (names.has(p.name))
      throw new TypeError(`policies: the name "${p.name}" is used twice; each policy needs its own.`);
    names.add(p.name);
  }
  const store = options.store ?? new MemoryStore();
  const keyOf = clientKeyFn(options.key ?? 'principal');
  const clock = options.clock ?? Date.now;
  const unavailableRetryAfter = options.unavailableRetryAfter ?? RATE_DEFAULTS.unavailableRetryAfter;
  const headersOnAllow = options.headersOnAllow ?? true;
  const generation = options.fields ?? 'draft-08';
  const compiled = new WeakMap<RatePolicy, CompiledPolicy>();
  // The common case, one policy on every route: no list built per request.
  const only = routed.length === 1 && routed[0]?.covers === undefined ? routed[0]?.policy : undefined;

  /** The policies that decide for a request: a principal's own `rate` replaces the one on every route. */
  const policiesFor = (ctx: RequestContext): CompiledPolicy[] | CompiledPolicy => {
    const own = principalOf(ctx)?.rate;
    let mine: CompiledPolicy | undefined;
    if (own) {
      mine = compiled.get(own);
      if (!mine) compiled.set(own, (mine = compilePolicy(own)));
    }
    if (only) return mine ?? only;
    const out: CompiledPolicy[] = mine ? [mine] : [];
    for (const r of routed) {
      if (r === base && mine) continue;
      if (!r.covers || r.covers(ctx)) out.push(r.policy);
    }
    return out;
  };

  const states = (taken: readonly Taken[]): LimitState[] => taken.map((t) => stateOf(t.policy, t.decision));

  const refuse = (taken: readonly Taken[]): never => {
    const refused = taken.filter((t) => !t.decision.allowed);
    const names = refused.map((t) => t.policy.name);
    // Retry-After: when every refusing policy has room again (RFC 6585 §4; it takes precedence over `t`).
    const retryAfter = Math.max(...refused.map((t) => t.decision.retryAfter));
    const first = refused[0]!.policy;
    throw new StatusError(429, `Rate limit exceeded: ${first.limit} requests per ${first.window} s.`, {
      headers: rateLimitHeaderValues(states(taken), generation, retryAfter, clock()),
      subcode: 'RATE_LIMIT',
      // draft-ietf-httpapi-ratelimit-headers §6.1: the problem type, naming the exceeded policies.
      problem: { ...QUOTA_EXCEEDED, members: { 'violated-policies': names } },
    });
  };

  const apply = (ctx: RequestContext, taken: readonly Taken[]): void => {
    for (const t of taken) if (!t.decision.allowed) refuse(taken);
    if (!headersOnAllow) return;
    const fields = rateLimitFieldList(states(taken), generation, clock());
    for (let i = 0; i < fields.length; i += 2) ctx.addResponseField(fields[i] as string, fields[i + 1] as string);
  };

  /** One policy decided: the hot path, two fields from strings compiled with the policy, nothing built. */
  const applyOne = (ctx: RequestContext, policy: CompiledPolicy, decision: Decision): void => {
    if (!decision.allowed || generation !== 'draft-08') {
      apply(ctx, [{ policy, decision }]);
      return;
    }
    if (!headersOnAllow) return;
    // No header object, no res.setHeader (see Context.fields).
    ctx.addResponseField('RateLimit-Policy', policy.policyField);
    if (!decision.degraded) ctx.addResponseField('RateLimit', rateLimitField(policy, decision));
  };

  const unavailable = (err: unknown): never => {
    if (err instanceof StoreUnavailableError) {
      // RFC 9110 §15.6.4: 503 with Retry-After when the condition is temporary.
      throw new StatusError(503, 'The rate-limit store is unavailable; try again shortly.', {
        headers: { 'Retry-After': String(unavailableRetryAfter) },
        subcode: 'RATE_STORE',
        cause: err,
      });
    }
    throw err;
  };

  const guard = function rateLimit(ctx: RequestContext): void | Promise<void> {
    const ps = policiesFor(ctx);
    const key = keyOf(ctx);
    const now = clock();
    if (!Array.isArray(ps)) {
      const decision = store.take(key, ps, now);
      if (decision instanceof Promise) return decision.then((d) => applyOne(ctx, ps, d), unavailable);
      return applyOne(ctx, ps, decision);
    }
    // Every covering policy decides (draft-ietf-httpapi-ratelimit-headers §2: several quota policies may apply).
    const decisions = ps.map((p) => store.take(key, p, now));
    const zip = (ds: readonly Decision[]): Taken[] =>
      ds.map((d, i) => ({ policy: ps[i] as CompiledPolicy, decision: d }));
    if (decisions.some((d) => d instanceof Promise))
      return Promise.all(decisions).then((ds) => apply(ctx, zip(ds)), unavailable);
    apply(ctx, zip(decisions as Decision[]));
  };
  return Object.assign(guard, { store, policy: all[0] as CompiledPolicy, policies: all });
}
