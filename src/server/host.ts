/**
 * Host (RFC 9112 §3.2, RFC 9110 §7.2): an HTTP/1.1 request without it, any
 * request with more than one Host line, and any Host whose value is not
 * `uri-host [ ":" port ]` (RFC 3986 §3.2.2–3) is 400. That covers an empty
 * value, userinfo ("user@host"), a path ("host/path"), a list ("a, b": Host
 * is a singleton field) and any character outside the authority grammar.
 * An absolute-form target's authority is checked by the same rules and then
 * replaces Host (RFC 9112 §3.2.2).
 */

import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';
import { StatusError } from '../errors.ts';
import { h2Authority, isHttp2 } from './h2.ts';

// reg-name = *( unreserved / pct-encoded / sub-delims ), minus "," (Host is one value, not a list).
const REG_NAME = /^(?:[A-Za-z0-9\-._~!$&'()*+;=]|%[0-9A-Fa-f]{2})+$/;
const IPV_FUTURE = /^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;
const PORT = /^\d{0,5}$/;

const bad = (message: string): StatusError => new StatusError(400, message, { headers: { connection: 'close' } });

/** Why `value` is not a valid authority `uri-host [ ":" port ]`; undefined when it is. */
export function authorityProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  let host = value;
  let port: string | undefined;
  if (value.charCodeAt(0) === 91 /* [ */) {
    const end = value.indexOf(']');
    if (end === -1) return 'opens an IP literal it never closes';
    const literal = value.slice(1, end);
    if (!isIPv6(literal) && !IPV_FUTURE.test(literal)) return 'holds an IP literal that is not IPv6';
    host = value.slice(0, end + 1);
    const after = value.slice(end + 1);
    if (after !== '') {
      if (after.charCodeAt(0) !== 58 /* : */) return 'has something after its IP literal that is not a port';
      port = after.slice(1);
    }
  } else {
    const colon = value.lastIndexOf(':');
    if (colon !== -1) {
      host = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (host === '') return 'names no host';
    if (value.includes('@')) return 'carries userinfo ("@")';
    if (value.includes('/')) return 'carries a path';
    if (value.includes(',')) return 'is a list; Host takes one value';
    if (!REG_NAME.test(host)) return 'holds characters a host name cannot';
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535))
    return 'has a port that is not a number up to 65535';
  return undefined;
}

/** How many Host lines the request carries (node keeps only the first in req.headers). */
function hostLines(raw: readonly string[]): number {
  let n = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4 && (name === 'Host' || name === 'host' || name.toLowerCase() === 'host')) n++;
  }
  return n;
}

/**
 * The request's authority after the Host rules: the absolute-form target's
 * when there is one (it replaces Host), else the Host field's value.
 */
export function checkHost(req: IncomingMessage, targetAuthority: string | undefined): string | undefined {
  if (isHttp2(req)) return checkH2Authority(req);
  const host = req.headers.host;
  const lines = host === undefined ? 0 : hostLines(req.rawHeaders);
  // RFC 9112 §3.2: "more than one Host header field line" is 400 whatever the version.
  if (lines > 1) throw bad('The request carries Host more than once (RFC 9112 §3.2).');
  if (lines === 0 && req.httpVersionMinor === 1 && req.httpVersionMajor === 1)
    throw bad('An HTTP/1.1 request must carry Host (RFC 9112 §3.2).');
  if (host !== undefined) {
    const problem = authorityProblem(host);
    if (problem) throw bad(`The Host field ${problem} (RFC 9112 §3.2, RFC 9110 §7.2).`);
  }
  if (targetAuthority !== undefined) {
    const problem = authorityProblem(targetAuthority);
    if (problem) throw bad(`The absolute-form target's authority ${problem} (RFC 9110 §4.2).`);
    return targetAuthority;
  }
  return host;
}

/** RFC 9113 §8.3.1: `:authority` (or Host, the same when both are sent), by the same grammar. */
function checkH2Authority(req: IncomingMessage): string {
  const { authority, problem } = h2Authority(req);
  // An HTTP/2 stream cannot repeat :authority (node refuses it); no Connection: close, the stream ends alone.
  if (problem) throw new StatusError(400, problem);
  const bad = authorityProblem(authority as string);
  if (bad) throw new StatusError(400, `The :authority ${bad} (RFC 9113 §8.3.1, RFC 9110 §7.2).`);
  return authority as string;
}
