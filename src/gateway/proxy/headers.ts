import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { forwardableRawHeaders, isHttp2 } from '../../server/h2.ts';
import { fromTrustedProxy, plainAddress } from './client-address.ts';

/**
 * RFC 9110 §7.6.1: Connection and the connection-specific fields it lists
 * (Keep-Alive, Proxy-Connection, TE, Transfer-Encoding, Upgrade) describe one
 * hop and are never forwarded. Proxy-Authorization is consumed by the first
 * inbound proxy expecting credentials (RFC 9110 §11.7.2), which is us;
 * Proxy-Authenticate applies only to the next outbound client (§11.7.1).
 */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'transfer-encoding', 'upgrade']);

/**
 * Request fields the gateway rewrites rather than copies: the upstream gets
 * its own Host (undici sets it from the target), Via and X-Forwarded-For are
 * appended to, X-Forwarded-Proto/-Host are ours (we are the edge: a client's
 * values would be spoofable), X-Request-Id is the front's, and Expect was
 * answered by the front (RFC 9110 §10.1.1; the upstream sees the body only).
 */
const REQUEST_SKIP = new Set([
  ...HOP_BY_HOP,
  'proxy-authorization',
  'host',
  'via',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-request-id',
  'expect',
]);

/**
 * What a client could write to pass for someone else: from a peer that is
 * not a trusted proxy (`trustProxy`, ./client-address.ts) these are dropped,
 * and X-Forwarded-For starts afresh with the peer's address.
 */
const CLAIMS = new Set(['forwarded', 'x-real-ip']);

/** Response fields never copied back: hop-by-hop ones, and X-Request-Id which the gateway sets itself. */
const RESPONSE_SKIP = new Set([...HOP_BY_HOP, 'proxy-authenticate', 'x-request-id']);

/** RFC 9110 §7.6.3: received-protocol (protocol-name omitted for HTTP) and a pseudonym. */
export const VIA_NAME = 'statuskit';
const VIA_11 = `1.1 ${VIA_NAME}`;
const VIA_10 = `1.0 ${VIA_NAME}`;

/** The connection options a Connection field names (RFC 9110 §7.6.1), lower-cased; undefined when none. */
function connectionOptions(value: string | string[] | undefined): Set<string> | undefined {
  // The usual values name no field: no split, no allocation.
  if (value === undefined || value === 'keep-alive' || value === 'close') return undefined;
  const text = typeof value === 'string' ? value : value.join(',');
  let names: Set<string> | undefined;
  for (const token of text.split(',')) {
    const name = token.trim().toLowerCase();
    // close / keep-alive name no field, they are the usual case: skip the allocation.
    if (name && name !== 'close' && name !== 'keep-alive') (names ??= new Set()).add(name);
  }
  return names;
}

const append = (prev: string | undefined, value: string): string => (prev ? `${prev}, ${value}` : value);

/**
 * The header list sent upstream, as undici's flat [name, value, …] array:
 * every field of the request in its order and spelling (duplicates kept),
 * minus the hop-by-hop ones and those Connection names, plus Via,
 * X-Forwarded-For/-Proto/-Host and X-Request-Id.
 */
export function forwardRequestHeaders(req: IncomingMessage, requestId: string, host: string | undefined): string[] {
  // HTTP/2: no pseudo-header field goes upstream, and Host comes from :authority (../server/h2.ts).
  const raw = isHttp2(req) ? forwardableRawHeaders(req) : req.rawHeaders;
  const strip = connectionOptions(req.headers.connection);
  const out: string[] = [];
  let via: string | undefined;
  let xff: string | undefined;
  const trusted = fromTrustedProxy(req);
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const lower = name.toLowerCase();
    if (!trusted && CLAIMS.has(lower)) continue;
    if (REQUEST_SKIP.has(lower) || strip?.has(lower)) {
      // RFC 9110 §7.6.3: each proxy appends itself to Via; X-Forwarded-For likewise grows by one hop.
      if (lower === 'via') via = append(via, raw[i + 1] as string);
      else if (lower === 'x-forwarded-for') xff = append(xff, raw[i + 1] as string);
      continue;
    }
    out.push(name, raw[i + 1] as string);
  }
  const socket = req.socket;
  const version = req.httpVersion;
  out.push('via', append(via, version === '1.1' ? VIA_11 : version === '1.0' ? VIA_10 : `${version} ${VIA_NAME}`));
  // RFC 7239 §5.2 / X-Forwarded-For: the chain goes on only behind a trusted proxy; a client's own is no evidence.
  if (socket.remoteAddress)
    out.push('x-forwarded-for', append(trusted ? xff : undefined, plainAddress(socket.remoteAddress)));
  out.push('x-forwarded-proto', (socket as TLSSocket).encrypted ? 'https' : 'http');
  // The canonical authority: an absolute-form target's replaces Host (RFC 9112 §3.2.2).
  if (host) out.push('x-forwarded-host', host);
  out.push('x-request-id', requestId);
  return out;
}

/**
 * The upstream response's fields for `res.writeHead`, as a flat array:
 * hop-by-hop fields and those the upstream's Connection names removed,
 * Via appended, X-Request-Id set to the gateway's id (one id per exchange,
 * the one in the gateway's logs and error bodies).
 */
export function forwardResponseHeaders(headers: IncomingHttpHeaders, requestId: string): (string | string[])[] {
  const strip = connectionOptions(headers.connection);
  const out: (string | string[])[] = [];
  let via: string | undefined;
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || RESPONSE_SKIP.has(name) || strip?.has(name)) continue;
    if (name === 'via') {
      via = typeof value === 'string' ? value : value.join(', ');
      continue;
    }
    out.push(name, value);
  }
  // undici speaks HTTP/1.1 to the upstream: that is the protocol this hop received.
  out.push('via', append(via, VIA_11), 'x-request-id', requestId);
  return out;
}

/** A flat field list for an answer whose body is known in full: its own Content-Length, for `length` bytes. */
export function withContentLength(list: readonly (string | string[])[], length: number): (string | string[])[] {
  const out: (string | string[])[] = [];
  for (let i = 0; i < list.length; i += 2) if (list[i] !== 'content-length') out.push(list[i]!, list[i + 1]!);
  out.push('content-length', String(length));
  return out;
}
