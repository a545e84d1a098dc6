/**
 * GCRA (generic cell rate algorithm), the rate-limit math shared by every store.
 *
 * State per key: one number, the theoretical arrival time (TAT) in integer
 * microseconds. A policy of `limit` requests per `window` seconds gives each
 * request a cost T = window / limit and lets a key run at most `limit` requests
 * ahead of the clock: a request is allowed when max(TAT, now) + T − now ≤ limit·T.
 * Times are integer microseconds so that every step is exact in a double (and
 * in Redis's Lua): no drift, the count of a burst is exactly `limit`.
 */
import { serializeBareItem } from '../../../sf/index.ts';
import { policyItem } from './fields.ts';

export interface RatePolicy {
  /** The name shown in RateLimit-Policy / RateLimit. @default "default" */
  name: string;
  /** Requests allowed per window (the burst, and the sustained rate over a window). */
  limit: number;
  /** Window length in seconds. */
  window: number;
}

/** A policy with its derived integer constants, computed once. */
export interface CompiledPolicy extends RatePolicy {
  /** Emission interval T in µs: one request's cost. */
  readonly costUs: number;
  /** limit · T in µs: how far TAT may run ahead of the clock. */
  readonly burstUs: number;
  /** `"name";q=limit;w=window`, the RateLimit-Policy value (draft-ietf-httpapi-ratelimit-headers). */
  readonly policyField: string;
  /** The name serialised as an sf-string (`"name"`, RFC 9651 §4.1.6), once. */
  readonly nameField: string;
}

export interface Decision {
  allowed: boolean;
  limit: number;
  /** Requests still allowed right now after this one. */
  remaining: number;
  /** Seconds until the quota is whole again (RateLimit `t`), rounded up. */
  reset: number;
  /** When refused: seconds until one request fits again, rounded up, ≥ 1. 0 when allowed. */
  retryAfter: number;
  /** True when the store could not decide and the fail-open policy let the request through. */
  degraded?: boolean;
}

/** sf-string content: printable ASCII (RFC 9651 §3.3.3); the serialiser escapes `"` and `\`. */
const POLICY_NAME = /^[\x20-\x7e]{1,64}$/;

/** Validates and compiles a policy; throws a TypeError naming the bad field. */
export function compilePolicy(policy: Partial<RatePolicy> & Pick<RatePolicy, 'limit' | 'window'>): CompiledPolicy {
  const name = policy.name ?? 'default';
  const { limit, window } = policy;
  if (!POLICY_NAME.test(name)) throw new TypeError('name: 1–64 printable ASCII characters.');
  if (!Number.isInteger(limit) || limit < 1) throw new TypeError('limit: a whole number of requests ≥ 1.');
  if (!Number.isInteger(window) || window < 1) throw new TypeError('window: a whole number of seconds ≥ 1.');
  // T is rounded to whole µs; from 100 µs up the sustained rate is off by at most 0.5 %.
  if (limit / window > 10_000) throw new TypeError('limit: at most 10000 requests per second of the window.');
  const costUs = Math.round((window * 1e6) / limit);
  return {
    name,
    limit,
    window,
    costUs,
    burstUs: costUs * limit,
    policyField: policyItem(name, limit, window),
    nameField: serializeBareItem(name),
  };
}

/** Milliseconds (possibly fractional) to integer microseconds. */
export const toMicros = (ms: number): number => Math.round(ms * 1000);

/**
 * The decision for one request, given the key's TAT (undefined for a new key).
 * Returns the new TAT to store (unchanged when refused).
 */
export function gcraStep(
  tat: number | undefined,
  nowUs: number,
  policy: CompiledPolicy,
): { tat: number; decision: Decision } {
  const base = tat === undefined || tat < nowUs ? nowUs : tat;
  const next = base + policy.costUs;
  const allowed = next - nowUs <= policy.burstUs;
  return { tat: allowed ? next : base, decision: decisionFrom(allowed, (allowed ? next : base) - nowUs, policy) };
}

/**
 * A decision from "allowed?" and how far the stored TAT is ahead of now (µs).
 * The Redis store computes these two atomically in Lua and builds the rest here.
 */
export function decisionFrom(allowed: boolean, aheadUs: number, policy: CompiledPolicy): Decision {
  const room = policy.burstUs - aheadUs;
  return {
    allowed,
    limit: policy.limit,
    remaining: room > 0 ? Math.floor(room / policy.costUs) : 0,
    reset: Math.ceil(aheadUs / 1e6),
    // One more request fits once TAT + T − now ≤ burst, i.e. after aheadUs + T − burst.
    retryAfter: allowed ? 0 : Math.max(1, Math.ceil((aheadUs + policy.costUs - policy.burstUs) / 1e6)),
  };
}
