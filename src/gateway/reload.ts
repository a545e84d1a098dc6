/**
 * Reload without dropping a request: a new gateway is built from the new
 * configuration and takes over the listening server (Gateway.adopt): every
 * request that arrives from then on — on a new connection or a kept-alive
 * one — is the new gateway's; requests already in flight finish on the old
 * one, which then closes what only it used (Gateway.retire). Metrics keep
 * counting; unchanged `policies` are handed over, so rate-limit counts and
 * the replay cache carry on. What the listener itself is made of (address,
 * port, TLS on or off, HTTP/2, the admin address) needs a restart.
 */
import type { GatewayConfig } from './config/index.ts';
import { createGateway, type Gateway, type GatewayOptions } from './gateway.ts';

export class ReloadError extends Error {
  override readonly name = 'ReloadError';
}

const endpoint = (e: { host: string; port: number } | false): string => (e ? `${e.host}:${e.port}` : 'off');

/** Why `next` cannot replace `current` in place; undefined when it can. */
export function restartNeeded(current: GatewayConfig, next: GatewayConfig): string | undefined {
  const a = current.listen;
  const b = next.listen;
  if (a.host !== b.host || a.port !== b.port) return `listen changed (${endpoint(a)} → ${endpoint(b)})`;
  if (Boolean(a.tls) !== Boolean(b.tls)) return `TLS was turned ${b.tls ? 'on' : 'off'}`;
  if (Boolean(a.http2) !== Boolean(b.http2)) return `HTTP/2 was turned ${b.http2 ? 'on' : 'off'}`;
  if (endpoint(current.admin) !== endpoint(next.admin))
    return `the admin address changed (${endpoint(current.admin)} → ${endpoint(next.admin)})`;
  return undefined;
}

/**
 * Swaps `current` for a gateway of `config`; resolves with it once it
 * serves. Throws a ReloadError (and changes nothing) when the listener
 * would have to change.
 */
export async function reloadGateway(
  current: Gateway,
  config: GatewayConfig,
  options: GatewayOptions = {},
): Promise<Gateway> {
  const why = restartNeeded(current.config, config);
  if (why) throw new ReloadError(`The configuration cannot be reloaded in place: ${why}; restart the gateway.`);
  const samePolicies = JSON.stringify(current.config.policies) === JSON.stringify(config.policies);
  const next = createGateway(config, {
    ...options,
    metrics: current.metrics,
    ...(samePolicies ? { policies: current.policies } : {}),
  });
  await next.adopt(current);
  next.log.info(
    { routes: config.routes.map((r) => r.path), policies_kept: samePolicies, in_flight_on_old: current.inFlight },
    'reloaded',
  );
  // The old gateway finishes what it has in the background (at most its drain grace).
  void current.retire(current.config.drain.grace, samePolicies).then(
    ({ cut }) => next.log.info({ cut }, 'previous configuration retired'),
    (err: Error) => next.log.error({ err: err.message }, 'previous configuration did not retire cleanly'),
  );
  return next;
}
