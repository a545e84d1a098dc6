/**
 * statuskit/gateway — the HTTP front as a reverse proxy: the whole contract
 * in front of any HTTP API. See docs/gateway.md.
 */

export { formatIssues, loadConfigFile, parseConfigText } from './config/file.ts';
export {
  checkGatewayConfig,
  DEFAULTS,
  type Endpoint,
  type GatewayConfig,
  LOG_LEVELS,
  type LogLevel,
  readGatewayConfig,
} from './config/index.ts';
export { ConfigError, type PlacedIssue } from './config/reader.ts';
export {
  type BreakerConfig,
  PROXY_METHODS,
  parseTarget,
  type RouteConfig,
  type TransformConfig,
} from './config/route.ts';
export { createGateway, type Gateway, type GatewayOptions, ListenError } from './gateway.ts';
export { defaultRoute, type LaunchOptions, launch } from './launch.ts';
export { type AdminOptions, createAdminServer, type NotReady } from './telemetry/admin.ts';
export { GatewayMetrics } from './telemetry/metrics.ts';
export { type Family, merge, render } from './telemetry/prometheus.ts';
export { Breaker, type BreakerOptions, type BreakerState } from './upstream/breaker.ts';
