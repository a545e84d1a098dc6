import type { PreparedBody } from './body.ts';

/** The request one hop of a call sends. */
export interface Hop {
  readonly url: URL;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body: PreparedBody;
  /** Still on the origin the call started at: signing and Authorization apply only there. */
  readonly home: boolean;
}

const NO_BODY: PreparedBody = { data: null, replayable: true, contentType: undefined };
const CONTENT_HEADERS = ['content-type', 'content-length', 'content-encoding', 'content-language', 'content-location'];
/** Credentials another origin must never see (Fetch standard, HTTP-redirect fetch step 13). */
const ORIGIN_BOUND = ['authorization', 'proxy-authorization', 'cookie'];

export type RedirectResult = { readonly hop: Hop } | { readonly refused: string };

/**
 * The request that follows a 301/302/303/307/308 (or a 300 naming a
 * preferred choice), or why it must not be followed. `visited` holds the
 * method and URL of every hop so far, to catch loops.
 */
export function nextHop(
  status: number,
  location: string,
  from: Hop,
  visited: Set<string>,
  maxRedirects: number,
): RedirectResult {
  if (visited.size > maxRedirects) return { refused: `More than ${maxRedirects} redirects (maxRedirects); giving up.` };
  let url: URL;
  try {
    // RFC 9110 §10.2.2: a relative Location is resolved against the target URI.
    url = new URL(location, from.url);
  } catch {
    return { refused: `The Location "${location}" is not a valid URI reference.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { refused: `The Location "${url.href}" is not an http(s) URI; not followed.` };
  }
  // RFC 9110 §10.2.2: the original fragment carries over when Location has none.
  if (!url.hash && from.url.hash) url.hash = from.url.hash;
  // RFC 9110 §15.4.4: 303 is answered with GET (HEAD stays HEAD); §15.4.2/§15.4.3 note that
  // user agents turn a POST into GET on 301/302, as the Fetch standard requires.
  const toGet =
    (status === 303 && from.method !== 'GET' && from.method !== 'HEAD') ||
    ((status === 301 || status === 302) && from.method === 'POST');
  const method = toGet ? 'GET' : from.method;
  const headers = { ...from.headers };
  if (toGet) for (const name of CONTENT_HEADERS) delete headers[name];
  const body = toGet ? NO_BODY : from.body;
  const sameOrigin = url.origin === from.url.origin;
  if (!sameOrigin) {
    for (const name of ORIGIN_BOUND) delete headers[name];
    // RFC 9110 §15.4.8/§15.4.9: 307/308 must not change the request, so its body would go
    // to the other origin; the client never sends a request body across origins.
    if (body.data !== null) {
      return {
        refused: `The ${status} redirect to another origin (${url.origin}) would resend the request body there; not followed.`,
      };
    }
  }
  if (!body.replayable) {
    return {
      refused: `The ${status} redirect needs the request body again, but it was a stream that is already sent.`,
    };
  }
  const key = `${method} ${url.href}`;
  if (visited.has(key)) return { refused: `Redirect loop: ${method} ${url.href} was already requested in this call.` };
  visited.add(key);
  return { hop: { url, method, headers, body, home: from.home && sameOrigin } };
}
