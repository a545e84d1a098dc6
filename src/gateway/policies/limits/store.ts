import type { CompiledPolicy, Decision } from './gcra.ts';

/**
 * Where rate-limit state lives. `take` spends one request of `key`'s quota
 * under `policy` at `nowMs` (epoch ms) and says whether it was allowed.
 * Keys are per policy: the same key under two policy names is two counts.
 *
 * A store whose state is in process returns the Decision synchronously, so
 * the rate guard stays synchronous and adds no tick of latency; a remote store
 * returns a Promise. A remote store that cannot decide either resolves a
 * `degraded` allow (fail-open) or rejects with StoreUnavailableError (fail-closed).
 */
export interface RateLimitStore {
  readonly kind: string;
  take(key: string, policy: CompiledPolicy, nowMs: number): Decision | Promise<Decision>;
  close(): Promise<void>;
}

/** What to do when the shared store cannot be reached. */
export type FailurePolicy = 'open' | 'closed';

/** Thrown by a fail-closed store that could not decide; the rate guard answers 503 + Retry-After. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
}

/** Called on every store failure, for the core's log and metrics. */
export type StoreFailureListener = (event: {
  store: string;
  error: Error;
  /** What the request got: let through (open) or refused with 503 (closed). */
  outcome: 'allowed' | 'refused';
}) => void;
