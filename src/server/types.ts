import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Profile } from '../catalog/index.ts';
import type { EscapedSlashes } from './canonical.ts';

/**
 * What a guard or handler sees of one request. Built once per request by the
 * pipeline; guards read it and throw a StatusError to answer early.
 */
export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** From a valid incoming X-Request-Id, or generated; echoed in X-Request-Id. */
  readonly requestId: string;
  readonly profile: Profile;
  readonly method: string;
  /**
   * The canonical path (./canonical.ts): percent-encoding normalised, dot
   * segments removed, repeated slashes merged (unless the route keeps them),
   * encoded slashes as the route says. Routing, access rules, limits, logs and
   * the gateway's forwarded path all read this, never the raw target.
   */
  readonly path: string;
  /** The query string without "?", as sent (validated, not rewritten). */
  readonly search: string;
  /**
   * The authority the request is for: an absolute-form target's (RFC 9112
   * §3.2.2: it replaces Host), else the validated Host field; undefined for
   * an HTTP/1.0 request without Host.
   */
  readonly host: string | undefined;
  /** The path exactly as the request line sent it (what a request signature covers). */
  readonly rawPath: string;
  readonly query: URLSearchParams;
  /** Parameters of the matched route pattern (`/items/:id` → { id }). */
  readonly params: Record<string, string>;
  /** The matched route, undefined before routing or when nothing matched. */
  readonly route: RouteDef | undefined;
  /** Aborted when the deadline passes (the front answers 504) or the client goes away. */
  readonly signal: AbortSignal;
  /** Absolute deadline (performance.now() ms), when one applies. */
  readonly deadline: number | undefined;
  /** Reads the whole body under the route's limit (413 past it; 400 on a broken stream). */
  body(): Promise<Buffer>;
  /** Reads and parses a JSON body: 415 unless JSON, 400 on malformed JSON. */
  json<T = unknown>(): Promise<T>;
  /** Room for guards to leave facts for later steps (the authenticated principal …). */
  readonly state: Record<string, unknown>;
  /**
   * Adds a field to the answer to come, whoever writes it (a rate limiter's
   * RateLimit fields). Cheaper than `res.setHeader`: sendJson, sendEmpty and
   * the gateway's proxy write it in their one header list, where a field set
   * on `res` would push node into merging field by field. The front's error
   * answers stand alone and do not carry it.
   */
  addResponseField(name: string, value: string): void;
  /**
   * Runs `fn(ctx)` once, when the response closes: the answer went out, or
   * the client left (then `res.writableFinished` is false); at once when it
   * closed already (the client left while an async guard waited). For
   * releasing what a guard took; cheaper than a listener on `res` per request.
   */
  onClose(fn: (ctx: RequestContext) => void): void;
  /** What a proxy needs of the front to forward this request (see Forwarding). */
  readonly forwarding: Forwarding;
}

/**
 * The seam a proxy (the gateway) uses to forward a request through the
 * front, instead of reaching into its concrete context (docs/pipeline.md).
 */
export interface Forwarding {
  /** The body is wanted now: sends the interim 100 once if the client expects it (RFC 9110 §10.1.1). */
  expectBody(): void;
  /**
   * The request carries no content (RFC 9112 §6.3): node need not drain it
   * once the answer is sent. Returns whether that applied (not when a
   * length or framing is declared, or someone listens on the request).
   */
  noBody(): boolean;
  /**
   * Set while a reader waits for the client's next body bytes: a deadline
   * passing then is the client's fault (408), not the upstream's.
   */
  awaitingBody: boolean;
  /** The body limit in bytes for this request (the route's, else the front's). */
  readonly bodyLimit: number;
  /** performance.now() when the request reached the front (deadlines are counted from here). */
  readonly start: number;
  /** Takes the guards' pending answer fields (RateLimit …) for the sender's own header list. */
  takeFields(): string[] | undefined;
}

export type Handler = (ctx: RequestContext) => void | Promise<void>;

/**
 * A guard passes (returns) or answers by throwing a StatusError. Guards that
 * need no I/O are synchronous.
 */
export type Guard = (ctx: RequestContext) => void | Promise<void>;

export interface RouteDef {
  /** `/items`, `/items/:id`, or a prefix `/api/*` (the rest is in params['*']). */
  path: string;
  /** Handlers by method. HEAD falls back to GET (headers only); OPTIONS is answered by the front (204 + Allow). */
  methods: Partial<Record<string, Handler>>;
  /** Largest request body in bytes (413). @default ServerOptions.limits.body */
  bodyLimit?: number;
  /** POST/PUT/PATCH must carry Content-Length (411). @default false */
  requireLength?: boolean;
  /** Media types accepted for request bodies (415 otherwise, with Accept-Post/Accept-Patch). */
  accepts?: readonly string[];
  /** Media types the route can answer in (406 when Accept excludes them all). */
  produces?: readonly string[];
  /** The route's deadline in ms (504); a request's X-Request-Timeout can only shorten it. */
  timeout?: number;
  /** Honour a `timeout` query parameter as well as X-Request-Timeout (CONTRACT.md §4). @default false */
  timeoutQuery?: boolean;
  /**
   * Takes an `Upgrade` request (WebSocket) after the front's guards passed:
   * the handler writes the 101 (or passes it through) on the raw socket.
   */
  upgrade?: (ctx: RequestContext, socket: Duplex, head: Buffer) => void;
  /**
   * Keep repeated slashes in `ctx.path` (and so in what a proxy forwards):
   * `/a//b` stays `/a//b`. Routing and access rules read the merged form all
   * the same. @default true (merged, as Envoy's `merge_slashes`)
   */
  mergeSlashes?: boolean;
  /**
   * An encoded slash or backslash (%2F, %5C) in the path: `keep` it encoded,
   * `reject` the request (400), or `decode` it to "/" and route again (as
   * Envoy's `path_with_escaped_slashes_action`). @default 'keep'
   */
  escapedSlashes?: EscapedSlashes;
  /** Answer 503 for this route (maintenance / disabled); seconds for Retry-After when temporary. */
  unavailable?: { retryAfter?: number; reason?: string };
}
