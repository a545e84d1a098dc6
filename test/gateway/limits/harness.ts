/** A small front with the gateway's policies as access guards, and a raw request helper, for tests over real sockets. */
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Profile } from '../../../src/catalog/index.ts';
import { createServer, type Guard, type RequestContext, sendJson } from '../../../src/server/index.ts';

export interface Served {
  port: number;
  close(): Promise<void>;
}

export interface ServeOptions {
  profile?: Profile;
  /** Called by the handler, before it answers; may hold the response open by returning a promise. */
  onRequest?: (ctx: RequestContext) => void | Promise<void>;
}

export async function serve(guards: readonly Guard[], options: ServeOptions = {}): Promise<Served> {
  const answer = async (ctx: RequestContext) => {
    await options.onRequest?.(ctx);
    const principal = ctx.state.principal as { id: string } | undefined;
    sendJson(ctx, 200, { ok: true, principal: principal?.id ?? null });
  };
  const server = createServer({
    profile: options.profile ?? 'generic',
    accessGuards: guards,
    routes: [
      { path: '/items/:id', methods: { GET: answer, PUT: answer, DELETE: answer } },
      { path: '/*', methods: { GET: answer, POST: answer } },
    ],
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json(): Record<string, unknown>;
}

export function send(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (body += c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body) }),
        );
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A clock the test moves by hand (epoch ms). */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
    set(ms: number) {
      now = ms;
    },
  });
}
