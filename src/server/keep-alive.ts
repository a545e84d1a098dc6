import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import { Server as TlsServer } from 'node:tls';
import { isHttp2Socket } from './h2.ts';
import { advertiseKeepAlive, inFlightResponse } from './node-internals.ts';

/**
 * Node's own margin past the advertised timeout before it closes an idle
 * connection (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER): a client that reuses
 * the connection just as the advertised time runs out still gets an answer.
 */
const RACE_MARGIN = 1_000; // 1 s

/** A connection as the sweep last saw it. */
interface Seen {
  /** `socket.bytesRead` then: any byte from the client since means the connection was not idle. */
  read: number;
  /** performance.now() when the sweep first found it idle with that count; NaN while it is not idle. */
  since: number;
}

export interface IdleConnections {
  /** Advertises the timeout on an answer (`Keep-Alive: timeout=N`), as node does. */
  advertise(res: ServerResponse): void;
  /** The socket left HTTP (upgrade, CONNECT): its idleness is its new protocol's business. */
  forget(socket: Duplex): void;
  /** Runs one sweep now (the timer runs it every `every` ms). */
  sweep(now: number): void;
}

/**
 * Closes kept-alive connections idle for longer than `timeout` ms, the job
 * node's `server.keepAliveTimeout` does, by a sweep every `every` ms.
 *
 * Why not node's own: node arms a timer on the socket after every answer (a
 * bound function and a Timeout), refreshes it on every read and write, and
 * clears it when the next request arrives — measured at 0.7–1.2 µs per
 * proxied request on the gateway. The sweep costs nothing per request: a
 * connection whose byte count has not moved between sweeps, with no answer
 * under way, has been idle since the first of them. A connection is closed
 * once idle for `timeout` + 1 s (node's margin), at most `every` ms later;
 * never sooner. A connection that has not had an answer yet is left to the
 * header timeout (408), as node leaves it.
 *
 * Takes over `server.keepAliveTimeout` (set to 0 so node arms nothing);
 * `timeout` 0 keeps idle connections open, as node's 0 does.
 */
export function sweepIdleConnections(server: Server, timeout: number, every: number): IdleConnections {
  server.keepAliveTimeout = 0;
  const seen = new Map<Socket, Seen>();
  const limit = timeout + RACE_MARGIN;
  let timer: NodeJS.Timeout | undefined;

  const sweep = (now: number): void => {
    for (const [socket, s] of seen) {
      const read = socket.bytesRead;
      const busy = inFlightResponse(socket) !== null || socket.bytesWritten === 0;
      if (busy || read !== s.read) {
        s.read = read;
        s.since = busy ? Number.NaN : now;
      } else if (Number.isNaN(s.since)) s.since = now;
      else if (now - s.since >= limit) socket.destroy();
    }
  };

  if (timeout > 0) {
    // Over TLS the answers go through the TLS socket, not the TCP one under it.
    server.on(server instanceof TlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
      // An HTTP/2 session is idle by its own clock (./h2.ts: the session timeout), not by this sweep.
      if (isHttp2Socket(server, socket)) return;
      seen.set(socket, { read: 0, since: Number.NaN });
      socket.once('close', () => seen.delete(socket));
    });
    const start = (): void => {
      timer ??= setInterval(() => sweep(performance.now()), every).unref();
    };
    server.on('listening', start);
    if (server.listening) start();
    server.on('close', () => {
      clearInterval(timer);
      timer = undefined;
    });
  }

  return {
    advertise(res) {
      advertiseKeepAlive(res, timeout);
    },
    forget(socket) {
      seen.delete(socket as Socket);
    },
    sweep,
  };
}
