import { createServer as createHttpServer, type Server } from 'node:http';
import type { ServerOptions } from './options.ts';
import { createFront } from './pipeline.ts';
import type { Handler } from './types.ts';

/**
 * A node:http server whose every answer follows the contract: parser
 * failures, the guards in contract order, the routes, then `handler` for
 * requests no route takes (404 without one). Call `.listen()` on it.
 */
export function createServer(options: ServerOptions = {}, handler?: Handler): Server {
  const front = createFront(options, handler);
  const { limits, timeoutCheckInterval } = front.options;
  const server = createHttpServer({
    maxHeaderSize: limits.headerSize,
    headersTimeout: limits.headersTimeout,
    requestTimeout: limits.requestTimeout,
    connectionsCheckingInterval: timeoutCheckInterval,
    requireHostHeader: false,
  });
  return front.attach(server);
}
