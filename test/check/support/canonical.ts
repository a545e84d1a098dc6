import type { IncomingMessage } from 'node:http';

/**
 * The conformant server's request-line and Host rules, written by hand from
 * the RFCs (no code shared with statuskit's front): the reason a request is
 * a 400, or the canonical path it is routed on.
 */

// RFC 9110 §7.2: Host = uri-host [ ":" port ]; uri-host = IP-literal / IPv4address / reg-name (RFC 3986 §3.2.2).
const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|%[0-9A-Fa-f]{2})+)(?::\d*)?$/;
// RFC 3986 §3.3 pchar, "/" and "?" for the query: nothing else may appear raw in a target.
const TARGET_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*$/;

function hostProblem(req: IncomingMessage): string | undefined {
  const hosts: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'host') hosts.push(req.rawHeaders[i + 1] ?? '');
  }
  // RFC 9112 §3.2: no Host on HTTP/1.1, more than one Host line, or an invalid value is a 400.
  if (hosts.length === 0) return req.httpVersion === '1.1' ? 'Host is missing.' : undefined;
  if (hosts.length > 1) return 'More than one Host line.';
  if (!HOST.test(hosts[0] as string)) return 'Host is not an authority.';
  return undefined;
}

/** RFC 3986 §5.2.4 remove_dot_segments, except that climbing above the root is an error. */
function resolveDots(path: string): string | undefined {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  for (const [i, seg] of segments.entries()) {
    const last = i === segments.length - 1;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
      if (last) out.push('');
    } else if (seg === '.') {
      if (last) out.push('');
    } else out.push(seg);
  }
  return `/${out.join('/')}`;
}

/** The reason a request is a 400, or its canonical path (and query) to route on. */
export function canonical(req: IncomingMessage): { error: string } | { url: string } {
  const host = hostProblem(req);
  if (host) return { error: host };
  const te = req.headers['transfer-encoding'];
  // RFC 9112 §6.3: a Transfer-Encoding that does not end in chunked leaves the length unknown.
  if (te !== undefined && !/(?:^|,)\s*chunked\s*$/i.test(te))
    return { error: 'Transfer-Encoding must end in chunked.' };
  let target = req.url ?? '';
  // RFC 9112 §3.2.4: asterisk-form is for OPTIONS only.
  if (target === '*') return req.method === 'OPTIONS' ? { url: '*' } : { error: 'The asterisk-form is for OPTIONS.' };
  // RFC 9112 §3.2.2: absolute-form is accepted; its path is routed.
  const absolute = /^https?:\/\/[^/?#]*/i.exec(target);
  if (absolute) target = target.slice(absolute[0].length) || '/';
  if (!target.startsWith('/') || !TARGET_CHARS.test(target)) return { error: 'The request target is malformed.' };
  const q = target.indexOf('?');
  const rawPath = q === -1 ? target : target.slice(0, q);
  // RFC 3986 §2.1: "%" HEXDIG HEXDIG, and no %00; %2F would change the segments, ";" their meaning.
  if (/%(?![0-9A-Fa-f]{2})|%00|%2f|\/\/|;/i.test(rawPath)) return { error: 'The path is malformed.' };
  // RFC 3986 §6.2.2.2: percent-encoded unreserved characters are the characters themselves.
  const decoded = rawPath.replace(/%([0-9A-Fa-f]{2})/g, (m, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : m;
  });
  const path = resolveDots(decoded);
  if (path === undefined) return { error: 'The path climbs above the root.' };
  return { url: q === -1 ? path : `${path}${target.slice(q)}` };
}
