import { errorCodeFor, isErrorCode, type Profile } from '../../../catalog/index.ts';
import type { RouteDef } from '../../../server/types.ts';
import type { Upstream } from '../../upstream/targets.ts';
import { createAdminAccess, TOKEN_COOKIE } from './access.ts';
import { PAGE, SCRIPT, STYLE } from './page.ts';
import { DashboardStats, type ProcessData } from './stats.ts';
import { createDashboardStream, type DashboardStream } from './stream.ts';
import { DashboardView, type DataSource } from './view.ts';

export { DashboardStats } from './stats.ts';
export { answerDashboard, workerSource } from './workers.ts';

/** The recorder of one gateway process, its error_code under the profile as the error body writes it. */
export function createDashboardStats(profile: Profile): DashboardStats {
  return new DashboardStats({
    errorCode: (status, subcode) =>
      isErrorCode(status, profile) ? errorCodeFor(status, profile, subcode || undefined) : undefined,
  });
}

/** This process's data for the view: its seconds, its targets' health and breaker state. */
export function processData(
  stats: DashboardStats,
  upstreams: readonly { route: { path: string }; upstream: Upstream }[],
  live: () => { draining: boolean; inFlight: number },
): (since: number, until: number, histFrom: number) => ProcessData {
  return (since, until, histFrom) => ({
    pid: process.pid,
    seconds: stats.collect(since, until, histFrom),
    targets: upstreams.flatMap(({ route, upstream }) =>
      upstream.targets.map((t) => ({ route: route.path, target: t.label, healthy: t.healthy, state: t.state })),
    ),
    ...live(),
  });
}

export interface DashboardOptions {
  profile: Profile;
  source: DataSource;
  /** The route labels to list even before they answer anything. */
  routes: readonly string[];
  /** The admin port's host (loopback or not) and its token. */
  host: string;
  token: string | undefined;
  onError: (err: unknown) => void;
}

export interface Dashboard {
  /** GET / and /dashboard (the page), /dashboard/events (the stream), /dashboard/app.js, /dashboard/app.css. */
  routes: RouteDef[];
  stream: DashboardStream;
}

/** The admin port's dashboard routes. */
export function createDashboard(options: DashboardOptions): Dashboard {
  const view = new DashboardView(options.source, options.routes);
  const stream = createDashboardStream(view, options.profile, options.onError);
  const check = createAdminAccess(options.host, options.token);
  const asset = (type: string, text: string): RouteDef['methods'][string] => {
    const body = Buffer.from(text);
    return (ctx) => {
      ctx.res.writeHead(200, {
        'content-type': type,
        'content-length': body.length,
        'cache-control': 'no-cache',
        'x-request-id': ctx.requestId,
      });
      ctx.res.end(body);
    };
  };
  const pageBody = Buffer.from(PAGE);
  const page: RouteDef['methods'][string] = (ctx) => {
    const presented = check(ctx);
    const headers: Record<string, string | number> = {
      'content-type': 'text/html; charset=utf-8',
      'content-length': pageBody.length,
      'cache-control': 'no-store',
      'x-request-id': ctx.requestId,
      // Everything comes from this port: no CDN, no inline script.
      'content-security-policy':
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    // EventSource sends no Authorization: a token given in the address is kept in a cookie for the stream.
    if (presented?.fromQuery)
      headers['set-cookie'] =
        `${TOKEN_COOKIE}=${encodeURIComponent(presented.token)}; Path=/; HttpOnly; SameSite=Strict`;
    ctx.res.writeHead(200, headers);
    ctx.res.end(pageBody);
  };
  const events: RouteDef['methods'][string] = (ctx) => {
    check(ctx);
    stream.handle(ctx);
  };
  return {
    stream,
    routes: [
      { path: '/', methods: { GET: page } },
      { path: '/dashboard', methods: { GET: page } },
      // No deadline: the stream stays open (0 = none).
      { path: '/dashboard/events', methods: { GET: events }, timeout: 0 },
      { path: '/dashboard/app.js', methods: { GET: asset('text/javascript; charset=utf-8', SCRIPT) } },
      { path: '/dashboard/app.css', methods: { GET: asset('text/css; charset=utf-8', STYLE) } },
    ],
  };
}
