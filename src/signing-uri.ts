/**
 * The CanonicalURI and CanonicalQueryString of SDK-HMAC-SHA256, and the request target they
 * are computed from.
 *
 * Two signers in the field disagree on a path that carries percent-escapes:
 * - form 1 (`canonicalUri`): each segment percent-decoded, then encoded — the Go and Python
 *   SDK signers, and statuskit's own signer;
 * - form 2 (`nodeSdkCanonicalUri`): each segment encoded as it stands, so an escape is encoded
 *   again (`%20` → `%2520`) — `AKSKSigner.CanonicalURI` of `@huaweicloud/huaweicloud-sdk-core`
 *   (3.1.211), which encodes `url.parse(endpoint).pathname`.
 * The verifier accepts either (`verifiableUris`), never a path that one signature could
 * cover for two different requests; docs/gateway-limits.md "Request signing" says why.
 */

/** RFC 3986 §2.3: everything but the unreserved characters is percent-encoded (uppercase hex, §2.1). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** decodeURIComponent, or undefined for a stray '%' or an escape that is not UTF-8. */
function decodeStrict(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

// A stray '%' is taken literally, on both sides alike.
const decodeSegment = (segment: string): string => decodeStrict(segment) ?? segment;

const withSlash = (path: string): string => (path.endsWith('/') ? path : `${path}/`);

/** Form 1: each path segment decoded then percent-encoded; the result always ends in "/". */
export function canonicalUri(pathname: string): string {
  return withSlash(pathname.split('/').map(decodeSegment).map(uriEncode).join('/'));
}

/**
 * What node's legacy `url.parse` escapes in a pathname before the Node SDK encodes it
 * (`'` `^` `|` reach the wire bare from its WHATWG-parsing HTTP client). A backslash is
 * escaped too rather than turned into "/" as url.parse does, so `/a\b` never verifies as `/a/b`.
 */
const URL_PARSE_ESCAPES = /[\t\n\r "'<>\\^`{|}]/g;

/**
 * Form 2, the Node SDK's: each segment of the path as sent percent-encoded without decoding
 * it first (an escape's "%" becomes "%25"); the result always ends in "/".
 */
export function nodeSdkCanonicalUri(rawPath: string): string {
  const escaped = rawPath.replace(URL_PARSE_ESCAPES, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return withSlash(escaped.split('/').map(uriEncode).join('/'));
}

/**
 * The canonical URIs a signature over `rawPath` may have been computed on: form 1, and form 2
 * when it differs (at most two HMACs per request).
 *
 * Form 2 of a path P is form 1 of P with every "%" escaped as "%25" — a different resource.
 * So that no signature covers both, a path is refused in form 1 when its decoded segments
 * still hold escapes (a resource literally named `a%20b`, sent as `a%2520b`), and in form 2
 * unless every segment is valid percent-encoded UTF-8. Either check alone leaves one
 * signature valid for two requests; both together leave each signature one request (up to
 * form 1's own equivalences: `%7E` is `~`, `%2B` is `+`). Empty when neither form applies.
 */
export function verifiableUris(rawPath: string): string[] {
  const segments = rawPath.split('/');
  const decoded = segments.map(decodeStrict);
  const uris: string[] = [];
  const ambiguous = decoded.some((d) => d !== undefined && decodeSegment(d) !== d);
  if (!ambiguous) uris.push(canonicalUri(rawPath));
  if (decoded.every((d) => d !== undefined)) {
    const form2 = nodeSdkCanonicalUri(rawPath);
    if (!uris.includes(form2)) uris.push(form2);
  }
  return uris;
}

/** key=value pairs, both encoded, sorted by key then value. */
export function canonicalQueryString(query: URLSearchParams): string {
  const pairs: [string, string][] = [];
  for (const [k, v] of query) pairs.push([uriEncode(k), uriEncode(v)]);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export interface RequestTarget {
  /** The path exactly as written in the target. */
  path: string;
  query: URLSearchParams;
  /** The authority of an absolute URL; undefined for the origin-form. */
  host: string | undefined;
}

const ABSOLUTE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/**
 * Splits a request target. Anything but an absolute URL — the origin-form
 * (`/path?query`, RFC 9112 §3.2.1), or `*` — is taken as the
 * bytes the client sent and signed: no dot-segment removal, no "\" to "/", no "//host"
 * authority, which WHATWG URL parsing would apply (and let `/x`'s signature verify for
 * `//evil/x` or `/a/../x`). An absolute URL (a client signing before it sends) is parsed.
 */
export function requestTarget(url: string | URL): RequestTarget {
  if (typeof url === 'string' && !ABSOLUTE.test(url)) {
    const q = url.indexOf('?');
    return {
      path: q < 0 ? url : url.slice(0, q),
      query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
      host: undefined,
    };
  }
  const parsed = typeof url === 'string' ? new URL(url) : url;
  return { path: parsed.pathname, query: parsed.searchParams, host: parsed.host };
}
