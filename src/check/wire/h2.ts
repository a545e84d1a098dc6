/**
 * `statuskit check --http2`: one probe request as an HTTP/2 stream (RFC
 * 9113) through node:http2's client, on its own session, with what came
 * back shaped like an HTTP/1.1 answer so the verdicts stay the same.
 *
 * What HTTP/2 cannot say is refused with NotOverHttp2, and the runner
 * reports that probe not applicable: another request-line version (505),
 * a Host field written by hand (400 on Host syntax: :authority replaces
 * it, RFC 9113 §8.3.1), a header section left unfinished (HEADERS frames
 * are whole), connection-specific fields (RFC 9113 §8.2.2), and targets
 * with bytes no :path may hold.
 */
import http2 from 'node:http2';
import type { RequestSpec, Sent } from '../exchange.ts';
import { WireError } from './connection.ts';
import type { WireResponse } from './reader.ts';

/** A probe's request that has no HTTP/2 form; the probe is HTTP/1-only. */
export class NotOverHttp2 extends Error {
  override readonly name = 'NotOverHttp2';
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CONNECTION_SPECIFIC = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

export interface H2Options {
  timeout: number;
  maxBytes: number;
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
}

/** Why `spec` cannot go as an HTTP/2 request; undefined when it can. */
function http1Only(spec: RequestSpec): string | undefined {
  if (spec.version !== undefined && spec.version !== 'HTTP/1.1')
    return `HTTP/1-only: the request-line version (${spec.version}) has no HTTP/2 form`;
  if (spec.hosts !== undefined)
    return 'HTTP/1-only: Host lines written by hand (HTTP/2 has :authority, RFC 9113 §8.3.1)';
  if (spec.stallHeaders) return 'HTTP/1-only: an unfinished header section (HEADERS frames are whole)';
  for (const [name] of spec.headers ?? [])
    if (CONNECTION_SPECIFIC.has(name.toLowerCase()) || name.toLowerCase() === 'host')
      return `HTTP/1-only: ${name} is connection-specific (RFC 9113 §8.2.2)`;
  for (const [name] of spec.headers ?? [])
    if (!TOKEN.test(name)) return 'HTTP/1-only: a field name that is no token (HTTP/1 framing; HPACK carries none)';
  if (!/^[\x21-\x7e]+$/.test(spec.target) || spec.target.includes('#'))
    return 'HTTP/1-only: the target holds bytes a :path cannot';
  // RFC 9113 §8.3.1: :path is origin-form, or `*` for OPTIONS; absolute and authority forms are HTTP/1's.
  if (!spec.target.startsWith('/') && !(spec.target === '*' && spec.method === 'OPTIONS'))
    return 'HTTP/1-only: a request target other than origin-form (RFC 9113 §8.3.1)';
  if (spec.method === 'CONNECT') return 'HTTP/1-only: CONNECT has another form in HTTP/2 (RFC 9113 §8.5)';
  return undefined;
}

function connect(url: URL, o: H2Options): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { ...(o.tls ?? {}) });
    const timer = setTimeout(() => {
      session.destroy();
      reject(new WireError(`no HTTP/2 session with ${url.host} within ${o.timeout} ms`));
    }, o.timeout);
    session.once('connect', () => {
      clearTimeout(timer);
      session.off('error', onError);
      session.on('error', () => {});
      resolve(session);
    });
    const onError = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new WireError(`cannot open an HTTP/2 session with ${url.host}: ${err.code ?? err.message}`, err.code));
    };
    session.once('error', onError);
  });
}

/** Opens a session and closes it: whether the origin speaks HTTP/2 at all. */
export async function reachHttp2(url: URL, o: H2Options): Promise<void> {
  (await connect(url, o)).close();
}

/** Sends one request as an HTTP/2 stream; see ../exchange.ts `send` for the contract. */
export async function sendH2(url: URL, spec: RequestSpec, o: H2Options): Promise<Sent> {
  const why = http1Only(spec);
  if (why) throw new NotOverHttp2(why);
  const session = await connect(url, o);
  const body = spec.body === undefined ? undefined : Buffer.from(spec.body);
  const mode = spec.bodyMode ?? 'send';
  const headers: http2.OutgoingHttpHeaders = { ':method': spec.method, ':path': spec.target };
  for (const [name, value] of spec.headers ?? []) {
    const key = name.toLowerCase();
    const prev = headers[key];
    headers[key] = prev === undefined ? value : ([] as string[]).concat(prev as string, value);
  }
  const interim: WireResponse[] = [];
  let error: string | undefined;
  let closed = false;
  const res = await new Promise<WireResponse | undefined>((resolve) => {
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body === undefined && mode === 'send' });
    } catch (err) {
      error = (err as Error).message;
      resolve(undefined);
      return;
    }
    // Whether this side ended its half of the stream (the body sent in full, or none to send).
    let ended = body === undefined && mode === 'send';
    const end = (data: Buffer): void => {
      ended = true;
      stream.end(data);
    };
    const chunks: Buffer[] = [];
    let size = 0;
    let head: http2.IncomingHttpHeaders | undefined;
    const timer = setTimeout(() => {
      error = `no answer within ${spec.timeout ?? o.timeout} ms`;
      finish();
    }, spec.timeout ?? o.timeout);
    const finish = (): void => {
      clearTimeout(timer);
      if (!head) {
        resolve(undefined);
        return;
      }
      const list: [string, string][] = [];
      for (const [k, v] of Object.entries(head)) {
        if (k.startsWith(':')) continue;
        for (const item of Array.isArray(v) ? v : [v]) list.push([k, String(item)]);
      }
      const status = Number(head[':status']);
      resolve({
        statusLine: `HTTP/2 ${status}`,
        version: 'HTTP/2',
        status,
        reason: '',
        headers: list,
        body: Buffer.concat(chunks),
        framing: 'length',
        truncated: size > o.maxBytes,
      });
    };
    stream.on('continue', () => {
      interim.push({
        statusLine: 'HTTP/2 100',
        version: 'HTTP/2',
        status: 100,
        reason: '',
        headers: [],
        body: Buffer.alloc(0),
        framing: 'none',
        truncated: false,
      });
      if (mode === 'after-continue' && body) end(body);
    });
    stream.on('response', (h) => (head = h));
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= o.maxBytes) chunks.push(c);
    });
    stream.on('close', () => {
      // The server reset the stream before this side ended it (RFC 9113 §8.1: "stop sending"):
      // the HTTP/2 form of a connection closed with the body unread.
      closed = stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR || !ended;
      finish();
    });
    stream.on('error', (err: Error) => {
      error ??= err.message;
    });
    if (body && mode === 'send') end(body);
    else if (body && mode === 'partial') stream.write(body.subarray(0, Math.floor(body.length / 2)));
  });
  session.destroy();
  const shown = `${spec.method} ${spec.target} HTTP/2\r\n${(spec.headers ?? []).map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  const observe = (r: WireResponse) => ({
    statusLine: r.statusLine,
    status: r.status,
    headers: r.headers,
    bodyBytes: r.body.length,
    bodyPreview: r.body.subarray(0, 2048).toString('utf8'),
  });
  const sentBody = body && (mode === 'send' || (mode === 'after-continue' && interim.length > 0));
  return {
    res,
    interim,
    exchange: {
      request: `${shown}${sentBody ? body.toString('utf8').slice(0, 512) : ''}`,
      interim: interim.map(observe),
      ...(res ? { response: observe(res) } : {}),
      extraBytes: 0,
      closed,
      ...(error && !res ? { error } : {}),
    },
  };
}
