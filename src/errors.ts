import {
  DEFAULT_PROFILE,
  type ErrorCode,
  errorCodeFor,
  getCode,
  isErrorCode,
  nameIn,
  type Profile,
} from './catalog/index.ts';

export type HeaderValues = Record<string, string | number | readonly string[]>;

export interface StatusErrorOptions {
  /** Headers the answer must carry (Allow, Retry-After, WWW-Authenticate …). */
  headers?: HeaderValues;
  /** A finer sub-code appended to `error_code`, e.g. `DIS.0441.SIGNATURE`. */
  subcode?: string;
  /** Extra members for the body (e.g. the failing fields of a 422). */
  details?: Record<string, unknown>;
  /**
   * A registered problem type for the problem+json form (RFC 9457 §3.1.1), with
   * its extension members; the contract's JSON body stays as it is.
   */
  problem?: ProblemType;
  cause?: unknown;
}

/** An RFC 9457 problem type: its URI, its title and the extension members it defines. */
export interface ProblemType {
  type: string;
  title: string;
  members?: Record<string, unknown>;
}

/**
 * An error that becomes a contract answer: its status, the profile's error
 * body and the headers the status requires. Only 4xx/5xx codes that the
 * contract issues can be made into one; 305/306/402, successes and codes
 * outside the contract are refused with a TypeError.
 */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly status: ErrorCode;
  readonly headers: HeaderValues;
  readonly subcode: string | undefined;
  readonly details: Record<string, unknown> | undefined;
  readonly problem: ProblemType | undefined;

  constructor(status: ErrorCode, message: string, options: StatusErrorOptions = {}) {
    // 441 is valid only under `dis`; the profile check happens when rendering.
    if (!isErrorCode(status, 'dis')) {
      const entry = getCode(status);
      const why = !entry
        ? 'it is not a code of the contract'
        : entry.guidance === 'never-issued'
          ? 'the contract never issues it'
          : 'it is not an error status';
      throw new TypeError(`Cannot make an error answer with status ${status}: ${why}.`);
    }
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = status;
    this.headers = options.headers ?? {};
    this.subcode = options.subcode;
    this.details = options.details;
    this.problem = options.problem;
  }
}

export interface ErrorBody {
  error_code: string;
  error_msg: string;
  request_id: string;
  [extra: string]: unknown;
}

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  error_code: string;
  request_id: string;
  [extra: string]: unknown;
}

export interface RenderOptions {
  profile?: Profile;
  requestId: string;
  /** The request target, for problem+json `instance`. */
  instance?: string;
}

/**
 * Checks that a status can be rendered under a profile. 441 under any profile
 * but `dis` is a programming error: those profiles answer 401 instead.
 */
function assertRenderable(status: number, profile: Profile): void {
  if (!isErrorCode(status, profile)) {
    throw new TypeError(
      status === 441
        ? `Status 441 exists only in the dis profile; under "${profile}" answer 401.`
        : `Status ${status} cannot be rendered as an error body under the "${profile}" profile.`,
    );
  }
}

/** Adds extension members without letting them overwrite the standard ones. */
function withDetails<T extends Record<string, unknown>>(body: T, details: Record<string, unknown> | undefined): T {
  if (details) for (const [k, v] of Object.entries(details)) if (!(k in body)) (body as Record<string, unknown>)[k] = v;
  return body;
}

/** The contract's JSON error body (CONTRACT.md §3). */
export function errorBody(err: StatusError, options: RenderOptions): ErrorBody {
  const profile = options.profile ?? DEFAULT_PROFILE;
  assertRenderable(err.status, profile);
  return withDetails(
    {
      error_code: errorCodeFor(err.status, profile, err.subcode),
      error_msg: err.message,
      request_id: options.requestId,
    },
    err.details,
  );
}

/** The RFC 9457 form of the same error, for clients that accept application/problem+json. */
export function problemDetails(err: StatusError, options: RenderOptions): ProblemDetails {
  const profile = options.profile ?? DEFAULT_PROFILE;
  assertRenderable(err.status, profile);
  const entry = getCode(err.status);
  const problem = err.problem;
  const body = withDetails(
    {
      // RFC 9457 §4.2.1: with "about:blank" the title is the status's phrase; a registered type brings its own.
      type: problem?.type ?? 'about:blank',
      title: problem?.title ?? (entry ? nameIn(entry, profile) : String(err.status)),
      status: err.status,
      detail: err.message,
      ...(options.instance === undefined ? {} : { instance: options.instance }),
      error_code: errorCodeFor(err.status, profile, err.subcode),
      request_id: options.requestId,
    },
    err.details,
  );
  return withDetails(body, problem?.members);
}

/** Whether an Accept header asks for problem+json over plain JSON. */
export function wantsProblem(accept: string | undefined): boolean {
  return accept?.includes('application/problem+json') === true;
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** The status, content type and serialised body of an error answer. */
export function renderError(
  err: StatusError,
  options: RenderOptions & { accept?: string },
): { status: ErrorCode; contentType: string; body: string } {
  const problem = wantsProblem(options.accept);
  const body = problem ? problemDetails(err, options) : errorBody(err, options);
  return { status: err.status, contentType: problem ? PROBLEM_TYPE : JSON_TYPE, body: JSON.stringify(body) };
}
