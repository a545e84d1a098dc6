import type { Server } from 'node:http';
import type { Profile } from '../../catalog/index.ts';
import { StatusError } from '../../errors.ts';
import { sendJson } from '../../server/respond.ts';
import { createServer } from '../../server/serve.ts';
import type { RequestContext, RouteDef } from '../../server/types.ts';
import { createAdminAccess, isLoopback } from './dashboard/access.ts';
import { CONTENT_TYPE } from './prometheus.ts';

/** Why the gateway should get no traffic now; undefined when it is ready. */
export interface NotReady {
  reason: string;
  /** Seconds until it may be ready again, when known (Retry-After). */
  retryAfter?: number;
}

export interface AdminOptions {
  profile: Profile;
  /** The Prometheus text of every metric (may ask worker processes, hence async). */
  metrics: () => string | Promise<string>;
  ready: () => NotReady | undefined | Promise<NotReady | undefined>;
  /** What /readyz says besides ready or not: per-route health, shared stores, degraded parts. @default none */
  report?: () => ReadyReport | undefined | Promise<ReadyReport | undefined>;
  /** More routes: the dashboard's page and event stream (./dashboard/index.ts). @default none */
  routes?: readonly RouteDef[];
  /** The address the admin port listens on: on loopback, only requests addressed to loopback are answered. */
  host?: string;
  /** `admin.token`: POST /reload needs it, as the dashboard does (./dashboard/access.ts). */
  token?: string;
  /** POST /reload: read, validate and swap the configuration (./reload.ts). @default no /reload */
  reload?: () => Promise<ReloadResult>;
}

/** The body of /readyz beyond its status: what serves, what does not, and why. */
export type ReadyReport = Record<string, unknown>;

/**
 * The admin port: GET /metrics (Prometheus text format 0.0.4), /healthz
 * (the process is up and serving), /readyz (it should get traffic: 503 while
 * draining or while no upstream target can take requests). Served by the
 * same front as the gateway, so its errors follow the contract too.
 */
/** The host name of an authority `host[:port]` (brackets of an IP literal removed), lower-cased. */
function hostName(authority: string): string {
  if (authority.startsWith('[')) return authority.slice(1, authority.indexOf(']')).toLowerCase();
  const colon = authority.lastIndexOf(':');
  return (colon === -1 ? authority : authority.slice(0, colon)).toLowerCase();
}

/**
 * DNS rebinding: a web page on evil.example can make the browser resolve its
 * own name to 127.0.0.1 and then read a loopback admin port (metrics, the
 * dashboard's request ids and paths) as if same-origin. The request still
 * says `Host: evil.example`. So an admin port bound to loopback answers only
 * requests addressed to a loopback name (localhost, 127.0.0.0/8, ::1): 403
 * otherwise, with the contract's body (RFC 9110 §15.5.4: understood, refused).
 */
function loopbackHostGuard() {
  return function addressedToLoopback(ctx: RequestContext): void {
    const host = ctx.host === undefined ? undefined : hostName(ctx.host);
    if (host !== undefined && (isLoopback(host) || host.endsWith('.localhost'))) return;
    throw new StatusError(
      403,
      `The admin port listens on loopback and answers only requests addressed to it (Host: localhost, 127.0.0.1 or [::1]), not ${JSON.stringify(ctx.host ?? '')}.`,
      { subcode: 'ADMIN_HOST' },
    );
  };
}

/** What a reload did: swapped in, or refused (the old configuration keeps serving) and why. */
export interface ReloadResult {
  reloaded: boolean;
  message: string;
}

export function createAdminServer(options: AdminOptions): Server {
  const reload = options.reload;
  const access = createAdminAccess(options.host ?? '127.0.0.1', options.token);
  const reloadRoute = async (ctx: RequestContext): Promise<void> => {
    access(ctx);
    const result = await (reload as () => Promise<ReloadResult>)();
    // RFC 9110 §15.5.10: the request is fine, the configuration it would load is not: 409, nothing changed.
    if (!result.reloaded) throw new StatusError(409, result.message, { subcode: 'RELOAD_REFUSED' });
    sendJson(ctx, 200, { status: 'reloaded', message: result.message }, { 'cache-control': 'no-store' });
  };
  const metrics = async (ctx: RequestContext): Promise<void> => {
    const text = await options.metrics();
    ctx.res.writeHead(200, {
      'content-type': CONTENT_TYPE,
      'content-length': Buffer.byteLength(text),
      'x-request-id': ctx.requestId,
      'cache-control': 'no-store',
    });
    ctx.res.end(text);
  };
  const healthz = (ctx: RequestContext): void => sendJson(ctx, 200, { status: 'ok' }, { 'cache-control': 'no-store' });
  const readyz = async (ctx: RequestContext): Promise<void> => {
    const [not, report] = await Promise.all([options.ready(), options.report?.()]);
    if (not) {
      // RFC 9110 §15.6.4: 503, with Retry-After when the condition is known to be temporary.
      throw new StatusError(503, `Not ready: ${not.reason}`, {
        headers: not.retryAfter === undefined ? {} : { 'retry-after': not.retryAfter },
        subcode: 'NOT_READY',
        ...(report ? { details: report } : {}),
      });
    }
    sendJson(ctx, 200, { status: 'ready', ...report }, { 'cache-control': 'no-store' });
  };
  return createServer({
    profile: options.profile,
    ...(options.host !== undefined && isLoopback(options.host) ? { accessGuards: [loopbackHostGuard()] } : {}),
    routes: [
      { path: '/metrics', methods: { GET: metrics } },
      { path: '/healthz', methods: { GET: healthz } },
      { path: '/readyz', methods: { GET: readyz } },
      ...(reload ? [{ path: '/reload', methods: { POST: reloadRoute } }] : []),
      ...(options.routes ?? []),
    ],
  });
}
