import { type IncomingHttpHeaders, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Dispatcher } from 'undici';
import { renderError, type StatusError } from '../../errors.ts';
import type { RequestContext } from '../../server/types.ts';
import type { Target } from '../upstream/targets.ts';
import { failureOf, noTargetError } from './errors.ts';
import { forwardRequestHeaders, VIA_NAME } from './headers.ts';
import { upstreamPath } from './paths.ts';
import type { ProxyRoute } from './route.ts';
import { PROXY_STATE } from './state.ts';

/** Largest non-101 answer to an upgrade that is relayed (an error page); more is cut. */
const REFUSAL_LIMIT = 64 * 1024; // 64 KiB

function headLines(headers: IncomingHttpHeaders, skip: ReadonlySet<string>): string {
  let out = '';
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || skip.has(name)) continue;
    for (const v of Array.isArray(value) ? value : [value]) out += `${name}: ${v}\r\n`;
  }
  return out;
}

// RFC 9110 §7.8: a 101 carries Upgrade and Connection: upgrade; they stay. Framing fields do not apply.
const SKIP_101 = new Set(['keep-alive', 'transfer-encoding', 'content-length', 'via', 'x-request-id']);
// A refusal is relayed whole, with our own framing and Connection: close (the client socket is ours, raw).
const SKIP_REFUSAL = new Set([
  ...SKIP_101,
  'connection',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
  'proxy-authenticate',
]);

/**
 * An `Upgrade: websocket` request on its way up, then either the upstream's
 * 101 and raw bytes piped both ways, or the upstream's refusal relayed as a
 * complete answer on a closing connection.
 */
class UpgradeExchange implements Dispatcher.DispatchHandler {
  readonly #route: ProxyRoute;
  readonly #ctx: RequestContext;
  readonly #client: Duplex;
  readonly #head: Buffer;
  readonly #target: Target;
  #status = 0;
  #headers: IncomingHttpHeaders = {};
  #chunks: Buffer[] = [];
  #size = 0;

  constructor(route: ProxyRoute, ctx: RequestContext, client: Duplex, head: Buffer, target: Target) {
    this.#route = route;
    this.#ctx = ctx;
    this.#client = client;
    this.#head = head;
    this.#target = target;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#client.destroyed) controller.abort(new Error('The client closed the connection.'));
    else this.#client.once('close', () => controller.abort(new Error('The client closed the connection.')));
  }

  onRequestUpgrade(
    _controller: Dispatcher.DispatchController,
    status: number,
    headers: IncomingHttpHeaders,
    upstream: Duplex,
  ): void {
    this.#target.breaker?.success();
    const client = this.#client;
    this.#ctx.state[PROXY_STATE.upstream] = this.#target.label;
    client.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Switching Protocols'}\r\n${headLines(headers, SKIP_101)}` +
        `via: 1.1 ${VIA_NAME}\r\nx-request-id: ${this.#ctx.requestId}\r\n\r\n`,
    );
    if (this.#head.length) upstream.write(this.#head);
    // From here on the bytes are the new protocol's: relayed untouched, either side's end ends both.
    upstream.pipe(client);
    client.pipe(upstream);
    const end = (): void => {
      upstream.destroy();
      client.destroy();
    };
    upstream.once('error', end).once('close', end);
    client.once('error', end).once('close', end);
    this.#route.tunnels.add(client);
    client.once('close', () => this.#route.tunnels.delete(client));
    this.#route.onUpgrade(this.#ctx, status);
  }

  onResponseStart(_c: Dispatcher.DispatchController, status: number, headers: IncomingHttpHeaders): void {
    this.#target.breaker?.success();
    this.#status = status;
    this.#headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#size + chunk.length > REFUSAL_LIMIT) return;
    this.#chunks.push(chunk);
    this.#size += chunk.length;
  }

  onResponseEnd(): void {
    // The upstream declined to switch (RFC 9110 §7.8: a server MAY ignore Upgrade): relay its answer.
    const body = Buffer.concat(this.#chunks, this.#size);
    const reason = STATUS_CODES[this.#status] ?? '';
    this.#client.end(
      Buffer.concat([
        Buffer.from(
          `HTTP/1.1 ${this.#status} ${reason}\r\n${headLines(this.#headers, SKIP_REFUSAL)}via: 1.1 ${VIA_NAME}\r\n` +
            `x-request-id: ${this.#ctx.requestId}\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n`,
        ),
        body,
      ]),
    );
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (this.#client.destroyed) return;
    const failure = failureOf(err, this.#route.config.path, 'GET', this.#route.config.timeout);
    this.#target.breaker?.failure();
    this.#route.onFailure(this.#ctx, this.#target, failure.kind, err);
    writeError(this.#ctx, this.#client, failure.error);
  }
}

/** Writes a contract error answer on a raw socket and closes it. */
export function writeError(ctx: RequestContext, socket: Duplex, err: StatusError): void {
  const out = renderError(err, { profile: ctx.profile, requestId: ctx.requestId, accept: ctx.req.headers.accept });
  let head = `HTTP/1.1 ${out.status} ${STATUS_CODES[out.status] ?? ''}\r\n`;
  for (const [k, v] of Object.entries(err.headers)) head += `${k}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`;
  head += `content-type: ${out.contentType}\r\ncontent-length: ${Buffer.byteLength(out.body)}\r\n`;
  head += `x-request-id: ${ctx.requestId}\r\nconnection: close\r\n\r\n`;
  socket.end(head + out.body);
}

/**
 * The route's upgrade handler (RouteDef.upgrade): called by the front after
 * its guards passed, with the client's raw socket.
 */
export function createUpgradeHandler(route: ProxyRoute) {
  return function upgrade(ctx: RequestContext, socket: Duplex, head: Buffer): void {
    const target = route.upstream.pick();
    if (!target) {
      writeError(ctx, socket, noTargetError(route.config, route.upstream));
      return;
    }
    const req = ctx.req;
    const protocol = (req.headers.upgrade ?? 'websocket').split(',')[0]?.trim() || 'websocket';
    target.pool.dispatch(
      {
        path: upstreamPath(target, route.config, ctx.path, ctx.search),
        method: 'GET',
        headers: forwardRequestHeaders(req, ctx.requestId, ctx.host),
        // undici writes Connection: upgrade and Upgrade itself (RFC 9110 §7.8).
        upgrade: protocol,
      },
      new UpgradeExchange(route, ctx, socket, head, target),
    );
  };
}
