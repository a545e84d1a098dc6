import { DEFAULT_PROFILE, type Profile, parseProfile } from '../catalog/index.ts';
import { FIELD_GENERATIONS, type FieldGeneration } from '../gateway/policies/limits/fields.ts';

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export interface LabOptions {
  /** The table the lab answers by: its codes, names and error_code prefix. @default 'generic' */
  profile?: Profile;
  /** The clock of versions, jobs and rate windows, ms since the epoch. @default Date.now */
  now?: () => number;
  /** How the slow route waits. @default a timer cancelled by the request's signal */
  sleep?: Sleep;
  /** How long an asynchronous job runs. @default 2000 ms */
  jobDuration?: number;
  /** How long the slow route takes unless `?ms=` says otherwise. @default 10000 ms */
  slowDelay?: number;
  /** The slow route's own deadline (504 past it). @default 30000 ms */
  slowTimeout?: number;
  /** Largest body the stream collection takes (413 past it). @default 16384 bytes */
  bodyLimit?: number;
  /** Most streams kept at once (409 past it). @default 10000 */
  maxStreams?: number;
  /** Most records one stream holds (409 past it). @default 1000 */
  maxRecords?: number;
  /** Most records over all streams (409 past it). @default 100000 */
  maxRecordsTotal?: number;
  /** Most jobs kept; the oldest are forgotten first. @default 1000 */
  maxJobs?: number;
  /** Requests per window on /limited, per client address. @default 5 */
  rateLimit?: number;
  /** The window of /limited. @default 10000 ms */
  rateWindow?: number;
  /** The generation of /limited's RateLimit fields (`?fields=` overrides it per request). @default "draft-08" */
  rateLimitFields?: FieldGeneration;
  /** Retry-After of the maintenance route. @default 120 s */
  maintenanceRetryAfter?: number;
}

export type ResolvedLabOptions = Required<LabOptions>;

const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal.reason);
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new TypeError(`Lab option ${name} must be a positive number, got ${value}.`);
  return value;
}

/** Resolves the lab's options once; a bad value is a TypeError naming the option. */
export function resolveLabOptions(options: LabOptions = {}): ResolvedLabOptions {
  return {
    profile: options.profile === undefined ? DEFAULT_PROFILE : parseProfile(options.profile),
    now: options.now ?? Date.now,
    sleep: options.sleep ?? realSleep,
    jobDuration: positive('jobDuration', options.jobDuration, 2000), // 2 s
    slowDelay: positive('slowDelay', options.slowDelay, 10_000), // 10 s
    slowTimeout: positive('slowTimeout', options.slowTimeout, 30_000), // 30 s
    bodyLimit: positive('bodyLimit', options.bodyLimit, 16 * 1024), // 16 KiB
    maxStreams: positive('maxStreams', options.maxStreams, 10_000),
    maxRecords: positive('maxRecords', options.maxRecords, 1000),
    maxRecordsTotal: positive('maxRecordsTotal', options.maxRecordsTotal, 100_000),
    maxJobs: positive('maxJobs', options.maxJobs, 1000),
    rateLimit: positive('rateLimit', options.rateLimit, 5),
    rateWindow: positive('rateWindow', options.rateWindow, 10_000), // 10 s
    rateLimitFields: generation(options.rateLimitFields),
    maintenanceRetryAfter: positive('maintenanceRetryAfter', options.maintenanceRetryAfter, 120), // 2 min
  };
}

function generation(value: FieldGeneration | undefined): FieldGeneration {
  if (value === undefined) return 'draft-08';
  if (!FIELD_GENERATIONS.includes(value))
    throw new TypeError(`Lab option rateLimitFields must be one of ${FIELD_GENERATIONS.join(', ')}, got ${value}.`);
  return value;
}
