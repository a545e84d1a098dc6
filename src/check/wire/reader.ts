/**
 * A minimal HTTP/1.1 response reader (RFC 9112) for the checker: status
 * line, header fields, and a body framed by Content-Length, chunked coding or
 * connection close. It is pure: it parses what has arrived so far and says
 * whether it needs more bytes, so the socket side can stay small.
 */

/** One response as seen on the wire (an interim 1xx is a response too). */
export interface WireResponse {
  /** The status line as received, without CRLF. */
  readonly statusLine: string;
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  /** Header fields in arrival order, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** How the body was delimited. */
  readonly framing: 'none' | 'length' | 'chunked' | 'close';
  /** The body went past the reader's byte bound; `body` holds the first part only. */
  readonly truncated: boolean;
}

export interface ParseOptions {
  /** The request was HEAD: the response has no content whatever its headers say (RFC 9110 §9.3.2). */
  head?: boolean;
  /** The peer closed the connection: a close-delimited body ends here. */
  closed?: boolean;
  /** Largest header section in bytes. @default 65536 */
  maxHeaderBytes?: number;
  /** Largest body kept in bytes; past it the response is marked truncated. @default 1048576 */
  maxBodyBytes?: number;
}

export type ParseResult =
  | { readonly kind: 'response'; readonly response: WireResponse; readonly consumed: number }
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string };

const INCOMPLETE = { kind: 'incomplete' } as const;
const invalid = (reason: string): ParseResult => ({ kind: 'invalid', reason });

/** The value of a header field (all fields of that name joined by ", "), or undefined. */
export function header(res: Pick<WireResponse, 'headers'>, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value: string | undefined;
  for (const [n, v] of res.headers) if (n.toLowerCase() === lower) value = value === undefined ? v : `${value}, ${v}`;
  return value;
}

/** Whether a comma-separated header field lists a token (case-insensitive), e.g. Connection: close. */
export function hasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const want = token.toLowerCase();
  return value.split(',').some((t) => t.trim().toLowerCase() === want);
}

const STATUS_LINE = /^(HTTP\/\d\.\d) (\d{3})(?: (.*))?$/;
// RFC 9110 §5.1: field-name = token
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Parses one response starting at `offset`. Bytes after it (a pipelined
 * response) are left for the next call.
 */
export function parseResponse(buf: Buffer, offset: number, options: ParseOptions = {}): ParseResult {
  const maxHeader = options.maxHeaderBytes ?? 65_536; // 64 KiB
  const end = buf.indexOf('\r\n\r\n', offset, 'latin1');
  if (end === -1) {
    if (buf.length - offset > maxHeader) return invalid(`header section longer than ${maxHeader} bytes`);
    return options.closed ? invalid('connection closed before the header section ended') : INCOMPLETE;
  }
  const lines = buf.toString('latin1', offset, end).split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = STATUS_LINE.exec(statusLine);
  if (!m) return invalid(`malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`);
  const headers: (readonly [string, string])[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!FIELD_NAME.test(name)) return invalid(`malformed header line ${JSON.stringify(line.slice(0, 80))}`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  const status = Number(m[2]);
  const head = { statusLine, version: m[1] as string, status, reason: m[3] ?? '', headers };
  const bodyStart = end + 4;
  return readBody(buf, bodyStart, head, options);
}

type Head = Omit<WireResponse, 'body' | 'framing' | 'truncated'>;

function readBody(buf: Buffer, start: number, head: Head, options: ParseOptions): ParseResult {
  const maxBody = options.maxBodyBytes ?? 1_048_576; // 1 MiB
  const done = (body: Buffer, framing: WireResponse['framing'], consumed: number, truncated = false): ParseResult => ({
    kind: 'response',
    response: { ...head, body, framing, truncated },
    consumed,
  });
  // RFC 9112 §6.3 (1): HEAD answers, 1xx, 204 and 304 end at the header section.
  if (options.head || head.status < 200 || head.status === 204 || head.status === 304) {
    return done(Buffer.alloc(0), 'none', start);
  }
  const te = header(head, 'transfer-encoding');
  if (te !== undefined) {
    // RFC 9112 §6.3 (4): chunked as the final coding frames the body; otherwise it runs to close.
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    if (codings[codings.length - 1] === 'chunked') return readChunked(buf, start, options, maxBody, done);
    return untilClose(buf, start, options, maxBody, done);
  }
  const cl = header(head, 'content-length');
  if (cl !== undefined) {
    // RFC 9112 §6.3 (5): differing or invalid Content-Length values are unrecoverable.
    const values = new Set(cl.split(',').map((v) => v.trim()));
    const only = values.size === 1 ? [...values][0] : undefined;
    if (only === undefined || !/^\d+$/.test(only)) return invalid(`invalid Content-Length ${JSON.stringify(cl)}`);
    const length = Number(only);
    const available = buf.length - start;
    if (length > maxBody) {
      if (available >= maxBody || options.closed)
        return done(buf.subarray(start, start + Math.min(available, maxBody)), 'length', buf.length, true);
      return INCOMPLETE;
    }
    if (available < length) return options.closed ? invalid('connection closed before the body ended') : INCOMPLETE;
    return done(buf.subarray(start, start + length), 'length', start + length);
  }
  return untilClose(buf, start, options, maxBody, done);
}

type Done = (body: Buffer, framing: WireResponse['framing'], consumed: number, truncated?: boolean) => ParseResult;

function untilClose(buf: Buffer, start: number, options: ParseOptions, maxBody: number, done: Done): ParseResult {
  const available = buf.length - start;
  if (available > maxBody) return done(buf.subarray(start, start + maxBody), 'close', buf.length, true);
  return options.closed ? done(buf.subarray(start), 'close', buf.length) : INCOMPLETE;
}

function readChunked(buf: Buffer, start: number, options: ParseOptions, maxBody: number, done: Done): ParseResult {
  const parts: Buffer[] = [];
  let size = 0;
  let at = start;
  for (;;) {
    const eol = buf.indexOf('\r\n', at, 'latin1');
    if (eol === -1) break;
    // RFC 9112 §7.1: chunk-size [ chunk-ext ] CRLF
    const sizeText = buf.toString('latin1', at, eol).split(';')[0]?.trim() ?? '';
    if (!/^[0-9a-fA-F]+$/.test(sizeText)) return invalid(`invalid chunk size ${JSON.stringify(sizeText.slice(0, 20))}`);
    const chunk = Number.parseInt(sizeText, 16);
    if (chunk === 0) {
      // RFC 9112 §7.1.2: trailer section, then CRLF.
      const trailerEnd = buf.indexOf('\r\n', eol + 2, 'latin1');
      if (trailerEnd === -1) break;
      if (trailerEnd !== eol + 2) {
        const end = buf.indexOf('\r\n\r\n', eol + 2, 'latin1');
        if (end === -1) break;
        return done(Buffer.concat(parts), 'chunked', end + 4);
      }
      return done(Buffer.concat(parts), 'chunked', trailerEnd + 2);
    }
    if (buf.length < eol + 2 + chunk + 2) {
      if (size + (buf.length - eol - 2) > maxBody) {
        parts.push(buf.subarray(eol + 2, Math.min(buf.length, eol + 2 + chunk)));
        return done(Buffer.concat(parts).subarray(0, maxBody), 'chunked', buf.length, true);
      }
      break;
    }
    parts.push(buf.subarray(eol + 2, eol + 2 + chunk));
    size += chunk;
    if (size > maxBody) return done(Buffer.concat(parts).subarray(0, maxBody), 'chunked', buf.length, true);
    at = eol + 2 + chunk + 2;
  }
  return options.closed ? invalid('connection closed inside the chunked body') : INCOMPLETE;
}
