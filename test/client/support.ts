import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../../src/client/index.ts';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export type Answer = (req: Seen, res: ServerResponse, n: number) => void;

export interface TestServer {
  readonly url: string;
  /** Every request the server received, in order. */
  readonly seen: Seen[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 (port 0) that records each request and answers as the test says. */
export async function startServer(answer: Answer): Promise<TestServer> {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const entry = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(entry);
    answer(entry, res, seen.length);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Sends a JSON error body in the contract's shape (CONTRACT.md §3). */
export function answerError(
  res: ServerResponse,
  status: number,
  headers: Record<string, string> = {},
  body: object = {
    error_code: `SVC.${String(status).padStart(4, '0')}`,
    error_msg: `status ${status}`,
    request_id: 'r-1',
  },
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export interface VirtualClock extends Clock {
  /** Every sleep the client asked for, in ms. */
  readonly sleeps: number[];
}

/** A clock that moves only when the client sleeps: waits take no real time and are asserted exactly. */
export function virtualClock(start = Date.UTC(2026, 0, 1)): VirtualClock {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms, signal) => {
      if (signal?.aborted) throw signal.reason;
      sleeps.push(ms);
      now += ms;
    },
  };
}
