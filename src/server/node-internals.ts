/**
 * Every use of an undocumented node:http field, one typed accessor each.
 * Each says what node behaviour it relies on; test/server/node-internals.test.ts
 * fails if node renames a field or stops honouring it (checked on node 20–24).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

type Dumpable = IncomingMessage & { _dumped?: boolean };
type ServerSocket = Duplex & { _httpMessage?: ServerResponse | null };
type Advertising = ServerResponse & { _keepAliveTimeout?: number };

/**
 * Marks a request as drained (`IncomingMessage#_dumped`): node's resOnFinish
 * then skips `req._dump()` (resume, read, 'end', 'close'). Only for a request
 * without content (RFC 9112 §6.3), where there is nothing left to drain.
 */
export function markDrained(req: IncomingMessage): void {
  (req as Dumpable)._dumped = true;
}

/**
 * The response under way on a server socket (`socket._httpMessage`): node
 * sets it when it assigns a response to the socket and clears it (null) when
 * the response detaches, so null means no answer is under way (idle).
 */
export function inFlightResponse(socket: Duplex): ServerResponse | null {
  return (socket as ServerSocket)._httpMessage ?? null;
}

/**
 * Sets the timeout a response advertises as `Keep-Alive: timeout=N`
 * (`ServerResponse#_keepAliveTimeout`, in ms; node writes the field when it
 * is non-zero and the connection stays open — RFC 9112 §9.3, the de facto hint).
 */
export function advertiseKeepAlive(res: ServerResponse, ms: number): void {
  (res as Advertising)._keepAliveTimeout = ms;
}

/**
 * Replaces one response's `writeHead` (an own property over the prototype's).
 * Relies on node's implicit head (`_implicitHeader`, on the first write or
 * `end()` without a head) calling `this.writeHead(this.statusCode)`, so the
 * override sees every answer, explicit or implicit.
 */
export function overrideWriteHead(
  res: ServerResponse,
  writeHead: (this: ServerResponse, ...args: unknown[]) => ServerResponse,
): void {
  (res as { writeHead: unknown }).writeHead = writeHead;
}
