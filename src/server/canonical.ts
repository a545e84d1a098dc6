/**
 * The canonical request target: what every later step (routing, access
 * rules, rate-limit keys, logs, the path sent upstream) reads instead of the
 * raw request line. Two components that read one request differently are a
 * bypass waiting to happen, so there is exactly one reading, made here.
 *
 * The choices, each named as Envoy's HTTP connection manager names its own
 * (`normalize_path`, `merge_slashes`, `path_with_escaped_slashes_action`) but
 * on by default and not optional where a choice would be unsafe:
 *
 * - Forms (RFC 9112 §3.2): origin-form; absolute-form, which a server MUST
 *   accept (§3.2.2) and whose authority replaces Host (RFC 9112 §3.2.2 ¶8);
 *   asterisk-form for OPTIONS only (§3.2.4). Anything else is 400.
 * - Characters (RFC 3986 §3.3, §3.4): the path holds pchar and "/" only; the
 *   query pchar, "/", "?" and, leniently, the characters browsers leave
 *   unencoded there (see QUERY_LENIENT). A fragment is never sent (RFC 9110
 *   §7.1: "#" ends the target), a backslash is no URI character. Raw bytes
 *   beyond ASCII never reach us: node's parser refuses them (400).
 * - Percent-encoding (RFC 3986 §6.2.2.1, §6.2.2.2): hex digits upper-cased,
 *   unreserved characters decoded ("%61" is "a", "%2E" is "."); a "%" not
 *   followed by two hex digits is 400; so is "%00", which ends a path early in
 *   C-based upstreams.
 * - Dot segments (RFC 3986 §5.2.4) removed; a path that climbs above the root
 *   ("/../x") is 400 rather than silently clamped, and so is a dot segment with
 *   parameters ("/..;x/"), which some servers (Tomcat) read as "..".
 * - Repeated slashes merged: "//admin" is "/admin". A route can keep them in
 *   what it forwards (`mergeSlashes: false`); decisions are made on the merged
 *   path all the same (see `decisionPath`).
 * - Encoded slashes (%2F, %5C) are a route's choice (`escapedSlashes`), taken
 *   by the route guard: keep, reject (400) or decode.
 */
import { StatusError } from '../errors.ts';

/** What a route does with an encoded slash or backslash in the path (see module doc). */
export type EscapedSlashes = 'keep' | 'reject' | 'decode';

export interface CanonicalTarget {
  /** Percent-normalised, dot segments removed, slashes merged: what is routed, authorised, limited, logged. */
  readonly path: string;
  /** Like `path`, with repeated slashes kept (the same string when there are none). */
  readonly slashes: string;
  /** The query without "?", as sent (validated, not rewritten). */
  readonly search: string;
  /** The authority of an absolute-form target; undefined for origin-form. */
  readonly authority: string | undefined;
}

// Character classes, by code unit (RFC 3986 §2.2, §2.3, §3.3).
const UNRESERVED = 1;
const PCHAR = 2; // unreserved, sub-delims, ":" and "@"
const QUERY = 4; // pchar, "/" and "?"
/**
 * Characters the URL Standard's query percent-encode set leaves unencoded, so
 * browsers send them raw: "[", "]", "{", "}", "|", "^", "`". RFC 3986 §3.4
 * excludes them; refusing them would break real clients for no safety gain
 * (the query is forwarded as sent and decides nothing), so the query takes them.
 */
const QUERY_LENIENT = 8;

const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9\-._~]/.test(ch)) CLASS[c] = UNRESERVED | PCHAR | QUERY;
  else if (/[!$&'()*+,;=:@]/.test(ch)) CLASS[c] = PCHAR | QUERY;
  else if (ch === '/' || ch === '?') CLASS[c] = QUERY;
  else if (/[[\]{}|^`]/.test(ch)) CLASS[c] = QUERY_LENIENT;
}

const HEX = '0123456789ABCDEF';
function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  const u = c | 0x20;
  return u >= 97 && u <= 102 ? u - 87 : -1;
}

const ABSOLUTE = /^(https?):\/\/([^/?#]*)/i;

const bad = (message: string): StatusError =>
  // RFC 9112 §3.2: an invalid request-line is 400. The connection is closed: a
  // peer that writes such a target may not frame the rest as we would.
  new StatusError(400, message, { headers: { connection: 'close' } });

function describe(c: number): string {
  if (c === 92) return 'a backslash';
  if (c === 35) return 'a fragment ("#")';
  if (c < 32 || c === 127) return `the control character 0x${c.toString(16).padStart(2, '0')}`;
  return `"${String.fromCharCode(c)}"`;
}

/**
 * Percent-normalises a path (RFC 3986 §6.2.2.1–2) and checks its characters.
 * Returns the input itself when nothing changes (the usual case: no copy).
 */
function normalisePercent(path: string): string {
  let out: string | undefined;
  let from = 0;
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 37 /* % */) {
      const h = i + 2 < path.length ? hexValue(path.charCodeAt(i + 1)) : -1;
      const l = h === -1 ? -1 : hexValue(path.charCodeAt(i + 2));
      if (l === -1) throw bad(`The path holds "%" not followed by two hex digits (RFC 3986 §2.1).`);
      const byte = h * 16 + l;
      if (byte === 0) throw bad('The path holds an encoded NUL ("%00").');
      const decoded = byte < 128 && (CLASS[byte]! & UNRESERVED) !== 0;
      const upper = `%${HEX[h]}${HEX[l]}`;
      if (decoded || path.slice(i, i + 3) !== upper) {
        out = (out ?? '') + path.slice(from, i) + (decoded ? String.fromCharCode(byte) : upper);
        from = i + 3;
      }
      i += 2;
    } else if (c !== 47 /* / */ && (c >= 128 || (CLASS[c]! & PCHAR) === 0)) {
      throw bad(`The request target's path holds ${describe(c)}, which a URI path cannot (RFC 3986 §3.3).`);
    }
  }
  return out === undefined ? path : out + path.slice(from);
}

function checkQuery(search: string): void {
  for (let i = 0; i < search.length; i++) {
    const c = search.charCodeAt(i);
    if (c === 37 /* % */) {
      if (
        i + 2 >= search.length ||
        hexValue(search.charCodeAt(i + 1)) === -1 ||
        hexValue(search.charCodeAt(i + 2)) === -1
      )
        throw bad(`The query holds "%" not followed by two hex digits (RFC 3986 §2.1).`);
      i += 2;
    } else if (c >= 128 || CLASS[c] === 0) {
      throw bad(`The request target's query holds ${describe(c)}, which a URI query cannot (RFC 3986 §3.4).`);
    }
  }
}

/**
 * RFC 3986 §5.2.4 on a path that starts with "/", by segments: "." goes, ".."
 * takes the segment before it with it. Climbing above the root is an error
 * here, not a clamp: the client asked for something outside this server.
 */
export function removeDotSegments(path: string): string {
  // Only a segment that starts with "." can be one.
  if (!path.includes('/.')) return path;
  const segments = path.split('/');
  const out: string[] = [];
  let changed = false;
  for (let i = 1; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    if (seg === '.' || seg === '..') {
      changed = true;
      if (seg === '..') {
        if (out.length === 0) throw bad('The path climbs above the root with "..".');
        out.pop();
      }
      if (last) out.push('');
      continue;
    }
    // "..;x" and ".;x" are dot segments to servers that strip parameters first (Tomcat, Jetty).
    if (seg.charCodeAt(0) === 46 && (seg.startsWith('..;') || seg.startsWith('.;')))
      throw bad(`The path holds the dot segment "${seg}" with parameters, which servers read differently.`);
    out.push(seg);
  }
  return changed ? `/${out.join('/')}` : path;
}

/** "//a///b" → "/a/b". */
export function mergeSlashes(path: string): string {
  return path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
}

const ENCODED_SLASH = /%(?:2F|5C)/;

/** Whether the (normalised) path holds an encoded slash or backslash. */
export const hasEncodedSlash = (path: string): boolean => path.includes('%2F') || path.includes('%5C');

/**
 * The path with %2F and %5C decoded to "/" (a backslash is a path separator to
 * the servers that decode it: IIS, anything on Windows), then made canonical
 * again: dot segments removed (they may be new), slashes merged unless kept.
 */
export function decodeEscapedSlashes(path: string, merge: boolean): string {
  const decoded = removeDotSegments(path.replace(/%(?:2F|5C)/g, '/'));
  return merge ? mergeSlashes(decoded) : decoded;
}

/**
 * For a path kept with its encoded slashes: an upstream that decodes them
 * must not find dot segments that take it above the root or out of a base
 * path ("/..%2F..%2Fetc"). Throws 400 when it would.
 */
export function checkKeptEscapes(path: string): void {
  if (!ENCODED_SLASH.test(path)) return;
  const decoded = path.replace(/%(?:2F|5C)/g, '/');
  if (/(?:^|\/)\.\.?(?:\/|$)/.test(decoded))
    throw bad('The path holds dot segments behind encoded slashes ("..%2F"), which upstreams read differently.');
}

/**
 * The parameters (";…") of each segment removed, slashes merged: the form
 * access rules compare with, so a rule on /admin/* covers /admin;x/secret
 * (RFC 3986 §3.3 lets a segment carry parameters; many servers drop them).
 */
export function decisionPath(path: string): string {
  const merged = mergeSlashes(path);
  return merged.includes(';') ? merged.replace(/;[^/]*/g, '') : merged;
}

/**
 * The canonical target of a request line's target (`req.url`). Throws a 400
 * StatusError (with Connection: close) for a target no URI reading can serve.
 */
export function canonicalTarget(url: string, method: string): CanonicalTarget {
  let authority: string | undefined;
  let rest = url;
  if (url.charCodeAt(0) !== 47 /* / */) {
    if (url === '*') {
      // RFC 9112 §3.2.4: the asterisk-form is only used for a server-wide OPTIONS request.
      if (method !== 'OPTIONS') throw bad(`The target "*" is only for OPTIONS, not ${method} (RFC 9112 §3.2.4).`);
      return { path: '*', slashes: '*', search: '', authority: undefined };
    }
    const abs = ABSOLUTE.exec(url);
    // RFC 9112 §3.2.3: authority-form is for CONNECT (answered 501 before any guard).
    if (!abs) throw bad('The request target must be a path ("/…") or an absolute http(s) URI (RFC 9112 §3.2).');
    authority = abs[2]!;
    // RFC 9110 §4.2.1: an http(s) URI with an empty host MUST be rejected; §4.2.4: userinfo is an error.
    if (authority === '' || authority.startsWith(':'))
      throw bad('The absolute-form target names no host (RFC 9110 §4.2.1).');
    if (authority.includes('@')) throw bad('The absolute-form target carries userinfo (RFC 9110 §4.2.4).');
    rest = url.slice(abs[0].length);
    if (rest === '' || rest.charCodeAt(0) === 63 /* ? */) rest = `/${rest}`;
  }
  const q = rest.indexOf('?');
  const rawPath = q === -1 ? rest : rest.slice(0, q);
  const search = q === -1 ? '' : rest.slice(q + 1);
  if (search !== '') checkQuery(search);
  const slashes = removeDotSegments(normalisePercent(rawPath));
  return { path: mergeSlashes(slashes), slashes, search, authority };
}
