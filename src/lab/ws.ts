import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { renderError, StatusError } from '../errors.ts';
import type { RequestContext } from '../server/types.ts';

export interface Echo {
  /** A RouteDef.upgrade: completes the WebSocket handshake (101) and echoes every message. */
  upgrade(ctx: RequestContext, socket: Duplex, head: Buffer): void;
  /** Closes every open echo connection (1001 going away). */
  close(): void;
}

export interface EchoOptions {
  /** Largest message echoed; a bigger one closes the connection with 1009. @default 65536 bytes */
  maxPayload?: number;
}

// RFC 6455 §4.2.1: the key is 16 random bytes, base64 encoded (24 characters).
const KEY = /^[A-Za-z0-9+/]{22}==$/;

const hasToken = (value: string | undefined, token: string): boolean =>
  value?.split(',').some((t) => t.trim().toLowerCase() === token) === true;

/** Why a request is not a WebSocket opening handshake, or undefined when it is one. */
function handshakeProblem(ctx: RequestContext): StatusError | undefined {
  const h = ctx.req.headers;
  const bad = (message: string, headers = {}) => new StatusError(400, message, { subcode: 'HANDSHAKE', headers });
  if (!hasToken(h.upgrade, 'websocket')) return bad('Only an upgrade to websocket is offered here.');
  if (ctx.method !== 'GET' || ctx.req.httpVersion !== '1.1')
    return bad('A WebSocket handshake is a GET over HTTP/1.1 (RFC 6455 §4.1).');
  if (!hasToken(h.connection, 'upgrade')) return bad('The handshake needs Connection: Upgrade (RFC 9110 §7.8).');
  if (typeof h['sec-websocket-key'] !== 'string' || !KEY.test(h['sec-websocket-key']))
    return bad('Sec-WebSocket-Key must be 16 bytes in base64 (RFC 6455 §4.1).');
  // RFC 6455 §4.4: an unsupported version is refused with the versions the server speaks.
  if (h['sec-websocket-version'] !== '13')
    return bad('Only WebSocket version 13 is spoken here.', { 'Sec-WebSocket-Version': '13' });
  return undefined;
}

/** Writes a contract error answer on a socket node:http no longer manages, then closes it. */
function refuse(ctx: RequestContext, socket: Duplex, err: StatusError): void {
  const out = renderError(err, {
    profile: ctx.profile,
    requestId: ctx.requestId,
    accept: ctx.req.headers.accept,
    instance: ctx.req.url,
  });
  const lines = [
    `HTTP/1.1 ${out.status} ${STATUS_CODES[out.status]}`,
    `Content-Type: ${out.contentType}`,
    `Content-Length: ${Buffer.byteLength(out.body)}`,
    `X-Request-Id: ${ctx.requestId}`,
    'Connection: close',
    ...Object.entries(err.headers).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`),
  ];
  socket.end(`${lines.join('\r\n')}\r\n\r\n${out.body}`);
}

/** A WebSocket echo on `ws`, attached to routes through RouteDef.upgrade. */
export function createEcho(options: EchoOptions = {}): Echo {
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? 64 * 1024 }); // 64 KiB
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.on('error', () => ws.terminate());
  });
  return {
    upgrade(ctx, socket, head) {
      const problem = handshakeProblem(ctx);
      if (problem) return refuse(ctx, socket, problem);
      // ws writes the 101 with Upgrade, Connection and Sec-WebSocket-Accept (RFC 6455 §4.2.2).
      wss.handleUpgrade(ctx.req, socket, head, (ws) => wss.emit('connection', ws, ctx.req));
    },
    close() {
      for (const client of wss.clients) client.close(1001, 'The lab is shutting down.');
      wss.close();
    },
  };
}
