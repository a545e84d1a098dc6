/**
 * The answer fields of a rate-limit decision: RateLimit-Policy and RateLimit
 * (draft-ietf-httpapi-ratelimit-headers: `"name";q=100;w=60` and
 * `"name";r=42;t=17`) and Retry-After in whole seconds (RFC 9110 §10.2.3).
 */
import type { HeaderValues } from '../../errors.ts';
import type { CompiledPolicy, Decision } from './gcra.ts';

/** `"default";r=42;t=17`: what is left of the quota and when it is whole again. */
export function rateLimitField(policy: CompiledPolicy, decision: Decision): string {
  // Joined, so the value is flat when node validates it (see newRequestId in ../../server/context.ts).
  return ['"', policy.name, '";r=', decision.remaining, ';t=', decision.reset].join('');
}

/**
 * The headers for a decision. A degraded decision (the store could not tell)
 * carries only the policy: its remaining quota is unknown.
 */
export function rateLimitHeaders(policy: CompiledPolicy, decision: Decision): HeaderValues {
  const headers: HeaderValues = { 'RateLimit-Policy': policy.policyField };
  if (!decision.degraded) headers.RateLimit = rateLimitField(policy, decision);
  // RFC 6585 §4 / RFC 9110 §10.2.3: delay-seconds, a whole number; the draft says Retry-After takes precedence.
  if (!decision.allowed) headers['Retry-After'] = String(decision.retryAfter);
  return headers;
}

/** Whole seconds for Retry-After from milliseconds, rounded up, at least 1. */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
