/**
 * The answer fields of rate-limit decisions, in the generation a deployment
 * chooses (draft-ietf-httpapi-ratelimit-headers):
 *
 * - `draft-08` (the default; drafts -08 to -10): two Structured Field Lists
 *   (RFC 9651 §3.1), one member per policy, names as sf-strings:
 *   `RateLimit-Policy: "default";q=100;w=60` and `RateLimit: "default";r=42;t=17`;
 * - `draft-07`: `RateLimit: limit=100, remaining=42, reset=17` (a Dictionary,
 *   for the policy closest to exhaustion) and `RateLimit-Policy: 100;w=60`;
 * - `draft-06` (drafts -00 to -06): `RateLimit-Limit`, `RateLimit-Remaining`,
 *   `RateLimit-Reset` (delta seconds) and `RateLimit-Policy: 100;w=60`;
 * - `x-ratelimit`: `X-RateLimit-Limit`, `X-RateLimit-Remaining` and
 *   `X-RateLimit-Reset` in epoch seconds (the GitHub convention).
 *
 * Retry-After (RFC 9110 §10.2.3) is whole seconds and takes precedence over
 * every reset field (draft-08 §5). Values are serialised with src/sf.
 */
import type { HeaderValues } from '../../../errors.ts';
import { type Item, serializeBareItem, serializeDictionary, serializeItem, serializeList } from '../../../sf/index.ts';
import type { CompiledPolicy, Decision } from './gcra.ts';

export const FIELD_GENERATIONS = ['draft-08', 'draft-07', 'draft-06', 'x-ratelimit'] as const;
export type FieldGeneration = (typeof FIELD_GENERATIONS)[number];

/** One policy's state, from any limiter: the gateway's GCRA or the lab's fixed window. */
export interface LimitState {
  /** The policy's name (an sf-string in draft-08). */
  readonly name: string;
  /** Requests per window (`q`). */
  readonly limit: number;
  /** Window, whole seconds (`w`). */
  readonly window: number;
  /** Requests left now (`r`); undefined when the store could not tell. */
  readonly remaining: number | undefined;
  /** Seconds until the quota is whole again (`t`), rounded up. */
  readonly reset: number;
}

/** The problem type of draft-ietf-httpapi-ratelimit-headers §6.1 (RFC 9457), with its `violated-policies`. */
export const QUOTA_EXCEEDED = {
  type: 'https://iana.org/assignments/http-problem-types#quota-exceeded',
  title: 'Request cannot be satisfied as assigned quota has been exceeded',
} as const;

/** `"name";q=100;w=60`: one RateLimit-Policy member of draft-08 (computed once per policy). */
export function policyItem(name: string, limit: number, window: number): string {
  return serializeItem([
    name,
    new Map([
      ['q', limit],
      ['w', window],
    ]),
  ]);
}

/** `"name";r=42;t=17`: one RateLimit member of draft-08. `nameField` is the serialised name. */
function limitItem(nameField: string, remaining: number, reset: number): string {
  // The name was serialised once (an sf-string); r and t are sf-integers.
  return [nameField, ';r=', serializeBareItem(remaining), ';t=', serializeBareItem(reset)].join('');
}

/** The policy closest to exhaustion among those whose state is known (draft-07: RateLimit describes one). */
function tightest(states: readonly LimitState[]): LimitState | undefined {
  let best: LimitState | undefined;
  for (const s of states) {
    if (s.remaining === undefined) continue;
    if (!best || s.remaining < (best.remaining as number) || (s.remaining === best.remaining && s.reset > best.reset))
      best = s;
  }
  return best;
}

/** `100;w=60, 10;w=1`: the quota-policy items of drafts -00 to -07. */
function legacyPolicies(states: readonly LimitState[]): string {
  return serializeList(states.map((s) => [s.limit, new Map([['w', s.window]])]));
}

/**
 * The fields for the states of every policy that decided, as a flat
 * `[name, value, …]` list (the form Context.addResponseField and
 * node's writeHead take). `nowMs` is only read by `x-ratelimit` (epoch reset).
 */
export function rateLimitFieldList(
  states: readonly LimitState[],
  generation: FieldGeneration = 'draft-08',
  nowMs = Date.now(),
  nameFields?: readonly string[],
): string[] {
  if (states.length === 0) return [];
  if (generation === 'draft-08') {
    // draft-08 §3 / §4: one List member per policy, in the same order in both fields.
    const policy = states.map((s) => policyItem(s.name, s.limit, s.window)).join(', ');
    const limits: string[] = [];
    states.forEach((s, i) => {
      if (s.remaining !== undefined)
        limits.push(limitItem(nameFields?.[i] ?? serializeBareItem(s.name), s.remaining, s.reset));
    });
    return limits.length ? ['RateLimit-Policy', policy, 'RateLimit', limits.join(', ')] : ['RateLimit-Policy', policy];
  }
  const t = tightest(states);
  if (generation === 'draft-07') {
    const out = ['RateLimit-Policy', legacyPolicies(states)];
    if (t) {
      const member = (n: number): Item => [n, new Map()];
      const dict = new Map([
        ['limit', member(t.limit)],
        ['remaining', member(t.remaining as number)],
        ['reset', member(t.reset)],
      ]);
      out.push('RateLimit', serializeDictionary(dict));
    }
    return out;
  }
  if (!t) return generation === 'draft-06' ? ['RateLimit-Policy', legacyPolicies(states)] : [];
  if (generation === 'draft-06') {
    return [
      'RateLimit-Limit',
      String(t.limit),
      'RateLimit-Remaining',
      String(t.remaining),
      'RateLimit-Reset',
      String(t.reset),
      'RateLimit-Policy',
      legacyPolicies(states),
    ];
  }
  return [
    'X-RateLimit-Limit',
    String(t.limit),
    'X-RateLimit-Remaining',
    String(t.remaining),
    'X-RateLimit-Reset',
    String(Math.ceil(nowMs / 1000) + t.reset),
  ];
}

/** The same list as a header object, with Retry-After (whole seconds) when a request was refused. */
export function rateLimitHeaderValues(
  states: readonly LimitState[],
  generation: FieldGeneration = 'draft-08',
  retryAfter?: number,
  nowMs = Date.now(),
): HeaderValues {
  const list = rateLimitFieldList(states, generation, nowMs);
  const headers: HeaderValues = {};
  for (let i = 0; i < list.length; i += 2) headers[list[i] as string] = list[i + 1] as string;
  // RFC 6585 §4 / RFC 9110 §10.2.3: delay-seconds, a whole number; the draft says Retry-After takes precedence.
  if (retryAfter !== undefined) headers['Retry-After'] = String(retryAfter);
  return headers;
}

/** A gateway decision as a LimitState. A degraded decision (the store could not tell) has no remaining. */
export function stateOf(policy: CompiledPolicy, decision: Decision): LimitState {
  return {
    name: policy.name,
    limit: policy.limit,
    window: policy.window,
    remaining: decision.degraded ? undefined : decision.remaining,
    reset: decision.reset,
  };
}

/** `"default";r=42;t=17`: what is left of one policy's quota and when it is whole again (draft-08). */
export function rateLimitField(policy: CompiledPolicy, decision: Decision): string {
  return limitItem(policy.nameField, decision.remaining, decision.reset);
}

/** The draft-08 headers for one decision, with Retry-After when it was refused. */
export function rateLimitHeaders(policy: CompiledPolicy, decision: Decision): HeaderValues {
  return rateLimitHeaderValues(
    [stateOf(policy, decision)],
    'draft-08',
    decision.allowed ? undefined : decision.retryAfter,
  );
}

/** Whole seconds for Retry-After from milliseconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
