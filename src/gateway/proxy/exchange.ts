import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import { StatusError } from '../../errors.ts';
import { sendError } from '../../server/respond.ts';
import type { Forwarding, Handler, RequestContext } from '../../server/types.ts';
import type { Target } from '../upstream/targets.ts';
import { failureOf, mayRetryElsewhere, noTargetError } from './errors.ts';
import { forwardRequestHeaders, forwardResponseHeaders, withContentLength } from './headers.ts';
import { ERROR_BODY_LIMIT, normaliseUpstreamError } from './normalise.ts';
import { upstreamPath } from './paths.ts';
import { bodyFor } from './request-body.ts';
import type { ProxyRoute } from './route.ts';
import { PROXY_STATE } from './state.ts';
import { mayTransform, transformedAnswer } from './transform.ts';

const CLOSE = { headers: { connection: 'close' } } as const;

/** Largest first chunk of an answer sent as text with its head (see onResponseData). */
const SMALL_CHUNK = 1024; // 1 KiB

enum Phase {
  Waiting,
  Streaming,
  Transforming,
  Normalising,
  Done,
}

/** Where a response keeps its exchange, so one shared function serves every request. */
const EXCHANGE = Symbol('statuskit.exchange');
type ExchangeResponse = ServerResponse & { [EXCHANGE]?: Exchange };

/** The response closed: the answer went out, the front's 504 went out, or the client left. */
function onClientClose(ctx: RequestContext): void {
  (ctx.res as ExchangeResponse)[EXCHANGE]?.clientClosed();
}

/**
 * One request on its way to the upstream and its answer on its way back: the
 * undici dispatch handler. The answer is streamed — each chunk written to
 * the client as it arrives, with back-pressure both ways — except where the
 * route transforms 200 bodies (203) or normalises error bodies, which need
 * the whole body.
 */
class Exchange implements Dispatcher.DispatchHandler {
  readonly #route: ProxyRoute;
  readonly #ctx: RequestContext;
  readonly #fwd: Forwarding;

  #target: Target | undefined = undefined;
  #controller: Dispatcher.DispatchController | undefined = undefined;
  #phase = Phase.Waiting;
  #headers: string[] | undefined = undefined;
  #status = 0;
  #upstreamHeaders: IncomingHttpHeaders | undefined = undefined;
  /** The body being collected for a transform or a normalised error (never for a streamed one). */
  #chunks: Buffer[] | undefined = undefined;
  #size = 0;
  #retried = false;
  #firstChunk = true;
  #hasBody = false;
  /** The client's side ended before our answer did (deadline 504 sent by the front, or the client left). */
  #gone = false;
  /** It ended while the client's body was awaited: the front's 408, or the client left mid-body. */
  #clientFault = false;

  constructor(route: ProxyRoute, ctx: RequestContext) {
    this.#route = route;
    this.#ctx = ctx;
    this.#fwd = ctx.forwarding;
  }

  start(): void {
    const ctx = this.#ctx;
    this.#route.active.count++;
    (ctx.res as ExchangeResponse)[EXCHANGE] = this;
    // Once the exchange is Done it ignores the close.
    ctx.onClose(onClientClose);
    this.#send(undefined);
  }

  #send(skip: Target | undefined): void {
    const ctx = this.#ctx;
    const route = this.#route;
    const target = route.upstream.pick(skip);
    if (!target) {
      this.#fail(noTargetError(route.config, route.upstream));
      return;
    }
    this.#target = target;
    ctx.state[PROXY_STATE.upstream] = target.label;
    const req = ctx.req;
    this.#headers ??= forwardRequestHeaders(req, ctx.requestId, ctx.host);
    const declared = req.headers['content-length'];
    const hasBody = declared !== undefined || req.headers['transfer-encoding'] !== undefined;
    this.#hasBody = hasBody;
    // RFC 9110 §10.1.1: the 100 goes out now that every guard passed and the body is wanted.
    if (hasBody) this.#fwd.expectBody();
    else this.#fwd.noBody();
    // For the access line's upstream_ms: from here to the upstream's status line.
    ctx.state[PROXY_STATE.sentAt] = performance.now();
    target.pool.dispatch(
      {
        path: upstreamPath(target, route.config, ctx.path, ctx.search),
        method: ctx.method,
        headers: this.#headers,
        // undici takes (async) iterables as bodies at run time; its DispatchOptions type omits them.
        body: (hasBody ? bodyFor(ctx, declared === undefined) : null) as Dispatcher.DispatchOptions['body'],
      },
      this,
    );
  }

  /** The response closed (see onClientClose). */
  clientClosed(): void {
    if (this.#phase === Phase.Done) return;
    this.#gone = true;
    this.#clientFault = this.#fwd.awaitingBody;
    // The front's 504 ended the response, or the client went away: either way the upstream request stops here.
    this.#controller?.abort(new Error('The client side of the exchange ended.'));
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#gone) controller.abort(new Error('The client side of the exchange ended.'));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    _statusMessage?: string,
  ): void {
    // RFC 9110 §15.2: 1xx are interim; 103 Early Hints is forwarded, others are this hop's business.
    if (status < 200) {
      if (status === 103 && headers.link && !this.#ctx.res.headersSent)
        this.#ctx.res.writeEarlyHints({ link: headers.link });
      return;
    }
    this.#ctx.state[PROXY_STATE.answeredAt] = performance.now();
    const config = this.#route.config;
    const ctx = this.#ctx;
    // Any answer says the upstream is reachable, except the 5xx the route's breaker counts (failOn).
    if (config.breaker && config.breaker.failOn.length > 0 && config.breaker.failOn.includes(status)) {
      this.#target?.breaker?.failure();
      if (this.#target) this.#route.onFailure(ctx, this.#target, 'status', new Error(`answered ${status}`));
    } else this.#target?.breaker?.success();
    if (status === 407) {
      // RFC 9110 §11.7.1: the upstream's proxy challenge is addressed to the gateway, which has no credentials for it.
      this.#abortWith(new StatusError(502, 'The upstream asked the gateway for proxy credentials it does not hold.'));
      return;
    }
    this.#status = status;
    if (config.transform && mayTransform(config.transform, ctx.method, status, ctx.req.headers, headers)) {
      this.#upstreamHeaders = headers;
      this.#phase = Phase.Transforming;
      return;
    }
    if (config.normaliseErrors && status >= 400 && ctx.method !== 'HEAD') {
      this.#upstreamHeaders = headers;
      this.#phase = Phase.Normalising;
      return;
    }
    this.#phase = Phase.Streaming;
    ctx.res.writeHead(status, this.#responseHeaders(headers) as unknown as string[]);
  }

  /**
   * The upstream's fields for the client. An answer that comes while the
   * client is still sending the body (an early 413, 401 …) goes out at once;
   * RFC 9112 §9.6: the rest of that body is never read, so the connection
   * closes after the answer (node:http closes it once the response ends).
   */
  #responseHeaders(headers: IncomingHttpHeaders): (string | string[])[] {
    const ctx = this.#ctx;
    const out = forwardResponseHeaders(headers, ctx.requestId);
    // A guard's fields (RateLimit …) go in the same list: one writeHead, no merge (see Forwarding.takeFields).
    const fields = this.#fwd.takeFields();
    if (fields) for (const f of fields) out.push(f);
    if (this.#hasBody && !ctx.req.complete) out.push('connection', 'close');
    return out;
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#phase === Phase.Streaming) {
      const res = this.#ctx.res;
      // A small first chunk goes as latin1 text (byte for byte): node then writes the head and it
      // as one string in one write(2), where a Buffer would need a writev of two (0.5–0.9 µs more).
      const first = this.#firstChunk;
      this.#firstChunk = false;
      const written =
        first && chunk.length <= SMALL_CHUNK ? res.write(chunk.toString('latin1'), 'latin1') : res.write(chunk);
      // Back-pressure: stop reading the upstream while the client's socket is full.
      if (!written) {
        controller.pause();
        res.once('drain', () => controller.resume());
      }
      return;
    }
    const limit = this.#phase === Phase.Transforming ? (this.#route.config.transform?.maxBody ?? 0) : ERROR_BODY_LIMIT;
    if (this.#size + chunk.length > limit) {
      if (this.#phase === Phase.Transforming) {
        this.#giveUpTransform(chunk);
        return;
      }
      return; // enough of an error body to find its message
    }
    (this.#chunks ??= []).push(chunk);
    this.#size += chunk.length;
  }

  /** A body outgrew the transform's limit: it goes out as the upstream sent it, streamed from here on. */
  #giveUpTransform(chunk: Buffer): void {
    const res = this.#ctx.res;
    this.#phase = Phase.Streaming;
    res.writeHead(this.#status, this.#responseHeaders(this.#upstreamHeaders ?? {}) as unknown as string[]);
    for (const c of this.#chunks ?? []) res.write(c);
    this.#chunks = undefined;
    this.onResponseData(this.#controller as Dispatcher.DispatchController, chunk);
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    const res = this.#ctx.res;
    const phase = this.#phase;
    this.#phase = Phase.Done;
    if (phase === Phase.Transforming) this.#endTransformed();
    else if (phase === Phase.Normalising) {
      const body = Buffer.concat(this.#chunks ?? [], this.#size);
      const err = normaliseUpstreamError(this.#status, this.#upstreamHeaders ?? {}, body, this.#route.profile, true);
      if (err) {
        this.#answerError(err);
        return;
      }
      this.#writeWhole(this.#status, this.#responseHeaders(this.#upstreamHeaders ?? {}), body);
    } else {
      for (const _ in trailers) {
        // RFC 9110 §6.5: trailer fields go on with the content when the client's message can carry them.
        if (!res.hasHeader('content-length')) res.addTrailers(trailers as Record<string, string>);
        break;
      }
      res.end();
    }
    this.#done();
  }

  #endTransformed(): void {
    const body = Buffer.concat(this.#chunks ?? [], this.#size);
    const headers = this.#responseHeaders(this.#upstreamHeaders ?? {});
    const answer = transformedAnswer(body, this.#route.config.transform!, headers);
    this.#writeWhole(answer.status, answer.headers, answer.body);
  }

  #writeWhole(status: number, headers: (string | string[])[], body: Buffer): void {
    this.#ctx.res.writeHead(status, withContentLength(headers, body.length) as unknown as string[]);
    this.#ctx.res.end(body);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    const phase = this.#phase;
    this.#phase = Phase.Done;
    const ctx = this.#ctx;
    const target = this.#target!;
    if (err instanceof StatusError) {
      // A 413 of the body on its way up, or the 502 of a 407: neither is a verdict on the target's health.
      target.breaker?.release();
      if (err.status === 413) this.#route.onClientFailure(ctx, 'body-too-large');
      this.#fail(err);
      return;
    }
    if (this.#clientFault || this.#clientBodyBroke()) {
      // The client's body stopped arriving (the front answered 408) or broke off: the client's fault,
      // never counted against the target (RFC 9110 §15.5.9).
      target.breaker?.release();
      this.#route.onClientFailure(ctx, this.#gone && ctx.res.statusCode === 408 ? 'body-timeout' : 'body-aborted');
      if (this.#gone) this.#done();
      else this.#fail(new StatusError(400, 'The request body broke off before it was complete.', CLOSE));
      return;
    }
    if (this.#gone) {
      // The front answered 504 at the deadline, or the client left. Only the route's own
      // deadline says something about the upstream; a client's short X-Request-Timeout does not.
      const routeDeadline = this.#fwd.start + this.#route.config.timeout;
      if (phase === Phase.Waiting && performance.now() >= routeDeadline - 1) {
        target.breaker?.failure();
        this.#route.onFailure(ctx, target, 'timeout', err);
      } else if (phase === Phase.Waiting) target.breaker?.release();
      this.#done();
      return;
    }
    const failure = failureOf(err, this.#route.config.path, ctx.method, this.#route.config.timeout);
    if (phase === Phase.Waiting) target.breaker?.failure();
    this.#route.onFailure(ctx, target, failure.kind, err);
    if (phase === Phase.Streaming) {
      // The status line went out already: the only honest signal left is an incomplete message
      // (RFC 9112 §8 — the client sees the connection close before the declared length or the
      // last chunk, and must treat the response as incomplete). Never a complete-looking 200.
      ctx.res.destroy();
      this.#done();
      return;
    }
    if (!this.#retried && mayRetryElsewhere(failure, this.#route.config, this.#route.upstream, ctx.req)) {
      // Nothing reached the first target, and the method is idempotent: one more try elsewhere.
      this.#retried = true;
      this.#phase = Phase.Waiting;
      this.#controller = undefined;
      this.#send(target);
      return;
    }
    this.#fail(failure.error);
  }

  /** The client's request ended (reset, closed) before its body was complete. */
  #clientBodyBroke(): boolean {
    const req = this.#ctx.req;
    return this.#hasBody && !req.complete && (req.destroyed || req.errored !== null);
  }

  #done(): void {
    this.#route.active.count--;
  }

  /** Answers with the contract's error body (or, once the answer started, cuts the connection). */
  #answerError(err: unknown): void {
    this.#route.active.count--;
    sendError(this.#ctx, err);
  }

  #abortWith(err: StatusError): void {
    this.#controller?.abort(err);
  }

  #fail(err: StatusError): void {
    this.#phase = Phase.Done;
    this.#answerError(err);
  }
}

/**
 * The route's terminal handler: forwards every request to the route's
 * upstream. It returns at once; the exchange answers by itself, errors
 * included, so no promise is made per request.
 */
export function createProxyHandler(route: ProxyRoute): Handler {
  return function proxy(ctx: RequestContext): void {
    new Exchange(route, ctx).start();
  };
}
