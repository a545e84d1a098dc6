import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { StatusError } from '../../errors.ts';
import { type EntityTag, parseEntityTag, parseEntityTagList, strongMatch, weakMatch } from './etag.ts';
import { formatHttpDate, parseHttpDate, toHttpSeconds } from './http-date.ts';

/** The validators of the target resource's current representation. */
export interface Validators {
  /** Its entity tag as sent in ETag (`"x"` or `W/"x"`). */
  etag?: string | undefined;
  /** When it last changed, ms since the epoch (compared at one-second precision). */
  lastModified?: number | undefined;
  /** Whether the resource has a current representation at all. @default true */
  exists?: boolean | undefined;
}

/** What the preconditions of a request decide (RFC 9110 §13.2.2), and which field decided a 412. */
export type PreconditionOutcome =
  | { readonly outcome: 'proceed' | 'not-modified' }
  | { readonly outcome: 'failed'; readonly field: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match' };

// Shared, frozen answers: evaluating allocates nothing per request.
const PROCEED: PreconditionOutcome = Object.freeze({ outcome: 'proceed' });
const NOT_MODIFIED: PreconditionOutcome = Object.freeze({ outcome: 'not-modified' });
const FAILED_IF_MATCH: PreconditionOutcome = Object.freeze({ outcome: 'failed', field: 'If-Match' });
const FAILED_IF_UNMODIFIED: PreconditionOutcome = Object.freeze({ outcome: 'failed', field: 'If-Unmodified-Since' });
const FAILED_IF_NONE_MATCH: PreconditionOutcome = Object.freeze({ outcome: 'failed', field: 'If-None-Match' });

function listMatches(value: string, current: EntityTag | undefined, exists: boolean, strong: boolean): boolean {
  const list = parseEntityTagList(value);
  // `*` matches any current representation (RFC 9110 §13.1.1, §13.1.2).
  if (list === '*') return exists;
  // A malformed list names no tag, so nothing matches.
  if (list === undefined || current === undefined || !exists) return false;
  const same = strong ? strongMatch : weakMatch;
  return list.some((tag) => same(tag, current));
}

/**
 * Evaluates If-Match, If-Unmodified-Since, If-None-Match and If-Modified-Since
 * in the order of RFC 9110 §13.2.2. Call it only where the answer would
 * otherwise be 2xx (RFC 9110 §13.2.1: a 404 stays a 404). `now` is the
 * server's clock: an If-Modified-Since in the future is invalid (§13.1.3).
 */
export function evaluatePreconditions(
  method: string,
  headers: IncomingHttpHeaders,
  validators: Validators,
  now: number = Date.now(),
): PreconditionOutcome {
  const exists = validators.exists ?? true;
  const current = validators.etag === undefined ? undefined : parseEntityTag(validators.etag);
  const modified = validators.lastModified === undefined ? undefined : toHttpSeconds(validators.lastModified);
  const safe = method === 'GET' || method === 'HEAD';

  // Step 1: If-Match uses the strong comparison (RFC 9110 §13.1.1).
  const ifMatch = headers['if-match'];
  if (ifMatch !== undefined) {
    if (!listMatches(ifMatch, current, exists, true)) return FAILED_IF_MATCH;
  } else {
    // Step 2: If-Unmodified-Since only without If-Match, ignored when the date is
    // invalid or the resource has no modification date (RFC 9110 §13.1.4).
    const since = parseHttpDate(headers['if-unmodified-since'], now);
    if (since !== undefined && exists && modified !== undefined && modified > since) return FAILED_IF_UNMODIFIED;
  }

  // Step 3: If-None-Match uses the weak comparison (RFC 9110 §13.1.2);
  // a match means 304 for GET/HEAD and 412 for every other method.
  const ifNoneMatch = headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    if (listMatches(ifNoneMatch, current, exists, false)) return safe ? NOT_MODIFIED : FAILED_IF_NONE_MATCH;
    return PROCEED;
  }

  // Step 4: If-Modified-Since only for GET/HEAD without If-None-Match; a date in
  // the future or an unparseable one is ignored (RFC 9110 §13.1.3).
  if (safe && exists && modified !== undefined) {
    const since = parseHttpDate(headers['if-modified-since'], now);
    if (since !== undefined && since <= now && modified <= since) return NOT_MODIFIED;
  }
  return PROCEED;
}

export interface PreconditionContext {
  readonly req: { readonly method?: string | undefined; readonly headers: IncomingHttpHeaders };
  readonly res: ServerResponse;
}

/**
 * Applies the preconditions of a request to a handler: throws a 412
 * StatusError when one fails, answers 304 (with ETag, no body) and returns
 * true when the client's copy is current, returns false when the handler
 * should go on.
 */
export function checkPreconditions(
  ctx: PreconditionContext,
  validators: Validators,
  now: number = Date.now(),
): boolean {
  const method = ctx.req.method ?? 'GET';
  const decision = evaluatePreconditions(method, ctx.req.headers, validators, now);
  if (decision.outcome === 'proceed') return false;
  if (decision.outcome === 'failed') {
    // RFC 9110 §15.5.13: the server must not apply the method; the client re-reads.
    throw new StatusError(
      412,
      `${decision.field} does not hold for the current representation; read it again and retry with its validator.`,
      {
        subcode: 'PRECONDITION',
      },
    );
  }
  // RFC 9110 §15.4.5: a 304 carries the ETag a 200 would have carried, and no
  // content; Last-Modified only helps a cache when there is no ETag.
  if (validators.etag !== undefined) ctx.res.setHeader('ETag', validators.etag);
  else if (validators.lastModified !== undefined)
    ctx.res.setHeader('Last-Modified', formatHttpDate(validators.lastModified));
  ctx.res.statusCode = 304;
  ctx.res.end();
  return true;
}

/** Sets ETag and Last-Modified on a response that carries the representation. */
export function setValidators(res: ServerResponse, validators: Validators): void {
  if (validators.etag !== undefined) res.setHeader('ETag', validators.etag);
  if (validators.lastModified !== undefined) res.setHeader('Last-Modified', formatHttpDate(validators.lastModified));
}
