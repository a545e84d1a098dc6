/**
 * One server of the gateway benchmark, run as its own child process:
 *   node --import tsx bench/gateway/servers.ts <kind> <upstream-url>
 * Prints `listening <port>` once it accepts connections.
 * Kinds: upstream, statuskit, undici-proxy, undici-proxy-fields, fast-gateway, fastify-http-proxy.
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

/**
 * statuskit as users run it: the compiled dist/ when it was built (npm run bench builds it),
 * else the TypeScript source through tsx (whose helpers cost a little on the hot path).
 */
const DIST = new URL('../../dist/gateway/index.js', import.meta.url);
const { checkGatewayConfig, createGateway } = (
  existsSync(fileURLToPath(DIST)) ? await import(DIST.href) : await import('../../src/gateway/index.ts')
) as typeof import('../../src/gateway/index.ts');
const POLICIES = new URL('../../dist/gateway/policies/index.js', import.meta.url);
const { createRateLimitGuard } = (
  existsSync(fileURLToPath(POLICIES))
    ? await import(POLICIES.href)
    : await import('../../src/gateway/policies/index.ts')
) as typeof import('../../src/gateway/policies/index.ts');

const [kind = 'upstream', upstream = ''] = process.argv.slice(2);

const BODY = JSON.stringify({ id: 'example', partitions: 1, retention_hours: 24, status: 'ACTIVE' });

function report(server: Server): void {
  console.log(`listening ${(server.address() as AddressInfo).port}`);
}

async function listen(server: Server): Promise<void> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  report(server);
}

/** The shared upstream: a small JSON answer to anything, keep-alive. */
async function startUpstream(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(BODY) });
    res.end(BODY);
  });
  server.keepAliveTimeout = 60_000; // 60 s: the proxies keep their pools warm
  await listen(server);
}

/**
 * The statuskit gateway with everything on: every front guard, the policy
 * guards (rate limit, load shedding, body budget), JSON access logging to
 * stdout (the parent discards it) and metrics. The rate limit is the guard
 * the configuration builds, keyed per client connection: a policy is capped
 * at 10,000 requests per second per key, which one load-generating client
 * address would pass, and 429s are cheaper to answer than forwarded
 * requests — the numbers would flatter statuskit.
 */
async function startStatuskit(): Promise<void> {
  const config = checkGatewayConfig({
    listen: { host: '127.0.0.1', port: 0 },
    admin: { host: '127.0.0.1', port: 0 },
    routes: [{ path: '/', targets: [upstream], connections: 128 }],
    policies: {
      shed: { maxInFlight: 10_000 },
      bodyBudget: { maxBytes: '256mb' },
    },
  });
  // One key per client connection: 50 keys at a few hundred requests per second each.
  const rate = createRateLimitGuard({
    policy: { name: 'bench', limit: 10_000, window: 1 },
    key: (ctx) => `conn:${ctx.req.socket.remotePort}`,
  });
  const gateway = createGateway(config, { accessGuards: [rate] });
  const { url, adminUrl } = await gateway.listen();
  // The admin port too: bench/dashboard.ts opens dashboards on it.
  console.log(`listening ${new URL(url).port} admin ${new URL(adminUrl ?? url).port}`);
}

const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'te', 'proxy-connection']);

/**
 * The fields statuskit adds to every forwarded exchange, which the
 * `undici-proxy-fields` kind adds too: RFC 9110 §7.6.3 Via both ways,
 * X-Forwarded-For/-Proto/-Host, X-Request-Id both ways, and the RateLimit
 * fields of an allowed answer. The gap between the two minimal proxies is
 * what those fields cost by themselves; the rest of the gap to statuskit is
 * statuskit's own machinery (guards, limiter, log, metrics).
 */
const ID_PREFIX = 'bench0123456789a-';
let idSeq = 0;

/** The least a streaming undici proxy can do: copy headers, dispatch, stream the answer back. */
async function startUndiciProxy(withFields: boolean): Promise<void> {
  const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
  const server = createServer((req: IncomingMessage, res) => {
    const headers: Record<string, string | string[]> = {};
    for (const k in req.headers) if (!HOP.has(k)) headers[k] = req.headers[k] as string | string[];
    const id = withFields ? ID_PREFIX + (++idSeq).toString(36) : '';
    if (withFields) {
      headers.via = '1.1 statuskit';
      headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
      headers['x-forwarded-proto'] = 'http';
      headers['x-forwarded-host'] = req.headers.host ?? '';
      headers['x-request-id'] = id;
    }
    const hasBody = req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
    pool.dispatch(
      { path: req.url ?? '/', method: req.method as 'GET', headers, body: hasBody ? req : null },
      {
        onRequestStart() {},
        onResponseStart(_c, status, h) {
          const out: Record<string, string | string[]> = {};
          for (const k in h) if (!HOP.has(k)) out[k] = h[k] as string | string[];
          if (withFields) {
            out.via = '1.1 statuskit';
            out['x-request-id'] = id;
            out['ratelimit-policy'] = '"bench";q=10000;w=1';
            out.ratelimit = `"bench";r=${9999 - (idSeq % 10_000)};t=1`;
          }
          res.writeHead(status, out);
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) {
            c.pause();
            res.once('drain', () => c.resume());
          }
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError(_c, err) {
          if (res.headersSent) res.destroy();
          else {
            res.statusCode = 502;
            res.end(err.message);
          }
        },
      },
    );
  });
  await listen(server);
}

async function startFastGateway(): Promise<void> {
  const { default: gateway } = (await import('fast-gateway')) as unknown as {
    default: (o: unknown) => { start(port: number, host?: string): Promise<Server> };
  };
  const server = await gateway({ routes: [{ prefix: '', target: upstream }] }).start(0, '127.0.0.1');
  report(server);
}

async function startFastifyProxy(): Promise<void> {
  const { default: Fastify } = await import('fastify');
  const { default: proxy } = await import('@fastify/http-proxy');
  const app = Fastify({ logger: false });
  await app.register(proxy, { upstream, prefix: '/', http2: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  report(app.server);
}

const starters: Record<string, () => Promise<void>> = {
  upstream: startUpstream,
  statuskit: startStatuskit,
  'undici-proxy': () => startUndiciProxy(false),
  'undici-proxy-fields': () => startUndiciProxy(true),
  'fast-gateway': startFastGateway,
  'fastify-http-proxy': startFastifyProxy,
};

// A clean exit on SIGTERM, so that --cpu-prof writes its profile.
process.once('SIGTERM', () => process.exit(0));

const start = starters[kind];
if (!start) throw new Error(`Unknown server kind "${kind}"; one of ${Object.keys(starters).join(', ')}.`);
await start();
