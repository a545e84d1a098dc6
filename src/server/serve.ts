import { createServer as createHttpServer, type Server } from 'node:http';
import { createTransportServer } from './h2.ts';
import type { ServerOptions } from './options.ts';
import { createFront } from './pipeline.ts';
import type { Handler } from './types.ts';

/**
 * A node:http server whose every answer follows the contract: parser
 * failures, the guards in contract order, the routes, then `handler` for
 * requests no route takes (404 without one). Call `.listen()` on it.
 * With `options.transport` it speaks TLS and/or HTTP/2 (./h2.ts): the same
 * front answers, and the server has the node:http methods the gateway uses.
 */
export function createServer(options: ServerOptions = {}, handler?: Handler): Server {
  const front = createFront(options, handler);
  const { limits, timeoutCheckInterval } = front.options;
  const transport = options.transport;
  const secure =
    transport &&
    createTransportServer(transport, {
      headerSize: limits.headerSize,
      // An idle HTTP/2 session: the keep-alive timeout, plus node's 1 s margin (./keep-alive.ts).
      sessionTimeout: limits.keepAliveTimeout > 0 ? limits.keepAliveTimeout + 1_000 : 0,
      onError: transport.onError ?? (() => {}),
    });
  const server =
    secure ??
    createHttpServer({
      maxHeaderSize: limits.headerSize,
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      connectionsCheckingInterval: timeoutCheckInterval,
      requireHostHeader: false,
    });
  return front.attach(server);
}
