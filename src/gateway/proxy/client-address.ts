/**
 * The client's address, through trusted proxies only (`trustProxy: [CIDR…]`,
 * none by default). Behind a load balancer the peer of the connection is the
 * balancer; the client is in `Forwarded` (RFC 7239) or `X-Forwarded-For`,
 * which anyone can write. So they are read right to left and only as long as
 * each hop is a trusted proxy: the first address that is not is the client
 * (as nginx's `real_ip_recursive on`, Envoy's `xff_num_trusted_hops`,
 * Traefik's `forwardedHeaders.trustedIPs`). From an untrusted peer they are
 * ignored, and not forwarded upstream either (./headers.ts).
 *
 * The address is the one used for the `ip` rate-limit key, the access log
 * and the X-Forwarded-For sent upstream.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

export interface TrustedProxies {
  /** Whether a peer at `address` (as node reports it) may tell us who the client is. */
  trusts(address: string): boolean;
}

/** Where a request keeps its client address once resolved (only when trustProxy is set). */
const CLIENT = Symbol('statuskit.clientAddress');
const TRUSTED_PEER = Symbol('statuskit.trustedPeer');
type WithClient = IncomingMessage & { [CLIENT]?: string; [TRUSTED_PEER]?: boolean };

/** "::ffff:10.0.0.1" (an IPv4 peer on a dual-stack socket) is 10.0.0.1. */
export function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** Compiles `trustProxy`; throws a TypeError naming the entry that is not an address or CIDR block. */
export function trustedProxies(cidrs: readonly string[]): TrustedProxies {
  const list = new BlockList();
  cidrs.forEach((text, i) => {
    const [address = '', bits, extra] = text.trim().split('/');
    const family = isIP(address);
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (
      family === 0 ||
      extra !== undefined ||
      !Number.isInteger(prefix) ||
      prefix < 0 ||
      prefix > (family === 6 ? 128 : 32) ||
      bits === ''
    )
      throw new TypeError(
        `[${i}]: an IP address or CIDR block such as "10.0.0.0/8" or "::1", got ${JSON.stringify(text)}.`,
      );
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  });
  return {
    trusts(address: string): boolean {
      const plain = plainAddress(address);
      const family = isIP(plain);
      return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
    },
  };
}

/** One node of a Forwarded `for=` or X-Forwarded-For entry as a plain address; undefined when it is none ("unknown", "_hidden"). */
function nodeAddress(text: string): string | undefined {
  let v = text.trim();
  if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    v = end === -1 ? '' : v.slice(1, end);
  } else if (isIP(v) === 0 && /^[\d.]+:\d+$/.test(v)) v = v.slice(0, v.lastIndexOf(':'));
  return isIP(v) === 0 ? undefined : plainAddress(v);
}

/** The hops a request names, nearest last: Forwarded's `for=` when present (RFC 7239 §5.2), else X-Forwarded-For. */
function claimedHops(req: IncomingMessage): (string | undefined)[] {
  const forwarded = req.headers.forwarded;
  if (forwarded !== undefined) {
    return forwarded.split(',').map((element) => {
      const pair = element.split(';').find((p) => p.trim().toLowerCase().startsWith('for='));
      return pair === undefined ? undefined : nodeAddress(pair.trim().slice(4));
    });
  }
  const xff = req.headers['x-forwarded-for'];
  const text = Array.isArray(xff) ? xff.join(',') : xff;
  return text === undefined || text === '' ? [] : text.split(',').map(nodeAddress);
}

/**
 * Resolves the client address of `req` through `trust` and remembers it.
 * From a trusted peer: the claimed hops, right to left, skipping trusted
 * proxies; the first untrusted one is the client. A hop that is no address
 * stops the walk at the last good one.
 */
export function resolveClient(req: IncomingMessage, trust: TrustedProxies): string {
  const peer = plainAddress(req.socket?.remoteAddress ?? 'unknown');
  let client = peer;
  const trusted = trust.trusts(peer);
  (req as WithClient)[TRUSTED_PEER] = trusted;
  if (trusted) {
    const hops = claimedHops(req);
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i];
      if (hop === undefined) break;
      client = hop;
      if (!trust.trusts(hop)) break;
    }
  }
  (req as WithClient)[CLIENT] = client;
  return client;
}

/** The client address of `req`: resolved through trusted proxies when configured, else the peer's. */
export function clientAddressOf(req: IncomingMessage): string {
  return (req as WithClient)[CLIENT] ?? plainAddress(req.socket?.remoteAddress ?? 'unknown');
}

/** Whether the peer of `req` was a trusted proxy (its forwarding headers may go upstream). */
export function fromTrustedProxy(req: IncomingMessage): boolean {
  return (req as WithClient)[TRUSTED_PEER] === true;
}

/** Resolves the client of `req` unless done already (for answers the front gave before any access guard ran). */
export function ensureClient(req: IncomingMessage, trust: TrustedProxies): void {
  if ((req as WithClient)[CLIENT] === undefined) resolveClient(req, trust);
}
