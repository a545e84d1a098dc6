import { type IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Context } from './context.ts';
import type { Resolved } from './options.ts';

/**
 * Takes node's 'upgrade' event (RFC 9110 §7.8) through the same guards as any
 * request. A response bound to the raw socket carries the guards' answers;
 * when they all pass, a route with an `upgrade` handler gets the socket (it
 * writes the 101), and any other route serves the request as a plain one —
 * the server may ignore Upgrade — on a connection that then closes, since
 * node's parser has already let go of it.
 */
export function upgradeHandler(options: Resolved, start: (ctx: Context, next: undefined) => void) {
  return function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.once('finish', () => socket.end());
    socket.on('error', () => socket.destroy());
    const ctx = new Context(req, res, options);
    ctx.upgrade = { socket, head };
    start(ctx, undefined);
  };
}
