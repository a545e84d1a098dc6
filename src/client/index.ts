export { RetryBudget, type RetryBudgetOptions } from './budget.ts';
export { type Client, type ClientRequestInit, createClient, type ResponsePromise, type WaitOptions } from './client.ts';
export { type Clock, systemClock } from './clock.ts';
export { ClientError, HttpError, NetworkError, parseServerError, type ServerError, TimeoutError } from './errors.ts';
export type {
  AttemptEvent,
  BeforeAttemptEvent,
  ClientOptions,
  Credentials,
  Hooks,
  RetryOptions,
  TimeoutOptions,
} from './options.ts';
export { retryAfterMs } from './retry-after.ts';
export type { FetchLike } from './transport/types.ts';
