import type { Server } from 'node:http';
import type { Profile } from '../catalog/index.ts';
import { StatusError } from '../errors.ts';
import { sendJson } from '../server/respond.ts';
import { createServer } from '../server/serve.ts';
import type { RequestContext, RouteDef } from '../server/types.ts';
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
}

/** The body of /readyz beyond its status: what serves, what does not, and why. */
export type ReadyReport = Record<string, unknown>;

/**
 * The admin port: GET /metrics (Prometheus text format 0.0.4), /healthz
 * (the process is up and serving), /readyz (it should get traffic: 503 while
 * draining or while no upstream target can take requests). Served by the
 * same front as the gateway, so its errors follow the contract too.
 */
export function createAdminServer(options: AdminOptions): Server {
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
    routes: [
      { path: '/metrics', methods: { GET: metrics } },
      { path: '/healthz', methods: { GET: healthz } },
      { path: '/readyz', methods: { GET: readyz } },
      ...(options.routes ?? []),
    ],
  });
}
