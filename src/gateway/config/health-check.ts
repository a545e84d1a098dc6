import type { ConfigPath, ConfigReader } from './reader.ts';

/** Active health checks of a route's targets (the `healthCheck` of a route). */
export interface HealthCheckConfig {
  /** Path each target is asked with GET, after the target's own path; may carry a query. */
  path: string;
  /** Time from one probe's end to the next one's start, per target, in ms. @default 5000 (5 s) */
  interval: number;
  /** Longest wait for a probe's whole answer, in ms. @default 2000 (2 s) */
  timeout: number;
  /** Consecutive failed probes that take a healthy target out of rotation. @default 2 */
  unhealthyAfter: number;
  /** Consecutive passed probes that bring an unhealthy target back. @default 2 */
  healthyAfter: number;
}

/** The defaults of a route's `healthCheck` (the reader and the docs take them from here). */
export const HEALTH_CHECK_DEFAULTS = {
  interval: 5_000, // 5 s
  timeout: 2_000, // 2 s
  unhealthyAfter: 2,
  healthyAfter: 2,
} as const;

const KEYS = ['path', 'interval', 'timeout', 'unhealthyAfter', 'healthyAfter'] as const;

/** Validates a route's `healthCheck`; undefined when absent or invalid (the issues are in the reader). */
export function readHealthCheck(r: ConfigReader, value: unknown, path: ConfigPath): HealthCheckConfig | undefined {
  if (value === undefined) return undefined;
  const o = r.object(value, path, KEYS);
  if (!o) return undefined;
  let probePath = r.string(o, 'path', path);
  if (o.path === undefined) probePath = r.fail([...path, 'path'], 'is required: the path to probe, e.g. "/healthz".');
  else if (probePath !== undefined && !/^\/[^\s#]*$/.test(probePath))
    probePath = r.fail(
      [...path, 'path'],
      `must be a path starting with "/" (no spaces, no fragment), got ${JSON.stringify(probePath)}.`,
    );
  const interval = r.duration(o, 'interval', path, HEALTH_CHECK_DEFAULTS.interval, 10);
  const timeout = r.duration(o, 'timeout', path, HEALTH_CHECK_DEFAULTS.timeout, 1);
  const unhealthyAfter = r.integer(o, 'unhealthyAfter', path, HEALTH_CHECK_DEFAULTS.unhealthyAfter, 1, 1_000);
  const healthyAfter = r.integer(o, 'healthyAfter', path, HEALTH_CHECK_DEFAULTS.healthyAfter, 1, 1_000);
  if (
    probePath === undefined ||
    interval === undefined ||
    timeout === undefined ||
    unhealthyAfter === undefined ||
    healthyAfter === undefined
  )
    return undefined;
  return { path: probePath, interval, timeout, unhealthyAfter, healthyAfter };
}
