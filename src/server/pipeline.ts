import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { continueIfExpected } from './body.ts';
import { clientErrorHandler, connectHandler } from './client-error.ts';
import { Context } from './context.ts';
import { Deadlines, type Waiting } from './deadlines.ts';
import { expire } from './guards/deadline.ts';
import { AFTER_ACCESS, BEFORE_ACCESS, type FrontGuard } from './guards/index.ts';
import { sweepIdleConnections } from './keep-alive.ts';
import { type Resolved, resolveOptions, type ServerOptions } from './options.ts';
import { sendError } from './respond.ts';
import { Router } from './router.ts';
import type { Guard, Handler } from './types.ts';
import { upgradeHandler } from './upgrade.ts';

/** A plain node:http handler the front can hand a request to once it passed the guards. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Front {
  /** The options after defaults. */
  readonly options: Resolved;
  /**
   * Runs one request through the guards, then the route's handler, the
   * front's handler, or `next` (in that order); answers errors.
   */
  handle(req: IncomingMessage, res: ServerResponse, next?: NodeHandler): void;
  /**
   * Makes `server` answer through the front: requests, Expect, parser
   * failures (400/408/414/501/505), CONNECT (501) and upgrades. Sets the
   * server's header limit and timeouts from the options, and closes idle
   * kept-alive connections itself (./keep-alive.ts). Give `server` no
   * request listener of its own: pass it as `next`.
   */
  attach(server: Server, next?: NodeHandler): Server;
}

type Step = FrontGuard | Guard;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== undefined && typeof (v as PromiseLike<unknown>).then === 'function';

/** Builds the guard chain and the error boundary once; `handle` is the per-request hot path. */
export function createFront(options: ServerOptions = {}, handler?: Handler): Front {
  const resolved = resolveOptions(options);
  const router = new Router(resolved.routes, resolved.methods);
  const steps: Step[] = [
    ...BEFORE_ACCESS.map((g) => g.create(resolved, router)),
    ...resolved.accessGuards,
    ...AFTER_ACCESS.map((g) => g.create(resolved, router)),
  ];
  // Whether a step may answer by sending: the front's guards say so (the rest only throw); an access guard may.
  const sends: boolean[] = [
    ...BEFORE_ACCESS.map((g) => g.sends === true),
    ...resolved.accessGuards.map(() => true),
    ...AFTER_ACCESS.map((g) => g.sends === true),
  ];
  const count = steps.length;
  const deadlines = new Deadlines(expire as (w: Waiting) => void);
  const reports = resolved.onResponse !== undefined || resolved.onAborted !== undefined;

  const fail = (ctx: Context, err: unknown): void => sendError(ctx, err);

  function dispatch(ctx: Context, next: NodeHandler | undefined): void {
    // A step that answered without saying it sends (see GuardSpec.sends) still stops the handler.
    if (ctx.res.headersSent) return;
    const upgrade = ctx.upgrade;
    if (upgrade && ctx.route?.upgrade) {
      // The route speaks the new protocol on the raw socket from here on.
      ctx.res.detachSocket(upgrade.socket as Socket);
      ctx.route.upgrade(ctx, upgrade.socket, upgrade.head);
      return;
    }
    const h = ctx.compiled?.handlers.get(ctx.method) ?? handler;
    let result: unknown;
    if (h) result = h(ctx);
    else if (next) {
      // A plain node handler reads `req` itself: every guard passed, so the client may send its body now.
      continueIfExpected(ctx);
      next(ctx.req, ctx.res);
    }
    if (isThenable(result)) result.then(undefined, (err: unknown) => fail(ctx, err));
    if (ctx.deadline !== undefined && !ctx.res.writableEnded && !ctx.res.closed) {
      deadlines.add(ctx);
      ctx.watchClose();
    }
  }

  // Runs the steps from `i`; synchronous until a step returns a promise (an access guard doing I/O).
  function run(ctx: Context, i: number, next: NodeHandler | undefined): void {
    const res = ctx.res;
    for (; i < count; i++) {
      const r = steps[i]!(ctx);
      if (sends[i] && res.headersSent) return;
      if (isThenable(r)) {
        const from = i + 1;
        r.then(
          () => {
            if (res.headersSent) return;
            try {
              run(ctx, from, next);
            } catch (err) {
              fail(ctx, err);
            }
          },
          (err: unknown) => fail(ctx, err),
        );
        return;
      }
    }
    dispatch(ctx, next);
  }

  function start(ctx: Context, next: NodeHandler | undefined): void {
    if (next !== undefined || handler !== undefined) ctx.fallback = true;
    if (reports) ctx.watchClose();
    try {
      run(ctx, 0, next);
    } catch (err) {
      fail(ctx, err);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse, next?: NodeHandler): void {
    start(new Context(req, res, resolved), next);
  }

  const front: Front = {
    options: resolved,
    handle,
    attach(server: Server, next?: NodeHandler): Server {
      const idle = sweepIdleConnections(server, resolved.limits.keepAliveTimeout, resolved.timeoutCheckInterval);
      const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
        idle.advertise(res);
        handle(req, res, next);
      };
      // node reads these per connection and at 'listening'; @types/node does not declare them writable.
      const tuned = server as Server & {
        maxHeaderSize: number;
        connectionsCheckingInterval: number;
        requireHostHeader: boolean;
      };
      tuned.maxHeaderSize = resolved.limits.headerSize;
      tuned.connectionsCheckingInterval = resolved.timeoutCheckInterval;
      server.headersTimeout = resolved.limits.headersTimeout;
      server.requestTimeout = resolved.limits.requestTimeout;
      // The syntax guard answers a missing Host with the contract's body (node's own 400 has none).
      tuned.requireHostHeader = false;
      server.on('request', onRequest);
      // Without these listeners node:http would answer 100 and 417 itself, before any guard ran.
      server.on('checkContinue', onRequest);
      server.on('checkExpectation', onRequest);
      server.on('clientError', clientErrorHandler(resolved));
      // CONNECT and upgrades take the socket out of HTTP: its idleness is no longer ours to judge.
      const onConnect = connectHandler(resolved);
      server.on('connect', (req: IncomingMessage, socket: Duplex) => {
        idle.forget(socket);
        onConnect(req, socket);
      });
      if (resolved.routes.some((r) => r.upgrade)) {
        const onUpgrade = upgradeHandler(resolved, start);
        server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
          idle.forget(socket);
          onUpgrade(req, socket, head);
        });
      }
      return server;
    },
  };
  return front;
}
