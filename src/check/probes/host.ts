import type { RequestSpec } from '../exchange.ts';
import { anyPath, expectAnswer, expectVariants, type Probe, type ProbeContext, type Variant } from '../probe.ts';

/**
 * A GET of a path that answers, with these Host lines and no Accept: a server
 * that ignores them shows that path's 200, not a 406 for the Accept.
 */
function withHosts(ctx: ProbeContext, hosts: readonly string[], version = 'HTTP/1.1'): RequestSpec {
  return { method: 'GET', target: anyPath(ctx), version, hosts };
}

const variant = (ctx: ProbeContext, label: string, hosts: readonly string[], version?: string): Variant => ({
  label,
  spec: withHosts(ctx, hosts, version),
});

/**
 * Probes of the Host field. RFC 9112 §3.2: a server MUST answer 400 to an
 * HTTP/1.1 request without Host, to any request with more than one Host
 * line, and to a Host whose value is invalid (RFC 9110 §7.2:
 * Host = uri-host [ ":" port ], the authority of RFC 3986 §3.2 minus userinfo).
 */
export const HOST_PROBES: readonly Probe[] = [
  {
    id: '400-host-missing',
    code: 400,
    title: 'an HTTP/1.1 request without Host is answered 400',
    rfc: 'RFC 9112 §3.2',
    run: async (ctx) => (await expectAnswer(ctx, withHosts(ctx, []), 400)).checks,
  },
  {
    id: '400-host-repeated',
    code: 400,
    title: 'an HTTP/1.1 request with two Host lines (the same value, or two values) is answered 400',
    rfc: 'RFC 9112 §3.2',
    // "more than one Host header field line": equal values are no excuse.
    run: (ctx) =>
      expectVariants(
        ctx,
        [
          variant(ctx, 'Host twice, same value', [ctx.url.host, ctx.url.host]),
          variant(ctx, 'Host twice, two values', [ctx.url.host, 'statuskit.invalid']),
        ],
        400,
      ),
  },
  {
    id: '400-host-http10',
    code: 400,
    title: 'an HTTP/1.0 request with two different Host lines is answered 400',
    rfc: 'RFC 9112 §3.2',
    // HTTP/1.0 may omit Host, but "any request message" with two Host lines is a 400.
    run: async (ctx) =>
      (await expectAnswer(ctx, withHosts(ctx, [ctx.url.host, 'statuskit.invalid'], 'HTTP/1.0'), 400)).checks,
  },
  {
    id: '400-host-empty',
    code: 400,
    title: 'an empty Host value (an http URI without a host) is answered 400',
    // RFC 9110 §4.2.1: an http URI with an empty host is invalid and MUST be rejected.
    rfc: 'RFC 9110 §4.2.1',
    run: async (ctx) => (await expectAnswer(ctx, withHosts(ctx, ['']), 400)).checks,
  },
  {
    id: '400-host-userinfo',
    code: 400,
    title: 'a Host with userinfo (user@host) is answered 400',
    // RFC 9110 §4.2.4: userinfo in an http authority is an error; Host has no room for it (§7.2).
    rfc: 'RFC 9110 §4.2.4',
    run: async (ctx) => (await expectAnswer(ctx, withHosts(ctx, [`statuskit@${ctx.url.host}`]), 400)).checks,
  },
  {
    id: '400-host-syntax',
    code: 400,
    title: 'a Host that is not an authority (a path, a list, a space, a quote) is answered 400',
    rfc: 'RFC 9110 §7.2',
    run: (ctx) =>
      expectVariants(
        ctx,
        [
          variant(ctx, 'Host with a path', [`${ctx.url.host}/statuskit`]),
          variant(ctx, 'Host as a list', [`${ctx.url.host}, statuskit.invalid`]),
          variant(ctx, 'Host with a space', ['statuskit invalid']),
          variant(ctx, 'Host with a quote', ['statuskit"invalid']),
        ],
        400,
      ),
  },
];
