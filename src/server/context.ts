import { randomBytes } from 'node:crypto';
import { type IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import type { Profile } from '../catalog/index.ts';
import { continueIfExpected, readBody, readJson, skipDrain } from './body.ts';
import { leave, type Waiting, type WaitList } from './deadlines.ts';
import { overrideWriteHead } from './node-internals.ts';
import type { Resolved } from './options.ts';
import type { CompiledRoute } from './router.ts';
import type { Forwarding, RequestContext, RouteDef } from './types.ts';

// RFC 9110 §5.5: a field value we echo must be visible ASCII; keep ids short and plain.
const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

// A random per-process prefix and a counter: unique across processes and restarts, cheaper than a UUID each.
const ID_PREFIX = `${randomBytes(8).toString('hex')}-`;
let idSeq = 0;

/**
 * A new request id. Joined rather than added: `+` would make a rope (V8 joins strings of 13
 * characters or more lazily), which the first regular expression validating the id as a field
 * value (undici's) would have to flatten through the runtime's slow path.
 */
export function newRequestId(): string {
  return [ID_PREFIX, (++idSeq).toString(36)].join('');
}

/** The incoming X-Request-Id when it is a plain token, or a new one. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && VALID_REQUEST_ID.test(given) ? given : newRequestId();
}

/** Where a response with pending fields finds its context (see writeHeadWithFields). */
const FIELDS_OWNER = Symbol('statuskit.fieldsOwner');
type FieldsResponse = ServerResponse & { [FIELDS_OWNER]?: Context };
const protoWriteHead = ServerResponse.prototype.writeHead;

/**
 * `writeHead` of a response whose context holds fields: whoever writes the
 * answer — a handler's own writeHead, or node's implicit one on the first
 * write — gets them. Senders that take the fields first (sendJson, the
 * proxy) leave nothing to add, and node stays on its fast path.
 */
function writeHeadWithFields(this: FieldsResponse, ...args: unknown[]): ServerResponse {
  const owner = this[FIELDS_OWNER];
  const fields = owner?.takeFields();
  if (fields) for (let i = 0; i < fields.length; i += 2) this.appendHeader(fields[i]!, fields[i + 1]!);
  // node:http's, or an HTTP/2 response's own (../h2.ts) for a response that is not node:http's.
  const base = this instanceof ServerResponse ? protoWriteHead : Object.getPrototypeOf(this).writeHead;
  return (base as (...a: unknown[]) => ServerResponse).apply(this, args);
}

/** Where a response finds its context, so one shared 'close' listener serves every request. */
const CONTEXT = Symbol('statuskit.context');
type ContextResponse = ServerResponse & { [CONTEXT]?: Context };

function onResponseClose(this: ContextResponse): void {
  this[CONTEXT]?.closed();
}

/** The client going away ends the work too; `close` before `finish` means it went away. */
function abortUnfinished(ctx: RequestContext): void {
  if (!ctx.res.writableFinished) (ctx as Context).abort(new Error('The client closed the connection.'));
}

const EMPTY_QUERY = '';
const NO_PARAMS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * One request as guards and handlers see it. Built once per request; the
 * query, the state bag and the abort signal are made only when first read,
 * so a request that never needs them allocates nothing for them.
 */
export class Context implements RequestContext, Forwarding, Waiting {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly profile: Profile;
  readonly method: string;
  /** The canonical path, once the syntax guard made it; the raw path before (see RequestContext.path). */
  path: string;
  /** The path as sent. */
  readonly rawPath: string;
  /** Set by the syntax guard (see RequestContext.host). */
  host: string | undefined = undefined;
  params: Record<string, string> = NO_PARAMS;
  route: RouteDef | undefined = undefined;
  deadline: number | undefined = undefined;
  /** performance.now() when the request reached the front. */
  readonly start: number;
  readonly options: Resolved;
  /** Set by the route guard. */
  compiled: CompiledRoute | undefined = undefined;
  /** The query string without `?`, as sent. */
  search: string;
  /** The client asked `Expect: 100-continue` and no 100 was sent yet (RFC 9110 §10.1.1). */
  expectContinue = false;
  /** The request's own timeout in ms (X-Request-Timeout or `timeout`), validated by the syntax guard. */
  requestTimeout: number | undefined = undefined;
  /** A handler takes requests no route matches, so the route guard does not answer 404. */
  fallback = false;
  /**
   * A reader waits for the client's next body bytes (readBody, the gateway's
   * streamed body): a deadline passing now is the client's fault, 408.
   */
  awaitingBody = false;
  /** Set for an `Upgrade` request taken from node's 'upgrade' event. */
  upgrade: { readonly socket: Duplex; readonly head: Buffer } | undefined = undefined;
  #query: URLSearchParams | undefined;
  #state: Record<string, unknown> | undefined;
  #abort: AbortController | undefined;
  /** Why the request was aborted, kept for a signal first asked for afterwards. */
  #abortReason: unknown;
  #body: Promise<Buffer> | undefined;
  /**
   * Fields for the answer to come, as a flat [name, value, …] list (see
   * RequestContext.addResponseField). Why not `res.setHeader`: once a
   * response holds a field, node's `writeHead(status, list)` leaves its
   * fast path and merges field by field — measured at 3.5 µs per request
   * for two RateLimit fields on a small JSON answer.
   */
  fields: string[] | undefined = undefined;
  /** The front's deadline list this request waits in, and its neighbours there (see ./deadlines.ts). */
  waitList: WaitList | undefined = undefined;
  waitPrev: Waiting | undefined = undefined;
  waitNext: Waiting | undefined = undefined;
  /** What runs when the response closes (see onClose): the first hook, then any more, in order. */
  #closer: ((ctx: RequestContext) => void) | undefined = undefined;
  #closers: ((ctx: RequestContext) => void)[] | undefined = undefined;
  #watchingClose = false;

  constructor(req: IncomingMessage, res: ServerResponse, options: Resolved) {
    this.req = req;
    this.res = res;
    this.options = options;
    this.profile = options.profile;
    this.method = req.method ?? 'GET';
    this.start = performance.now();
    this.requestId = requestIdOf(req);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    this.path = q === -1 ? url : url.slice(0, q);
    this.rawPath = this.path;
    this.search = q === -1 ? EMPTY_QUERY : url.slice(q + 1);
  }

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.search);
    return this.#query;
  }

  get state(): Record<string, unknown> {
    this.#state ??= {};
    return this.#state;
  }

  get signal(): AbortSignal {
    if (!this.#abort) {
      if (this.#abortReason !== undefined) return AbortSignal.abort(this.#abortReason);
      this.#abort = new AbortController();
      this.onClose(abortUnfinished);
    }
    return this.#abort.signal;
  }

  addResponseField(name: string, value: string): void {
    if (this.fields) {
      this.fields.push(name, value);
      return;
    }
    this.fields = [name, value];
    const res = this.res as FieldsResponse;
    if (res[FIELDS_OWNER] === undefined) {
      res[FIELDS_OWNER] = this;
      overrideWriteHead(res, writeHeadWithFields as (this: ServerResponse, ...args: unknown[]) => ServerResponse);
    }
  }

  /**
   * The pending fields, for a sender that writes them in its own header
   * list; they are gone from the context afterwards (so also the way to drop
   * them, for an answer that must not carry them).
   */
  takeFields(): string[] | undefined {
    const fields = this.fields;
    this.fields = undefined;
    return fields;
  }

  onClose(fn: (ctx: RequestContext) => void): void {
    // The client left while an async guard waited: the 'close' is past, so the hook runs now.
    if (this.res.closed) {
      fn(this);
      return;
    }
    // One hook (the usual case) needs no array.
    if (this.#closer === undefined) this.#closer = fn;
    else if (this.#closers === undefined) this.#closers = [fn];
    else this.#closers.push(fn);
    this.watchClose();
  }

  /**
   * Makes `closed` run on the response's 'close': one shared listener, added
   * once, and only for a request with something to do then (a deadline
   * watched, onResponse, an onClose hook) — an answer sent at once costs none.
   */
  watchClose(): void {
    if (this.#watchingClose) return;
    this.#watchingClose = true;
    (this.res as ContextResponse)[CONTEXT] = this;
    this.res.on('close', onResponseClose);
  }

  /**
   * Runs once, on the response's 'close' (the answer went out, or the client
   * left): the deadline stops, `onResponse` reports a finished answer or
   * `onAborted` an unfinished one, then what was registered with onClose
   * runs, in order.
   */
  closed(): void {
    leave(this);
    const res = this.res;
    if (res.writableFinished) {
      const onResponse = this.options.onResponse;
      if (onResponse !== undefined) onResponse(this, res.statusCode, performance.now() - this.start);
    } else {
      const onAborted = this.options.onAborted;
      if (onAborted !== undefined)
        onAborted(this, res.headersSent ? res.statusCode : undefined, performance.now() - this.start);
    }
    this.#closer?.(this);
    const closers = this.#closers;
    if (closers !== undefined)
      for (let i = 0; i < closers.length; i++) (closers[i] as (ctx: RequestContext) => void)(this);
  }

  /** Aborts the signal if anyone asked for it. */
  abort(reason: unknown): void {
    this.#abortReason = reason;
    this.#abort?.abort(reason);
  }

  /** The body, read once: later calls share the first read. */
  body(): Promise<Buffer> {
    this.#body ??= readBody(this);
    return this.#body;
  }

  json<T = unknown>(): Promise<T> {
    return readJson<T>(this);
  }

  /** The context is its own forwarding seam: no object per request. */
  get forwarding(): Forwarding {
    return this;
  }

  expectBody(): void {
    continueIfExpected(this);
  }

  noBody(): boolean {
    return skipDrain(this.req);
  }

  /** The body limit in bytes that applies to this request. */
  get bodyLimit(): number {
    return this.route?.bodyLimit ?? this.options.limits.body;
  }
}
