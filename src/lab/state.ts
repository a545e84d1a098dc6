import { StatusError } from '../errors.ts';
import type { RequestContext } from '../server/types.ts';
import { JobQueue } from './jobs.ts';
import { FixedWindow } from './limiter.ts';
import type { ResolvedLabOptions } from './options.ts';
import { StreamStore } from './streams.ts';

/** What the lab's routes share: its options and its in-memory state. */
export interface LabState {
  readonly options: ResolvedLabOptions;
  readonly streams: StreamStore;
  readonly jobs: JobQueue;
  readonly limiter: FixedWindow;
  /** When the lab started: the Last-Modified of its fixed representations. */
  readonly started: number;
}

export function createState(options: ResolvedLabOptions): LabState {
  return {
    options,
    streams: new StreamStore(options.now, options.maxStreams, options.maxRecords, options.maxRecordsTotal),
    jobs: new JobQueue(options.now, options.jobDuration, options.maxJobs),
    limiter: new FixedWindow(options.rateLimit, options.rateWindow, options.now),
    started: options.now(),
  };
}

export const JSON_ONLY: readonly string[] = ['application/json'];

/**
 * Sets X-Request-Id on an answer a handler writes itself (the front's
 * sendJson/sendEmpty/sendError set it on theirs).
 */
export function tagResponse(ctx: RequestContext): void {
  ctx.res.setHeader('x-request-id', ctx.requestId);
}

// One leading slash, then visible ASCII but backslash (RFC 9110 §5.5: a field value has no controls).
const LOCAL_PATH = /^\/(?![/\\])[\x21-\x5b\x5d-\x7e]*$/;

/** A local path for Location: no scheme, no host (no open redirect), nothing a header cannot carry. */
export function localPath(value: string | null, fallback: string, parameter: string): string {
  if (value === null) return fallback;
  if (!LOCAL_PATH.test(value)) {
    throw new StatusError(400, `The ${parameter} parameter must be a path on this server, such as /redirected.`, {
      subcode: 'QUERY',
    });
  }
  return value;
}

/** A whole number from the query within [min, max], the fallback when absent, else 400. */
export function queryInt(ctx: RequestContext, name: string, fallback: number, min: number, max: number): number {
  const text = ctx.query.get(name);
  if (text === null) return fallback;
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    throw new StatusError(400, `The ${name} parameter must be a whole number from ${min} to ${max}, got "${text}".`, {
      subcode: 'QUERY',
    });
  }
  return n;
}
