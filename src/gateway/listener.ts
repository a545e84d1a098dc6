/**
 * The listening server's life: binding it, its TLS / HTTP/2 transport,
 * handing it from one gateway to the next on a reload, and draining it.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Transport } from '../server/h2.ts';
import type { GatewayConfig } from './config/index.ts';
import type { Logger } from './telemetry/access-log.ts';

/** `scheme://host:port` of a bound address; an IPv6 literal in brackets (RFC 3986 §3.2.2). */
export function urlOf(scheme: string, address: { address: string; port: number }): string {
  const host = address.address.includes(':') ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}`;
}

/** Listens on `host:port`; resolves with the URL actually bound (port 0 → the one the system gave). */
export async function listenOn(s: Server, host: string, port: number, scheme = 'http'): Promise<string> {
  s.listen(port, host);
  await once(s, 'listening');
  return urlOf(scheme, s.address() as AddressInfo);
}

/** The listener's TLS / HTTP/2 (../server/h2.ts), the PEM files read now; undefined for cleartext HTTP/1.1. */
export function transportOf(config: GatewayConfig, log: Logger): Transport | undefined {
  const { tls, http2 } = config.listen;
  if (!tls && !http2) return undefined;
  // A peer's bad frame, reset stream or failed handshake: node answered it (RFC 9113 §5.4); it is logged, not fatal.
  const onError = (err: Error, where: string): void => log.warn({ where, err: err.message }, 'http2/tls peer error');
  if (!tls) return { http2: true, onError };
  const material = { cert: readFileSync(tls.cert), key: readFileSync(tls.key), minVersion: tls.minVersion };
  return { tls: tls.ca ? { ...material, ca: readFileSync(tls.ca) } : material, http2, onError };
}

export type Listener = (...args: unknown[]) => void;
/** The events the front attaches to its server (../server/pipeline.ts attach). */
const FRONT_EVENTS = ['request', 'checkContinue', 'checkExpectation', 'clientError', 'connect', 'upgrade'] as const;

/** The front's handlers on `server`, by event: what a later gateway detaches when it takes the server over. */
export function ownHandlers(server: Server): Map<string, Listener[]> {
  return new Map(FRONT_EVENTS.map((event) => [event, server.listeners(event) as Listener[]]));
}

/**
 * A reload (./reload.ts): `listening` stops calling the previous front
 * (`theirs`) and forwards every front event to `server`, so each new
 * request — on a new or a kept-alive connection — is the new gateway's.
 * The new front's limits apply to the server that listens, and TLS
 * certificates are read again. Returns the handlers now attached.
 */
export function takeOver(
  listening: Server,
  theirs: Map<string, Listener[]>,
  server: Server,
  tls: GatewayConfig['listen']['tls'],
): Map<string, Listener[]> {
  for (const [event, fns] of theirs) for (const fn of fns) listening.off(event, fn);
  const handlers = new Map(
    FRONT_EVENTS.map((event) => {
      const forward: Listener = (...args) => server.emit(event, ...args);
      listening.on(event, forward);
      return [event, [forward]];
    }),
  );
  const tuned = listening as Server & { maxHeaderSize: number };
  tuned.maxHeaderSize = (server as Server & { maxHeaderSize: number }).maxHeaderSize;
  listening.headersTimeout = server.headersTimeout;
  listening.requestTimeout = server.requestTimeout;
  // Certificates reload with the rest: new handshakes use the files as they are now.
  if (tls && 'setSecureContext' in listening)
    (listening as unknown as { setSecureContext(o: object): void }).setSecureContext({
      cert: readFileSync(tls.cert),
      key: readFileSync(tls.key),
      ...(tls.ca ? { ca: readFileSync(tls.ca) } : {}),
    });
  return handlers;
}

/**
 * Stops accepting and waits until every connection ended, closing each one
 * as soon as it is idle (a kept-alive connection would otherwise hold the
 * server open; a request that still arrives on it gets the draining 503).
 * At `grace` ms the rest are cut, WebSocket tunnels included. Resolves
 * with the number of forwarded requests cut.
 */
export async function drain(
  server: Server,
  active: { count: number },
  grace: number,
  tunnels: Set<Duplex>,
): Promise<number> {
  if (!server.listening) return 0;
  const deadline = Date.now() + grace;
  let closed = false;
  server.close(() => {
    closed = true;
  });
  while (!closed) {
    server.closeIdleConnections();
    if (Date.now() >= deadline) {
      const cut = active.count;
      server.closeAllConnections();
      // Upgraded connections left node:http's bookkeeping: they are ended here, as the grace ran out.
      for (const socket of tunnels) socket.destroy();
      await new Promise((resolve) => setImmediate(resolve));
      return cut;
    }
    await new Promise((resolve) => setTimeout(resolve, 20)); // 20 ms
  }
  return 0;
}

/** Waits, polling every 20 ms, until `active` is empty or `grace` ms passed; the count still open. */
export async function settle(active: { count: number }, grace: number): Promise<number> {
  const deadline = Date.now() + grace;
  while (active.count > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20)); // 20 ms
  return active.count;
}
