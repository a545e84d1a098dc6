/**
 * statuskit/gateway — the HTTP front as a reverse proxy: the whole contract
 * in front of any HTTP API. See docs/gateway.md.
 */
export { type AdminOptions, createAdminServer, type NotReady } from './admin.ts';
export { Breaker, type BreakerOptions, type BreakerState } from './breaker.ts';
export {
  checkGatewayConfig,
  DEFAULTS,
  type Endpoint,
  type GatewayConfig,
  LOG_LEVELS,
  type LogLevel,
  readGatewayConfig,
} from './config.ts';
export { formatIssues, loadConfigFile, parseConfigText } from './config-file.ts';
export { ConfigError, type PlacedIssue } from './config-reader.ts';
export {
  type BreakerConfig,
  PROXY_METHODS,
  parseTarget,
  type RouteConfig,
  type TransformConfig,
} from './config-route.ts';
export { createGateway, type Gateway, type GatewayOptions, ListenError } from './gateway.ts';
export { defaultRoute, type LaunchOptions, launch } from './launch.ts';
export { GatewayMetrics } from './metrics.ts';
export { type Family, merge, render } from './prometheus.ts';
