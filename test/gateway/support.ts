/**
 * Shared pieces of the gateway tests: a real upstream on a free loopback
 * port, a gateway in this process with its logs captured, and a raw HTTP/1.1
 * exchange over node:net for the cases where the bytes matter.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { checkGatewayConfig } from '../../src/gateway/config/index.ts';
import { createGateway, type Gateway, type GatewayOptions } from '../../src/gateway/gateway.ts';

export interface Upstream {
  server: Server;
  url: string;
  port: number;
  /** Requests received, in order (method and url). */
  seen: { method: string; url: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

export async function startUpstream(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

export interface RunningGateway {
  gw: Gateway;
  url: string;
  port: number;
  adminUrl: string | undefined;
  /** Parsed JSON log lines. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A gateway on port 0 (admin on port 0 too) with the given routes and options. */
export async function startGateway(
  raw: Record<string, unknown>,
  options: GatewayOptions = {},
): Promise<RunningGateway> {
  const config = checkGatewayConfig({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    ...raw,
  });
  const logs: Record<string, unknown>[] = [];
  const gw = createGateway(config, {
    logStream: {
      // Access lines arrive in batches: one JSON document per line.
      write: (text: string) => {
        for (const line of text.split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
    ...options,
  });
  const { url, adminUrl } = await gw.listen();
  return {
    gw,
    url,
    port: Number(new URL(url).port),
    adminUrl,
    logs,
    close: async () => {
      await gw.shutdown(0);
    },
  };
}

/** Polls every 10 ms until `check` holds; the 10 s limit only keeps a broken build from hanging the suite. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`Never happened: ${what}.`);
}

export interface RawResponse {
  /** Everything the server sent before closing (or before `until` matched). */
  text: string;
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Whether the server closed the connection. */
  closed: boolean;
}

export function parseRaw(text: string, closed: boolean): RawResponse {
  const end = text.indexOf('\r\n\r\n');
  const head = end === -1 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) {
      const k = line.slice(0, i).trim().toLowerCase();
      headers[k] = headers[k] === undefined ? line.slice(i + 1).trim() : `${headers[k]}, ${line.slice(i + 1).trim()}`;
    }
  }
  return {
    text,
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: end === -1 ? '' : text.slice(end + 4),
    closed,
  };
}

/**
 * Sends raw bytes and collects the answer until the server closes, `until`
 * matches the text so far, or `ms` passed (then whatever arrived).
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  until?: (text: string) => boolean,
  ms = 5_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let text = '';
    let done = false;
    const finish = (closed: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseRaw(text, closed));
    };
    const timer = setTimeout(() => finish(false), ms);
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      if (until?.(text)) finish(false);
    });
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', (err) => (done ? undefined : text ? finish(true) : reject(err)));
  });
}

/** A complete message by Content-Length (for `until`). */
export function completeByLength(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, end));
  return m !== null && text.length - end - 4 >= Number(m[1]);
}
