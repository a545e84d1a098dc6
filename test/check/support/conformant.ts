import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { errorCodeFor } from '../../../src/catalog/index.ts';
import type { TargetDescription } from '../../../src/check/target.ts';
import { canonical } from './canonical.ts';

/**
 * A small node:http server written by hand to follow the contract on the
 * routes of TARGET — the proof that every applicable probe can pass. It shares
 * no code with statuskit's front on purpose.
 */
export const TARGET: TargetDescription = {
  resource: '/r',
  collection: '/c',
  validBody: { name: 'ok' },
  invalidBody: { name: 42 },
  bodyLimit: 100,
  requiresLength: true,
  getOnly: '/g',
  blob: '/b',
  redirect: '/x',
  error: '/e',
  jsonOnly: '/j',
  slow: '/s',
  limited: '/l',
  protected: '/p',
  unavailable: '/m',
  websocket: '/w',
};

const URI_LIMIT = 8192;
const KNOWN = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);
const ROUTES: Record<string, readonly string[]> = {
  '/r': ['GET', 'HEAD', 'PUT'],
  '/c': ['POST'],
  '/g': ['GET', 'HEAD'],
  '/b': ['GET', 'HEAD'],
  '/x': ['GET', 'HEAD'],
  '/e': ['GET', 'HEAD'],
  '/j': ['GET', 'HEAD'],
  '/s': ['GET', 'HEAD'],
  '/l': ['GET', 'HEAD'],
  '/p': ['GET', 'HEAD'],
  '/m': ['GET', 'HEAD'],
};
const ETAG = '"v1"';
const MODIFIED = 'Mon, 02 Nov 2026 10:00:00 GMT';
const RESOURCE = '{"name":"ok"}';
const BLOB = 'abcdefghij';

/** One way to break the contract, so a test can show the probe that must catch it. */
export type Defect =
  | 'no-allow-405'
  | 'no-allow-options'
  | 'leak-500'
  | 'late-413'
  | 'head-body'
  | 'wrong-error-code'
  | 'no-request-id-echo'
  | 'no-continue'
  | 'bad-content-range'
  | 'no-location-201'
  | 'no-etag-304'
  | 'no-retry-after'
  | 'no-problem-json'
  | 'http2-as-400'
  | 'bad-retry-after'
  | 'bad-location'
  | 'payment-for-500'
  | 'bad-websocket-accept'
  | 'head-no-etag'
  | 'no-challenge';

const DEFECTS = new WeakMap<object, ReadonlySet<Defect>>();
function has(req: IncomingMessage, defect: Defect): boolean {
  return DEFECTS.get((req.socket as Socket & { server: object }).server)?.has(defect) === true;
}

function errorText(status: number, msg: string, id: string, accept = '', wrongCode = false): [string, string] {
  const code = wrongCode ? `ERR${status}` : errorCodeFor(status);
  if (accept.includes('application/problem+json')) {
    return [
      'application/problem+json',
      JSON.stringify({ type: 'about:blank', title: msg, status, detail: msg, error_code: code, request_id: id }),
    ];
  }
  return ['application/json', JSON.stringify({ error_code: code, error_msg: msg, request_id: id })];
}

function rawError(socket: Socket, status: number, reason: string, msg: string): void {
  const id = randomUUID();
  const [type, body] = errorText(status, msg, id);
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function fail(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  msg: string,
  headers: Record<string, string> = {},
) {
  const id = res.getHeader('x-request-id') as string;
  const accept = has(req, 'no-problem-json') ? '' : req.headers.accept;
  const [type, body] = errorText(status, msg, id, accept, has(req, 'wrong-error-code'));
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** Refusals decided on the header section alone; true when the request was answered. */
function refuseEarly(req: IncomingMessage, res: ServerResponse): boolean {
  const refuse = (...args: Parameters<typeof fail>): true => {
    fail(...args);
    return true;
  };
  const path = (req.url ?? '/').split('?')[0] as string;
  if (req.httpVersionMajor !== 1 && has(req, 'http2-as-400')) return refuse(req, res, 400, 'Bad version.');
  if (req.httpVersionMajor !== 1) return refuse(req, res, 505, 'Only HTTP/1.0 and HTTP/1.1.');
  if ((req.url ?? '').length > URI_LIMIT) return refuse(req, res, 414, 'URI too long.');
  if (!KNOWN.has(req.method ?? '')) return refuse(req, res, 501, 'Method not implemented.');
  const methods = ROUTES[path];
  if (!methods) return refuse(req, res, 404, 'No such route.');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, has(req, 'no-allow-options') ? {} : { Allow: [...methods, 'OPTIONS'].join(', ') }).end();
    return true;
  }
  if (!methods.includes(req.method as string)) {
    const allow: Record<string, string> = has(req, 'no-allow-405') ? {} : { Allow: [...methods, 'OPTIONS'].join(', ') };
    return refuse(req, res, 405, 'Method not allowed.', allow);
  }
  const expect = req.headers.expect;
  if (expect !== undefined && expect.toLowerCase() !== '100-continue')
    return refuse(req, res, 417, 'Unknown expectation.');
  if (path === '/c') {
    const length = req.headers['content-length'];
    if (length === undefined) return refuse(req, res, 411, 'Content-Length required.');
    if (Number(length) > 100 && !has(req, 'late-413')) {
      fail(req, res, 413, 'Body over 100 bytes.', { Connection: 'close' });
      req.socket.destroySoon();
      return true;
    }
    if (!req.headers['content-type']?.startsWith('application/json')) {
      return refuse(req, res, 415, 'JSON only.', { 'Accept-Post': 'application/json' });
    }
  }
  return false;
}

function handle(req: IncomingMessage, res: ServerResponse, body: string): void {
  const path = (req.url ?? '/').split('?')[0] as string;
  const h = req.headers;
  if (path === '/c') {
    if (Buffer.byteLength(body) > 100) return void fail(req, res, 413, 'Body over 100 bytes.');
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      return void fail(req, res, 400, 'Malformed JSON.');
    }
    if (typeof (value as { name?: unknown }).name !== 'string')
      return void fail(req, res, 422, '"name" must be a string.');
    const location = has(req, 'no-location-201') ? {} : { Location: '/r' };
    res.writeHead(201, { ...location, 'Content-Type': 'application/json' }).end(body);
  } else if (path === '/r') {
    if (req.method === 'PUT') {
      if (h['if-match'] !== undefined && h['if-match'] !== ETAG)
        return void fail(req, res, 412, 'If-Match does not hold.');
      return void res.writeHead(204).end();
    }
    const headers: Record<string, string> = {
      ETag: ETAG,
      'Last-Modified': MODIFIED,
      'Content-Type': 'application/json',
    };
    if (req.method === 'HEAD' && has(req, 'head-no-etag')) delete headers.ETag;
    if (h['if-none-match'] === ETAG || (!h['if-none-match'] && h['if-modified-since'] === MODIFIED)) {
      return void res.writeHead(304, has(req, 'no-etag-304') ? {} : { ETag: ETAG, 'Last-Modified': MODIFIED }).end();
    }
    if (req.method === 'HEAD' && has(req, 'head-body')) {
      // Written on the socket, past node:http, which would drop a HEAD body.
      const id = res.getHeader('x-request-id');
      const head = `ETag: ${ETAG}\r\nLast-Modified: ${MODIFIED}\r\nContent-Type: application/json\r\nX-Request-Id: ${id}`;
      req.socket.end(`HTTP/1.1 200 OK\r\n${head}\r\nContent-Length: ${RESOURCE.length}\r\n\r\n${RESOURCE}`);
      return;
    }
    res
      .writeHead(200, { ...headers, 'Content-Length': RESOURCE.length })
      .end(req.method === 'HEAD' ? undefined : RESOURCE);
  } else if (path === '/b') {
    const range = /^bytes=(\d+)-(\d*)$/.exec(h.range ?? '');
    if (!range) return void res.writeHead(200, { 'Accept-Ranges': 'bytes' }).end(BLOB);
    const first = Number(range[1]);
    const last = Math.min(range[2] ? Number(range[2]) : BLOB.length - 1, BLOB.length - 1);
    if (first >= BLOB.length)
      return void fail(req, res, 416, 'Range outside.', { 'Content-Range': `bytes */${BLOB.length}` });
    const span = has(req, 'bad-content-range') ? `${first}-${last}` : `bytes ${first}-${last}/${BLOB.length}`;
    res.writeHead(206, { 'Content-Range': span, 'Accept-Ranges': 'bytes' });
    res.end(BLOB.slice(first, last + 1));
  } else if (path === '/x') {
    res.writeHead(302, { Location: has(req, 'bad-location') ? '/g<script>' : '/g' }).end();
  } else if (path === '/e') {
    const leak = 'TypeError: boom\n    at handler (/srv/app/src/server.js:10:5)';
    if (has(req, 'payment-for-500')) return void fail(req, res, 402, 'Pay first.');
    fail(req, res, 500, has(req, 'leak-500') ? leak : 'The handler failed; the incident is logged.');
  } else if (path === '/j') {
    if (h.accept && !/application\/json|\*\/\*/.test(h.accept)) return void fail(req, res, 406, 'JSON only.');
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  } else if (path === '/s') {
    const ms = Number(h['x-request-timeout'] ?? 10_000);
    setTimeout(() => (res.headersSent ? undefined : fail(req, res, 504, `No answer within ${ms} ms.`)), ms);
  } else if (path === '/l') {
    limited(req, res);
  } else if (path === '/p') {
    fail(req, res, 401, 'Credentials required.', has(req, 'no-challenge') ? {} : { 'WWW-Authenticate': 'Bearer' });
  } else if (path === '/m') {
    fail(req, res, 503, 'In maintenance.', { 'Retry-After': has(req, 'bad-retry-after') ? 'in a minute' : '120' });
  } else {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
  }
}

const served = new WeakMap<object, number>();
function limited(req: IncomingMessage, res: ServerResponse): void {
  // Three requests per server lifetime: enough for a test to reach the limit.
  const server = (req.socket as Socket & { server: object }).server;
  served.set(server, (served.get(server) ?? 0) + 1);
  if ((served.get(server) ?? 0) <= 3) return void res.writeHead(200, { 'Content-Length': 2 }).end('{}');
  fail(req, res, 429, 'Over 3 requests.', {
    ...(has(req, 'no-retry-after') ? {} : { 'Retry-After': has(req, 'bad-retry-after') ? 'in a minute' : '60' }),
    RateLimit: 'limit=3, remaining=0, reset=60',
    'RateLimit-Policy': '3;w=60',
  });
}

/** Starts the conformant server on 127.0.0.1, port 0. Short timeouts make the 408 probes quick. */
export async function startConformant(defects: readonly Defect[] = []): Promise<{ url: string; server: Server }> {
  const server = createServer({
    maxHeaderSize: 32 * 1024,
    headersTimeout: 1000,
    requestTimeout: 2000,
    connectionsCheckingInterval: 100,
    // Host is checked with the other request-line rules (support/canonical.ts), with the error body.
    requireHostHeader: false,
  });
  DEFECTS.set(server, new Set(defects));
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const incoming = req.headers['x-request-id'];
    res.setHeader(
      'X-Request-Id',
      typeof incoming === 'string' && /^[\w.-]{1,64}$/.test(incoming) && !has(req, 'no-request-id-echo')
        ? incoming
        : randomUUID(),
    );
    const canon = canonical(req);
    if ('error' in canon) return fail(req, res, 400, canon.error, { Connection: 'close' });
    req.url = canon.url;
    if (refuseEarly(req, res)) return;
    if (req.headers.expect && !has(req, 'no-continue')) res.writeContinue();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString()));
  };
  server.on('request', onRequest);
  server.on('checkContinue', onRequest);
  server.on('checkExpectation', onRequest);
  server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
    const key = String(req.headers['sec-websocket-key'] ?? '');
    const salt = has(req, 'bad-websocket-accept') ? '' : '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
    const accept = createHash('sha1').update(`${key}${salt}`).digest('base64');
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable) return void socket.destroy();
    const code = err.code ?? '';
    const raw = (err as { rawPacket?: Buffer }).rawPacket?.toString('latin1') ?? '';
    const line = raw.split('\r\n')[0] ?? '';
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT')
      return rawError(socket, 408, 'Request Timeout', 'Request not received in time.');
    if (code === 'HPE_INVALID_METHOD') return rawError(socket, 501, 'Not Implemented', 'Method not implemented.');
    if (code === 'HPE_INVALID_VERSION' || /HTTP\/(?!1\.[01]$)\d\.\d$/.test(line)) {
      return rawError(socket, 505, 'HTTP Version Not Supported', 'Only HTTP/1.0 and HTTP/1.1.');
    }
    if (code === 'HPE_HEADER_OVERFLOW' && line.length > URI_LIMIT)
      return rawError(socket, 414, 'URI Too Long', 'URI too long.');
    rawError(socket, 400, 'Bad Request', 'Malformed request.');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, server };
}
