import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type ParseOptions, parseResponse, type WireResponse } from './reader.ts';

export interface ConnectionOptions {
  /** How long one wait (connect, one response, close) may take, in ms. @default 2000 */
  timeout?: number;
  /** Largest number of bytes read from the peer on this connection. @default 2097152 */
  maxBytes?: number;
  /** For https: the CA to trust (--ca), or no verification at all (--insecure). @default the system's CAs */
  tls?: { ca?: Buffer; rejectUnauthorized?: boolean };
}

/** A wait on the peer ran out of time. */
export class WireTimeout extends Error {
  override readonly name = 'WireTimeout';
}

/** The peer answered bytes that are not HTTP/1.x, closed early, or could not be reached. */
export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/**
 * One client connection over a raw socket (node:net, or node:tls for https).
 * The checker writes the exact bytes of a request and reads responses with
 * its own reader, so malformed requests reach the server unchanged.
 */
export class Connection {
  private buf: Buffer = Buffer.alloc(0);
  private offset = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  readonly bytesLimit: number;
  readonly timeout: number;

  private constructor(
    private readonly socket: Socket,
    options: ConnectionOptions,
  ) {
    this.timeout = options.timeout ?? 2000; // 2 s
    this.bytesLimit = options.maxBytes ?? 2_097_152; // 2 MiB
    socket.on('data', (chunk: Buffer) => {
      this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
      // Past the byte bound the checker stops listening: it never buffers without limit.
      if (this.buf.length > this.bytesLimit) socket.destroy();
      this.notify();
    });
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset after the server answered and closed is how many servers end; keep what arrived.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') this.failure = err;
      this.finish();
    });
  }

  /** Opens a connection to the URL's origin. Rejects with WireError when it cannot be reached. */
  static open(url: URL, options: ConnectionOptions = {}): Promise<Connection> {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const timeout = options.timeout ?? 2000; // 2 s
    return new Promise((resolve, reject) => {
      const socket =
        url.protocol === 'https:'
          ? // RFC 6066 §3: SNI names a host, never an IP address.
            tlsConnect({
              host,
              port,
              ALPNProtocols: ['http/1.1'],
              ...(isIP(host) ? {} : { servername: host }),
              ...options.tls,
            })
          : netConnect({ host, port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new WireTimeout(`no connection to ${url.host} within ${timeout} ms`));
      }, timeout);
      const onError = (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new WireError(`cannot connect to ${url.host}: ${err.code ?? err.message}`, err.code));
      };
      socket.once('error', onError);
      socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(new Connection(socket, options));
      });
    });
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Writes bytes; resolves once they are handed to the kernel (or the peer has gone). */
  write(data: string | Buffer): Promise<void> {
    if (this.ended || this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, () => resolve());
    });
  }

  /** Reads the next response, interim 1xx included. */
  async read(options: Pick<ParseOptions, 'head'> & { timeout?: number } = {}): Promise<WireResponse> {
    const deadline = options.timeout ?? this.timeout;
    return this.until(deadline, () => {
      const result = parseResponse(this.buf, this.offset, {
        head: options.head,
        closed: this.ended,
        maxBodyBytes: this.bytesLimit,
      });
      if (result.kind === 'response') {
        this.offset = result.consumed;
        return result.response;
      }
      if (result.kind === 'invalid') throw new WireError(result.reason);
      if (this.ended) throw new WireError(this.failure ? this.failure.message : 'connection closed with no response');
      return undefined;
    });
  }

  /** Reads responses until a final (non-1xx) one; interim answers are returned alongside. */
  async readFinal(options: Pick<ParseOptions, 'head'> & { timeout?: number } = {}): Promise<{
    interim: WireResponse[];
    final: WireResponse;
  }> {
    const interim: WireResponse[] = [];
    for (;;) {
      const res = await this.read(options);
      // RFC 9110 §15.2: 1xx answers are interim; 101 ends HTTP/1.1 on this connection.
      if (res.status >= 200 || res.status === 101) return { interim, final: res };
      interim.push(res);
    }
  }

  /** Waits for the peer to close; resolves false when it is still open after `ms`. */
  async waitClose(ms = this.timeout): Promise<boolean> {
    try {
      return await this.until(ms, () => (this.ended ? true : undefined));
    } catch (err) {
      if (err instanceof WireTimeout) return false;
      throw err;
    }
  }

  /** Bytes received after the last parsed response (e.g. a body after a HEAD answer). */
  get unread(): number {
    return this.buf.length - this.offset;
  }

  destroy(): void {
    this.socket.destroy();
    this.finish();
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private until<T>(ms: number, attempt: () => T | undefined): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        reject(new WireTimeout(`no answer within ${ms} ms`));
      }, ms);
      const tryNow = () => {
        try {
          const value = attempt();
          if (value === undefined) {
            this.wake = tryNow;
            return;
          }
          clearTimeout(timer);
          resolve(value);
        } catch (err) {
          clearTimeout(timer);
          reject(err);
        }
      };
      tryNow();
    });
  }
}
