export { AdaptiveRateLimiter } from './adaptive.ts';
export { RetryBudget, type RetryBudgetOptions, type RetryTokens } from './budget.ts';
export { type Client, type ClientRequestInit, createClient, type ResponsePromise, type WaitOptions } from './client.ts';
export { type Clock, systemClock } from './clock.ts';
export { ClientError, HttpError, NetworkError, parseServerError, type ServerError, TimeoutError } from './errors.ts';
export type {
  AttemptEvent,
  BeforeAttemptEvent,
  ClientOptions,
  Credentials,
  Hooks,
  PacingOptions,
  RetryOptions,
  TimeoutOptions,
} from './options.ts';
export { type PacedEvent, Pacer } from './pacer.ts';
export { RetryQuota, type RetryQuotaOptions } from './quota.ts';
export { parseRateLimit, type RateLimitGeneration, type RateLimitInfo } from './rate-limit.ts';
export { retryAfterMs } from './retry-after.ts';
export type { FetchLike } from './transport/types.ts';
