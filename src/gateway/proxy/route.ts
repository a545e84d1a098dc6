import type { Duplex } from 'node:stream';
import type { Profile } from '../../catalog/index.ts';
import type { RequestContext } from '../../server/types.ts';
import type { RouteConfig } from '../config/route.ts';
import type { GatewayMetrics } from '../telemetry/metrics.ts';
import type { Target, Upstream } from '../upstream/targets.ts';
import type { ClientFailureKind, FailureKind } from './errors.ts';

/** What the proxy handler of one route needs, resolved once. */
export interface ProxyRoute {
  readonly config: RouteConfig;
  readonly upstream: Upstream;
  readonly profile: Profile;
  readonly metrics: GatewayMetrics;
  /** Told of every upstream failure (the gateway logs it). */
  readonly onFailure: (ctx: RequestContext, target: Target, kind: FailureKind, err: Error) => void;
  /** Told when an exchange failed by the client's doing (a body that stopped arriving, broke off, or passed the limit). */
  readonly onClientFailure: (ctx: RequestContext, kind: ClientFailureKind) => void;
  /** Client sockets of upgraded (WebSocket) exchanges, ended when a drain's grace runs out. */
  readonly tunnels: Set<Duplex>;
  /** Exchanges not yet settled, across the gateway (drain waits for 0). */
  readonly active: { count: number };
  /** Told when an upgrade request got its answer from the upstream (101, or a refusal). */
  readonly onUpgrade: (ctx: RequestContext, status: number) => void;
}
