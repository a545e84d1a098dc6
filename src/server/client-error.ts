import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errorCodeFor, getCode } from '../catalog/index.ts';
import { JSON_TYPE, renderError, StatusError } from '../errors.ts';
import { newRequestId, requestIdOf } from './context.ts';
import { notImplemented } from './guards/method.ts';
import { versionNotSupported } from './guards/version.ts';
import { inFlightResponse } from './node-internals.ts';
import type { Resolved } from './options.ts';

/**
 * Parser-level failures: node:http could not make a request out of the bytes,
 * so no guard runs. Each gets the contract's code (never node's defaults: 400
 * for BREW and HTTP/3.0, 200 for HTTP/2.0, 431 for a long URI), the profile's
 * error body, X-Request-Id and Connection: close — after a framing error the
 * rest of the bytes on the connection cannot be trusted (RFC 9112 §11.2).
 */

const TOKEN_SP = /^[!#$%&'*+.^`|~0-9A-Za-z_-]+ /;
const VERSION_AT_END = / HTTP\/(\d+)\.(\d+)$/;
const REQUEST_ID = /\r\nx-request-id:[ \t]*([A-Za-z0-9._:-]{1,128})[ \t]*\r\n/i;

interface ParserError extends Error {
  code?: string;
  rawPacket?: Buffer;
}

function firstLine(packet: Buffer): { text: string; bareLf: boolean; complete: boolean } {
  const lf = packet.indexOf(10);
  const end = lf === -1 ? packet.length : lf;
  const crlf = lf > 0 && packet[lf - 1] === 13;
  return { text: packet.toString('latin1', 0, crlf ? lf - 1 : end), bareLf: lf !== -1 && !crlf, complete: lf !== -1 };
}

/**
 * Oversized header fields: RFC 6585 §5's 431, the one answer outside the 43
 * contract codes, kept (as the architecture asks) so that 414 means a long
 * target and nothing else. StatusError only makes contract codes, so this
 * answer is its own small type, rendered with the same error body.
 */
export class FieldsTooLarge {
  readonly status = 431;
  constructor(readonly message: string) {}
}

/**
 * Whether a header overflow is a request line over the limit (414) rather than
 * header fields (431). The packet is the
 * chunk the parser failed on: when it starts with the request line, its
 * length decides; a chunk from the middle of a long line with no line end and
 * no whitespace can only be a request target (RFC 9112 §3.2: no spaces in it).
 */
function lineTooLong(packet: Buffer, limit: number): boolean {
  const line = firstLine(packet);
  if (TOKEN_SP.test(line.text)) return !line.complete || line.text.length > limit;
  return !line.complete && !packet.includes(32) && !packet.includes(9);
}

/** The contract's answer to a parser error; undefined when nothing should be written (the client left). */
export function classify(err: ParserError, limits: Resolved['limits']): StatusError | FieldsTooLarge | undefined {
  const packet = err.rawPacket;
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      // RFC 9110 §15.5.9: the client did not send a complete request in time.
      return new StatusError(408, 'The request did not arrive in time.');
    case 'HPE_INVALID_METHOD':
      // RFC 9110 §15.6.2: a well-formed method the server does not know is 501, not 400.
      if (packet && TOKEN_SP.test(firstLine(packet).text)) {
        const method = firstLine(packet).text.split(' ', 1)[0];
        return notImplemented(method ?? '');
      }
      return new StatusError(400, 'The request line is malformed.');
    case 'HPE_INVALID_VERSION': {
      const line = packet ? firstLine(packet) : undefined;
      if (line?.bareLf) return new StatusError(400, 'Lines must end with CRLF, not a bare LF (RFC 9112 §2.2).');
      const v = line && VERSION_AT_END.exec(line.text);
      // RFC 9110 §15.6.6; CONTRACT.md: any version but HTTP/1.0 and HTTP/1.1 is 505.
      if (v && !(v[1] === '1' && (v[2] === '0' || v[2] === '1'))) {
        return versionNotSupported(v[1] as string, v[2] as string);
      }
      return new StatusError(400, 'The request line names no valid HTTP version.');
    }
    case 'HPE_PAUSED_H2_UPGRADE':
      // The HTTP/2 connection preface (RFC 9113 §3.4) sent to an HTTP/1 server: it names HTTP/2.0.
      return new StatusError(505, 'HTTP/2 is not spoken on this connection: send the request as HTTP/1.1.');
    case 'HPE_HEADER_OVERFLOW':
      if (packet && lineTooLong(packet, limits.requestLine)) {
        // RFC 9110 §15.5.15: a long target is 414, never 431.
        return new StatusError(414, `The request line is longer than the limit of ${limits.requestLine} bytes.`);
      }
      // RFC 6585 §5: header fields too large; the request line itself was within its limit.
      return new FieldsTooLarge(`The header section is larger than the limit of ${limits.headerSize} bytes.`);
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      // RFC 9112 §6.1 and §6.3: Content-Length with Transfer-Encoding, or two lengths, is a smuggling risk: 400 and close.
      return new StatusError(
        400,
        'The message framing is ambiguous (Content-Length with Transfer-Encoding, or conflicting lengths).',
      );
    case 'HPE_CR_EXPECTED':
    case 'HPE_LF_EXPECTED':
      return new StatusError(400, 'Lines must end with CRLF (RFC 9112 §2.2).');
    case 'HPE_INVALID_HEADER_TOKEN':
      // RFC 9112 §5.2: obs-fold is rejected with 400, like any malformed field line.
      return new StatusError(400, 'A header field line is malformed (bad field name, whitespace or obs-fold).');
    case 'HPE_INVALID_EOF_STATE':
    case 'ECONNRESET':
      return undefined;
    default:
      if (err.code?.startsWith('HPE_')) return new StatusError(400, 'The request is malformed.');
      return undefined;
  }
}

/** The bytes of a complete error answer written straight to a socket. */
export function rawAnswer(err: StatusError | FieldsTooLarge, options: Resolved, requestId: string, extra = ''): string {
  const out =
    err instanceof FieldsTooLarge
      ? {
          contentType: JSON_TYPE,
          body: JSON.stringify({
            error_code: errorCodeFor(431, options.profile),
            error_msg: err.message,
            request_id: requestId,
          }),
        }
      : renderError(err, { profile: options.profile, requestId });
  const reason =
    err instanceof FieldsTooLarge ? 'Request Header Fields Too Large' : (getCode(err.status)?.reason ?? '');
  return (
    `HTTP/1.1 ${err.status} ${reason}\r\n` +
    `Date: ${new Date().toUTCString()}\r\n` +
    `Content-Type: ${out.contentType}\r\n` +
    `Content-Length: ${Buffer.byteLength(out.body)}\r\n` +
    `X-Request-Id: ${requestId}\r\n${extra}` +
    'Connection: close\r\n\r\n' +
    out.body
  );
}

function requestIdIn(packet: Buffer | undefined): string {
  const m = packet && REQUEST_ID.exec(packet.toString('latin1'));
  return m?.[1] ?? newRequestId();
}

export function clientErrorHandler(options: Resolved) {
  return function onClientError(err: ParserError, socket: Duplex): void {
    const answer = classify(err, options.limits);
    const message = inFlightResponse(socket);
    if (!answer || !socket.writable) {
      socket.destroy();
      return;
    }
    const bytes = rawAnswer(answer, options, requestIdIn(err.rawPacket));
    if (message && !message.writableFinished && message.req.complete) {
      // The failure is in a pipelined request behind one still being answered: answers keep their order (RFC 9112 §9.3.2).
      message.once('finish', () => socket.end(bytes));
      message.once('close', () => socket.writable && socket.end(bytes));
      return;
    }
    if (message?.headersSent) {
      // The failure is inside a request whose answer has started: no second status can follow.
      socket.destroy();
      return;
    }
    socket.end(bytes);
  };
}

/** CONNECT asks for a tunnel (RFC 9110 §9.3.6), which the front does not implement: 501. */
export function connectHandler(options: Resolved) {
  return function onConnect(req: IncomingMessage, socket: Duplex): void {
    const err = new StatusError(501, 'This server does not support CONNECT (tunnelling) for any resource.');
    socket.on('error', () => socket.destroy());
    socket.end(rawAnswer(err, options, requestIdOf(req)));
  };
}
