/**
 * A gateway set up to answer 200, 404, 405, 429, 502 and 504 on demand,
 * and a bounded round of load that asks for each: the dashboard tests
 * drive it and watch the page and the stream.
 */
import { closedPort, type RunningGateway, startGateway, startUpstream, type Upstream } from '../support.ts';

export interface MixGateway {
  gateway: RunningGateway;
  upstream: Upstream;
  /** One round: 3 × 200, 1 × 404, 1 × 405, 1 × 429 (after the first rounds' allowance), 1 × 502, 1 × 504. */
  round(): Promise<number[]>;
  close(): Promise<void>;
}

let keys = 0;

export async function startMixGateway(extra: Record<string, unknown> = {}): Promise<MixGateway> {
  const upstream = await startUpstream((req, res) => {
    // /slow answers after the route's 300 ms deadline: the gateway's 504.
    if (req.url?.startsWith('/slow')) setTimeout(() => res.end('late'), 1_500);
    else res.end('ok');
  });
  const down = await closedPort();
  const gateway = await startGateway({
    routes: [
      { path: '/api', targets: [upstream.url], methods: ['GET'] },
      { path: '/slow', targets: [upstream.url], timeout: '300ms', breaker: false },
      { path: '/down', targets: [`http://127.0.0.1:${down}`], breaker: false },
    ],
    // Only /api/hot is limited, and it runs out after the first rounds (an unauthenticated API key
    // picks no bucket of its own: every request here counts by the client address).
    policies: {
      rateLimit: { limits: [{ name: 'hot', limit: 2, window: '60s', routes: [{ path: '/api/hot' }] }], key: 'ip' },
    },
    ...extra,
  });
  const get = async (path: string, init: RequestInit = {}, key = `k${++keys}-${process.pid}`): Promise<number> => {
    const res = await fetch(`${gateway.url}${path}`, { ...init, headers: { 'x-api-key': key } });
    await res.arrayBuffer();
    return res.status;
  };
  return {
    gateway,
    upstream,
    round: () =>
      Promise.all([
        get('/api/ok'),
        get('/api/ok'),
        get('/api/ok'),
        get('/nothing-here'),
        get('/api/ok', { method: 'POST', body: 'x' }),
        get('/api/hot', {}, 'hot-client'),
        get('/down/x'),
        get('/slow/x'),
      ]),
    close: async () => {
      await gateway.close();
      await upstream.close();
    },
  };
}
