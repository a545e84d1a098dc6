import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { renderError, StatusError } from '../../../src/errors.ts';

/** One parsed HTTP/1.1 response as it came off the wire. */
export interface RawResponse {
  status: number;
  reason: string;
  /** Lower-case field names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  body: Buffer;
  /** Interim (1xx) responses received before this one. */
  interim: { status: number; headers: Record<string, string> }[];
}

function parseHead(text: string): { status: number; reason: string; headers: Record<string, string> } {
  const [line = '', ...fields] = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(line);
  if (!m) throw new Error(`Not an HTTP/1.x status line: ${JSON.stringify(line)}`);
  const headers: Record<string, string> = {};
  for (const f of fields) {
    const colon = f.indexOf(':');
    const name = f.slice(0, colon).trim().toLowerCase();
    const value = f.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), reason: m[2] ?? '', headers };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol === -1) throw new Error('Truncated chunked body');
    const size = Number.parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (size === 0) return Buffer.concat(parts);
    parts.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
}

/** Parses the bytes of one exchange (interim answers, then the final one). */
export function parseResponse(data: Buffer, method = 'GET'): RawResponse {
  const interim: RawResponse['interim'] = [];
  let at = 0;
  for (;;) {
    const end = data.indexOf('\r\n\r\n', at);
    if (end === -1) throw new Error(`No complete response head in ${JSON.stringify(data.toString('latin1'))}`);
    const head = parseHead(data.subarray(at, end).toString('latin1'));
    at = end + 4;
    if (head.status >= 100 && head.status < 200 && head.status !== 101) {
      interim.push({ status: head.status, headers: head.headers });
      continue;
    }
    const rest = data.subarray(at);
    const bodiless = method === 'HEAD' || head.status === 204 || head.status === 304 || head.status === 101;
    let body = bodiless ? Buffer.alloc(0) : rest;
    if (!bodiless && head.headers['transfer-encoding']?.includes('chunked')) body = dechunk(rest);
    else if (!bodiless && head.headers['content-length'] !== undefined) {
      body = rest.subarray(0, Number(head.headers['content-length']));
    }
    return { ...head, body, interim };
  }
}

/**
 * Sends exact bytes to 127.0.0.1:port and reads until the server closes the
 * connection (send `Connection: close`). Returns every byte received.
 */
export async function rawBytes(port: number, request: string | Buffer): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => chunks.push(c));
  await once(socket, 'connect');
  socket.write(request);
  await once(socket, 'close');
  return Buffer.concat(chunks);
}

/** Sends a request as exact bytes and parses the answer. */
export async function raw(port: number, request: string): Promise<RawResponse> {
  const method = request.slice(0, request.indexOf(' '));
  return parseResponse(await rawBytes(port, request), method);
}

/** A request in wire form with Host and Connection: close added. */
export function wire(method: string, path: string, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close'];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  if (body !== '' && headers['Content-Length'] === undefined && headers['Transfer-Encoding'] === undefined) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

export interface Listening {
  server: Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, port 0, and returns how to reach and stop the server. */
export async function listen(server: Server): Promise<Listening> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A bare node:http server for testing handler helpers on their own: it runs
 * one handler and renders a thrown StatusError as the contract's error body.
 */
export function helperServer(handler: (ctx: { req: IncomingMessage; res: ServerResponse }) => void | Promise<void>) {
  return listen(
    createServer(async (req, res) => {
      try {
        await handler({ req, res });
      } catch (err) {
        if (!(err instanceof StatusError)) throw err;
        const out = renderError(err, { requestId: 'test', accept: req.headers.accept });
        res.writeHead(out.status, { ...err.headers, 'Content-Type': out.contentType });
        res.end(out.body);
      }
    }),
  );
}
