import type { Guidance } from '../catalog/index.ts';
import { IDEMPOTENT_METHODS } from '../methods.ts';
import type { RetryTokens } from './budget.ts';
import type { ResolvedOptions } from './options.ts';

/**
 * Whether a request may be sent again: an idempotent method, or (opt-in) a
 * POST/PATCH carrying Idempotency-Key (draft-ietf-httpapi-idempotency-key-header
 * §2: the server uses the key to answer a repeat without acting twice); and a
 * body the client still holds. Undefined when it may, else why not.
 */
export function whyNotRepeatable(
  method: string,
  headers: Record<string, string>,
  replayable: boolean,
  idempotencyKey: boolean,
): string | undefined {
  const keyed = idempotencyKey && (method === 'POST' || method === 'PATCH') && headers['idempotency-key'] !== undefined;
  if (!IDEMPOTENT_METHODS.has(method) && !keyed) {
    return idempotencyKey && (method === 'POST' || method === 'PATCH')
      ? `Not repeated: ${method} without an Idempotency-Key header could act twice.`
      : `Not repeated: ${method} is not idempotent (RFC 9110 §9.2.2), so a repeat could act twice.`;
  }
  if (!replayable) return 'Not repeated: the request body was a stream and has been sent once already.';
  return undefined;
}

export type Decision =
  | { readonly action: 'return' | 'follow'; readonly reason: string }
  | { readonly action: 'retry'; readonly delay: number; readonly reason: string; readonly cost: number }
  | { readonly action: 'throw'; readonly reason: string };

export interface DecisionInput {
  readonly guidance: Guidance;
  /** Retry-After in ms, when the answer carried a readable one. */
  readonly retryAfter: number | undefined;
  /** The attempt that just ended, 1-based. */
  readonly attempt: number;
  /** Why the request may not be repeated, or undefined. */
  readonly notRepeatable: string | undefined;
  /** Milliseconds before the call's deadline. */
  readonly remaining: number;
  /** The attempt got no answer in time (a retry then costs more in RetryQuota). */
  readonly timedOut?: boolean;
}

const seconds = (ms: number): string => `${Math.ceil(ms / 1000)} s`;

/**
 * The one place where guidance becomes an action (CONTRACT.md §5). Spends
 * a budget token only when every other check lets the retry happen.
 */
export function decide(
  input: DecisionInput,
  options: Pick<ResolvedOptions, 'retry' | 'random'>,
  budget: RetryTokens | undefined,
): Decision {
  const { guidance, retryAfter, attempt } = input;
  const { retry } = options;
  switch (guidance) {
    case 'done':
      return { action: 'return', reason: 'Done.' };
    case 'follow':
      return { action: 'follow', reason: 'Redirected.' };
    case 'fix':
      return { action: 'throw', reason: 'Not retried: repeating this request unchanged is wrong.' };
    case 'never-issued':
      return { action: 'throw', reason: 'The contract never issues this status; treated as an error.' };
    default:
      break;
  }
  if (input.notRepeatable) return { action: 'throw', reason: input.notRepeatable };
  if (retryAfter !== undefined && retryAfter > retry.maxRetryAfter) {
    return {
      action: 'throw',
      reason: `The server asked to wait ${seconds(retryAfter)} (Retry-After), longer than maxRetryAfter (${seconds(retry.maxRetryAfter)}); not waiting.`,
    };
  }
  if (attempt > retry.limit) return { action: 'throw', reason: `Gave up after ${attempt} attempts.` };
  // Retry-After wins whenever the answer has one (RFC 9110 §10.2.3); else
  // exponential backoff with full jitter: uniform in [0, min(cap, base·2^n)).
  const delay =
    retryAfter ?? Math.floor(options.random() * Math.min(retry.maxBackoff, retry.backoff * 2 ** (attempt - 1)));
  if (delay >= input.remaining) {
    return {
      action: 'throw',
      reason: `No time left to retry: waiting ${delay} ms would pass the deadline (${Math.max(0, Math.floor(input.remaining))} ms left).`,
    };
  }
  const cost = budget ? budget.take(input.timedOut === true) : 0;
  if (cost === false) {
    return {
      action: 'throw',
      reason: 'Not retried: the client’s retry budget is spent (too many recent failures); the service looks down.',
    };
  }
  const why =
    guidance === 'retry-after'
      ? retryAfter === undefined
        ? 'backing off (no Retry-After given)'
        : `waiting ${retryAfter} ms as Retry-After asks`
      : guidance === 'retry-later'
        ? 'the server timed out reading the request; repeating it later'
        : 'backing off before repeating an idempotent request';
  return { action: 'retry', delay, reason: `Retry ${attempt}/${retry.limit}: ${why}.`, cost };
}
