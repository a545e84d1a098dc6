/**
 * HTTP/2 (RFC 9113) and TLS in front of the same pipeline. Everything the
 * front does differently for an HTTP/2 stream lives here, so the HTTP/1.1
 * path keeps its one cheap check at most (`isHttp2`).
 *
 * node:http2's compatibility API hands the front Http2ServerRequest and
 * Http2ServerResponse objects that look like node:http's. What differs:
 * · RFC 9113 §8.2.2: connection-specific fields (Connection, Keep-Alive,
 *   Proxy-Connection, Transfer-Encoding, Upgrade) are malformed in HTTP/2;
 *   node throws ERR_HTTP2_INVALID_CONNECTION_HEADERS for most of them. The
 *   response here drops them. `Connection: close` on an answer means "the
 *   rest of the request is not read" (RFC 9112 §9.6): its HTTP/2 form is
 *   RST_STREAM(NO_ERROR) once the answer is out (RFC 9113 §8.1).
 * · RFC 9113 §8.3.1: the authority is `:authority`, Host may also be sent
 *   and must then agree (./host.ts asks `h2Authority`).
 * · rawHeaders carry the pseudo-header fields (`:path`, `:method` …), never
 *   to be forwarded to an HTTP/1.1 upstream (`forwardableRawHeaders`).
 */

import type { IncomingMessage, Server } from 'node:http';
import http2, { Http2ServerRequest, Http2ServerResponse, type SecureServerOptions } from 'node:http2';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { inFlightResponse } from './node-internals.ts';

/** Fields RFC 9113 §8.2.2 forbids in an HTTP/2 message. */
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

/** Whether `req` came on an HTTP/2 stream (not an HTTP/1 request line that says `HTTP/2.0`). */
export function isHttp2(req: IncomingMessage): boolean {
  return req.httpVersionMajor === 2 && req instanceof Http2ServerRequest;
}

type Fields = Record<string, unknown> | unknown[];

/** `headers` without the connection-specific fields; whether one said `close`. */
function clean(headers: Fields): { headers: Fields; close: boolean } {
  let close = false;
  if (Array.isArray(headers)) {
    const out: unknown[] = [];
    for (let i = 0; i < headers.length; i += 2) {
      const name = String(headers[i]).toLowerCase();
      if (CONNECTION_SPECIFIC.has(name)) close ||= name === 'connection' && /close/i.test(String(headers[i + 1]));
      else out.push(headers[i], headers[i + 1]);
    }
    return { headers: out, close };
  }
  const out: Record<string, unknown> = {};
  for (const k in headers) {
    const name = k.toLowerCase();
    if (CONNECTION_SPECIFIC.has(name)) close ||= name === 'connection' && /close/i.test(String(headers[k]));
    else out[k] = headers[k];
  }
  return { headers: out, close };
}

/**
 * The front's request on an HTTP/2 stream. RFC 9113 §8.1: a body is the
 * DATA frames up to END_STREAM, with or without Content-Length. One sent
 * without it is marked `transfer-encoding: chunked` in `headers` (never in
 * rawHeaders, so never forwarded), the HTTP/1.1 field every guard and the
 * proxy already read as "a body of unknown length" (411, 413, 415, the
 * upstream body). A stream ended with its HEADERS frame has no body.
 */
export class H2Request extends Http2ServerRequest {
  constructor(stream: http2.ServerHttp2Stream, headers: http2.IncomingHttpHeaders, options: object, raw: string[]) {
    super(stream, headers, options as never, raw);
    if (!stream.endAfterHeaders && headers['content-length'] === undefined) headers['transfer-encoding'] = 'chunked';
  }
}

/**
 * The front's response on an HTTP/2 stream: connection-specific fields are
 * dropped (RFC 9113 §8.2.2), and `closed` / `destroyed` answer as
 * node:http's do, which the front reads.
 */
export class H2Response extends Http2ServerResponse {
  override writeHead(status: number, ...rest: unknown[]): this {
    const i = rest.length - 1;
    const last = rest[i];
    if (last !== null && typeof last === 'object') {
      const { headers, close } = clean(last as Fields);
      rest[i] = headers;
      if (close) this.once('finish', resetUnread);
    }
    return (super.writeHead as (...a: unknown[]) => this)(status, ...rest);
  }

  override setHeader(name: string, value: number | string | readonly string[]): this {
    const lower = name.toLowerCase();
    if (!CONNECTION_SPECIFIC.has(lower)) super.setHeader(name, value);
    else if (lower === 'connection' && /close/i.test(String(value))) this.once('finish', resetUnread);
    return this;
  }

  override appendHeader(name: string, value: string | string[]): this {
    if (!CONNECTION_SPECIFIC.has(name.toLowerCase())) super.appendHeader(name, value);
    return this;
  }
}

// node 20's Http2ServerResponse has neither (newer @types/node declare them): the front reads both.
Object.defineProperties(H2Response.prototype, {
  closed: {
    get(this: H2Response) {
      return this.stream.closed || this.stream.destroyed;
    },
  },
  destroyed: {
    get(this: H2Response) {
      return this.stream.destroyed;
    },
  },
  // node:http's per-response keep-alive hint (advertiseKeepAlive, ./node-internals.ts): HTTP/2 has none to give.
  _keepAliveTimeout: { set() {} },
});

/** RFC 9113 §8.1: a complete answer before the whole request; the client is asked to stop sending. */
function resetUnread(this: H2Response): void {
  const stream = this.stream;
  if (!stream.destroyed && !this.req.complete) stream.close(http2.constants.NGHTTP2_NO_ERROR);
}

/**
 * The request fields to forward upstream over HTTP/1.1: no pseudo-header
 * field, and Host made from `:authority` when the client sent none (RFC
 * 9113 §8.3.1: "An intermediary that converts … to HTTP/1.1 MUST create a
 * Host header field … by copying the value of the :authority").
 */
export function forwardableRawHeaders(req: IncomingMessage): string[] {
  const raw = req.rawHeaders;
  const out: string[] = [];
  let host = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) === 58 /* : */) continue;
    if (name === 'host') host = true;
    out.push(name, raw[i + 1]!);
  }
  const authority = req.headers[':authority'];
  if (!host && typeof authority === 'string') out.push('host', authority);
  return out;
}

/**
 * RFC 9113 §8.3.1: the request's authority from `:authority`, or Host; when
 * both are sent they must be the same, else the request is malformed.
 * Returns the authority, or a message saying what is wrong.
 */
export function h2Authority(req: IncomingMessage): { authority?: string; problem?: string } {
  const authority = req.headers[':authority'] as string | undefined;
  const host = req.headers.host;
  if (authority !== undefined && host !== undefined && authority !== host)
    return { problem: `:authority "${authority}" and Host "${host}" differ (RFC 9113 §8.3.1).` };
  const value = authority ?? host;
  if (value === undefined) return { problem: 'An HTTP/2 request must carry :authority or Host (RFC 9113 §8.3.1).' };
  return { authority: value };
}

/** Where a listener's certificate and key come from (PEM contents). */
export interface TlsMaterial {
  cert: string | Buffer;
  key: string | Buffer;
  ca?: string | Buffer;
  /** @default 'TLSv1.2' */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
}

/** How the front's port speaks: cleartext HTTP/1.1 (none of these), TLS, HTTP/2. */
export interface Transport {
  tls?: TlsMaterial;
  /**
   * With `tls`: HTTP/2 and HTTP/1.1 on one port, by ALPN (`h2`, `http/1.1`;
   * RFC 7301). Without: an h2c port, HTTP/2 with prior knowledge only (RFC
   * 9113 §3.3) — an HTTP/1.1 client there gets a GOAWAY, not an answer.
   * @default true with tls
   */
  http2?: boolean;
  /** Told of a peer's bad frame, reset stream or failed handshake (node answered it already). */
  onError?: (err: Error, where: string) => void;
}

/** Sockets of a server whose own bookkeeping node:http does not keep (http2 servers). */
const TRACKED = Symbol('statuskit.h2sockets');
type Tracked = { [TRACKED]?: Set<Socket> };

/** Whether a server socket speaks HTTP/2 (then the HTTP/1 idle sweep leaves it alone). */
export function isHttp2Socket(server: object, socket: Socket): boolean {
  return (socket as TLSSocket).alpnProtocol === 'h2' || (TRACKED in server && !('encrypted' in socket));
}

/**
 * Logs what node:http2 reports on a session or stream instead of letting an
 * 'error' without a listener end the process. node answers the peer itself
 * (RST_STREAM or GOAWAY with the RFC 9113 §5.4 error code).
 */
function guard(server: http2.Http2Server | http2.Http2SecureServer, onError: (err: Error, where: string) => void) {
  const sockets = new Set<Socket>();
  const sessions = new Set<http2.Http2Session>();
  (server as Tracked)[TRACKED] = sockets;
  // Over TLS the HTTP/1.1 answers go through the TLS socket (its _httpMessage), not the TCP one under it.
  server.on('setSecureContext' in server ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('session', (session: http2.Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('sessionError', (err: Error) => onError(err, 'session'));
  server.on('session', (session: http2.ServerHttp2Session) => {
    session.on('error', (err: Error) => onError(err, 'session'));
  });
  // Streams open per session: a session timing out with one under way is not idle (deadlines bound those).
  const open = new WeakMap<http2.Http2Session, number>();
  server.on('stream', (stream: http2.ServerHttp2Stream) => {
    const session = stream.session;
    if (session) {
      open.set(session, (open.get(session) ?? 0) + 1);
      stream.once('close', () => open.set(session, (open.get(session) ?? 1) - 1));
    }
    stream.on('error', (err: Error) => onError(err, 'stream'));
  });
  // Without a listener node destroys a timed-out session, streams and all; idle ones get a GOAWAY (RFC 9113 §6.8).
  // An HTTP/1.1 socket of the same server times out here too: closed when no answer is under way.
  server.on('timeout', (session: http2.Http2Session | Socket) => {
    if (!('goaway' in session)) {
      if (inFlightResponse(session) === null) session.destroy();
    } else if (!open.get(session)) session.close();
  });
  if ('setSecureContext' in server) server.on('tlsClientError', (err: Error) => onError(err, 'tls'));
  // What drain (../gateway/gateway.ts) asks of a node:http server.
  const polyfill = server as unknown as Server;
  polyfill.closeIdleConnections = () => {
    // GOAWAY: streams under way finish, no new one starts (RFC 9113 §6.8).
    for (const session of sessions) if (!session.closed) session.close();
    for (const socket of sockets)
      if (!isHttp2Socket(server, socket) && inFlightResponse(socket) === null) socket.destroy();
  };
  polyfill.closeAllConnections = () => {
    for (const session of sessions) session.destroy();
    for (const socket of sockets) socket.destroy();
  };
}

/**
 * A server for `transport`: https (TLS, HTTP/1.1 only), an HTTP/2 secure
 * server with HTTP/1.1 fallback, or an h2c server; undefined for plain
 * HTTP/1.1 (node:http, made by the caller). Hand it to `Front.attach`.
 */
export function createTransportServer(
  transport: Transport,
  options: { headerSize: number; sessionTimeout: number; onError: (err: Error, where: string) => void },
): Server | undefined {
  const { tls } = transport;
  const http2On = transport.http2 ?? tls !== undefined;
  if (!tls && !http2On) return undefined;
  const secure = tls && { cert: tls.cert, key: tls.key, ca: tls.ca, minVersion: tls.minVersion ?? 'TLSv1.2' };
  if (!http2On) return createHttpsServer({ ...secure, maxHeaderSize: options.headerSize, requireHostHeader: false });
  const h2options: SecureServerOptions = {
    ...secure,
    // Same port, HTTP/1.1 for a client that does not offer h2 (ALPN, RFC 7301).
    allowHTTP1: true,
    Http2ServerRequest: H2Request,
    Http2ServerResponse: H2Response as unknown as typeof Http2ServerResponse,
    // RFC 9113 §6.5.2: the largest header list we take, the HTTP/1 header limit.
    settings: { maxHeaderListSize: options.headerSize },
    maxSessionInvalidFrames: 100,
  };
  const server = secure ? http2.createSecureServer(h2options) : http2.createServer(h2options);
  // An idle session is closed (GOAWAY) after this long without a frame; 0 = never.
  if (options.sessionTimeout > 0) server.setTimeout(options.sessionTimeout);
  guard(server, options.onError);
  return server as unknown as Server;
}
