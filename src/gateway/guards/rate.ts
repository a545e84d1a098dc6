import { StatusError } from '../../errors.ts';
import type { Guard, RequestContext } from '../../server/types.ts';
import { principalOf } from '../auth/principal.ts';
import { rateLimitField, rateLimitHeaders } from '../limits/fields.ts';
import { type CompiledPolicy, compilePolicy, type Decision, type RatePolicy } from '../limits/gcra.ts';
import { MemoryStore } from '../limits/memory.ts';
import { type RateLimitStore, StoreUnavailableError } from '../limits/store.ts';
import { type ClientKey, clientKeyFn } from './client-key.ts';

export interface RateLimitOptions {
  /** The limit each client gets. A principal's own `rate` overrides it. @default { name: "default", limit: 100, window: 60 } */
  policy?: Partial<RatePolicy>;
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
  readonly policy: CompiledPolicy;
}

/**
 * 429 + Retry-After + RateLimit fields when a client goes over its limit
 * (RFC 6585 §4). Synchronous whenever the store is (the memory store is).
 */
export function createRateLimitGuard(options: RateLimitOptions = {}): RateLimitGuard {
  const policy = compilePolicy({ name: 'default', limit: 100, window: 60, ...options.policy });
  const store = options.store ?? new MemoryStore();
  const keyOf = clientKeyFn(options.key ?? 'principal');
  const clock = options.clock ?? Date.now;
  const unavailableRetryAfter = options.unavailableRetryAfter ?? 1; // 1 s
  const headersOnAllow = options.headersOnAllow ?? true;
  const compiled = new WeakMap<RatePolicy, CompiledPolicy>();

  const policyFor = (ctx: RequestContext): CompiledPolicy => {
    const own = principalOf(ctx)?.rate;
    if (!own) return policy;
    let c = compiled.get(own);
    if (!c) compiled.set(own, (c = compilePolicy(own)));
    return c;
  };

  const apply = (ctx: RequestContext, p: CompiledPolicy, decision: Decision): void => {
    if (!decision.allowed) {
      throw new StatusError(429, `Rate limit exceeded: ${p.limit} requests per ${p.window} s.`, {
        headers: rateLimitHeaders(p, decision),
        subcode: 'RATE_LIMIT',
      });
    }
    // The hot path: two fields for the answer, no header object built, no res.setHeader (see Context.fields).
    if (!headersOnAllow) return;
    ctx.addResponseField('RateLimit-Policy', p.policyField);
    if (!decision.degraded) ctx.addResponseField('RateLimit', rateLimitField(p, decision));
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
    const p = policyFor(ctx);
    const decision = store.take(keyOf(ctx), p, clock());
    if (decision instanceof Promise) return decision.then((d) => apply(ctx, p, d), unavailable);
    apply(ctx, p, decision);
  };
  return Object.assign(guard, { store, policy });
}
