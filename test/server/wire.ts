/**
 * Test helpers: start a server on 127.0.0.1:0 and talk to it with raw bytes,
 * parsing the answers by hand so the status line, every header and the
 * connection's fate are visible.
 */
import type { Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { TestContext } from 'node:test';

export async function listen(t: TestContext, server: Server): Promise<number> {
  // Upgraded sockets leave node's connection list; track them all so closing never waits.
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

export interface RawResponse {
  status: number;
  reason: string;
  /** Lower-case names; repeated fields joined with ", ". */
  headers: Record<string, string>;
  body: string;
}

/** A connection that reads answers one at a time. */
export class Wire {
  readonly socket: Socket;
  #buf = Buffer.alloc(0);
  #ended = false;
  #waiters: (() => void)[] = [];
  readonly closed: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      this.socket.on('close', () => {
        this.#ended = true;
        this.#wake();
        resolve();
      });
    });
    this.socket.on('error', () => {});
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  async #more(): Promise<void> {
    if (this.#ended) throw new Error(`Connection closed; unparsed: ${JSON.stringify(this.#buf.toString('latin1'))}`);
    await new Promise<void>((resolve) => this.#waiters.push(resolve));
  }

  send(data: string | Buffer): this {
    this.socket.write(data);
    return this;
  }

  /** The next answer on the connection (1xx included); `head` = no content expected (HEAD). */
  async read(head = false): Promise<RawResponse> {
    let end: number;
    while ((end = this.#buf.indexOf('\r\n\r\n')) === -1) await this.#more();
    const lines = this.#buf.toString('latin1', 0, end).split('\r\n');
    const [, status = '0', reason = ''] = /^HTTP\/1\.[01] (\d{3}) ?(.*)$/.exec(lines[0] ?? '') ?? [];
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const i = line.indexOf(':');
      const k = line.slice(0, i).toLowerCase();
      const v = line.slice(i + 1).trim();
      headers[k] = k in headers ? `${headers[k]}, ${v}` : v;
    }
    this.#buf = this.#buf.subarray(end + 4);
    const code = Number(status);
    let body = '';
    if (!head && code >= 200 && code !== 204 && code !== 304) {
      if (headers['content-length'] !== undefined) {
        const n = Number(headers['content-length']);
        while (this.#buf.length < n) await this.#more();
        body = this.#buf.toString('utf8', 0, n);
        this.#buf = this.#buf.subarray(n);
      } else if (headers['transfer-encoding'] === 'chunked') {
        body = await this.#chunked();
      } else {
        while (!this.#ended) await this.#more().catch(() => {});
        body = this.#buf.toString('utf8');
        this.#buf = Buffer.alloc(0);
      }
    }
    return { status: code, reason, headers, body };
  }

  async #chunked(): Promise<string> {
    let out = '';
    for (;;) {
      let nl: number;
      while ((nl = this.#buf.indexOf('\r\n')) === -1) await this.#more();
      const size = Number.parseInt(this.#buf.toString('latin1', 0, nl), 16);
      while (this.#buf.length < nl + 2 + size + 2) await this.#more();
      out += this.#buf.toString('utf8', nl + 2, nl + 2 + size);
      this.#buf = this.#buf.subarray(nl + 2 + size + 2);
      if (size === 0) return out;
    }
  }

  /** Resolves true when the server closes the connection before any further byte. */
  async closesWithoutMore(): Promise<boolean> {
    await this.closed;
    return this.#buf.length === 0;
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Sends bytes on a new connection and reads one answer. The connection stays open for checks. */
export async function exchange(
  t: TestContext,
  port: number,
  data: string | Buffer,
): Promise<{ res: RawResponse; wire: Wire }> {
  const wire = new Wire(port);
  t.after(() => wire.close());
  wire.send(data);
  return { res: await wire.read(data.toString().startsWith('HEAD ')), wire };
}

/** A request as bytes. */
export function request(
  method: string,
  target: string,
  headers: Record<string, string | number> = {},
  body = '',
): string {
  const all: Record<string, string | number> = { host: 'test', ...headers };
  let head = `${method} ${target} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(all)) head += `${k}: ${v}\r\n`;
  return `${head}\r\n${body}`;
}

/** Checks the contract's error body and its X-Request-Id echo; returns the parsed body. */
export function errorBodyOf(res: RawResponse): { error_code: string; error_msg: string; request_id: string } {
  const body = JSON.parse(res.body) as { error_code: string; error_msg: string; request_id: string };
  if (typeof body.error_msg !== 'string' || body.error_msg === '') throw new Error('error_msg missing');
  if (body.request_id !== res.headers['x-request-id']) throw new Error('request_id does not match X-Request-Id');
  return body;
}
