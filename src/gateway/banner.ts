import type { GatewayConfig } from './config/index.ts';

/** The start-up lines: where the gateway listens, what it fronts, and requests to try. */
export function banner(
  config: GatewayConfig,
  url: string,
  adminUrl: string | undefined,
  lab: boolean,
  workers: number,
): string {
  const routes = config.routes.map((r) => `  ${r.path.padEnd(12)} → ${r.targets.map((t) => t.href).join(', ')}`);
  return [
    `statuskit gateway on ${url}${workers > 1 ? ` (${workers} workers)` : ''}${lab ? ', in front of the lab' : ''}`,
    ...routes,
    adminUrl ? `admin: ${adminUrl}/metrics  ${adminUrl}/healthz  ${adminUrl}/readyz` : 'admin: off',
    'Try:',
    `  curl -i ${url}/${lab ? 'streams/example' : ''}`,
    `  curl -i -H 'X-Request-Timeout: 50' ${url}/${lab ? 'slow' : ''}`,
    ...(lab ? [`  curl -i ${url}/status/503`] : []),
    'Logs are JSON lines on stdout; stop with Ctrl-C (in-flight requests finish first).',
    '',
  ].join('\n');
}
