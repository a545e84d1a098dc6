import type { RequestSpec } from '../exchange.ts';
import { anyPath, expectAnswer, expectVariants, type Probe } from '../probe.ts';
import type { TargetDescription } from '../target.ts';

/** A path that answers GET with 200, if the target names one. */
function getPath(t: TargetDescription): string | undefined {
  return t.getOnly ?? t.resource ?? t.jsonOnly ?? t.blob;
}

const NO_GET = (t: TargetDescription) => (getPath(t) ? undefined : 'the target names no path that answers GET');

/**
 * A GET of `target` as written (latin1: one character, one byte), without
 * Accept: a server that ignores the fault shows the path's 200, not a 406.
 */
const get = (target: string): RequestSpec => ({ method: 'GET', target });

/**
 * Probes of the request-target (RFC 9112 §3.2) and of its path (RFC 3986):
 * forms and bytes the grammar does not allow are 400; absolute-form and dot
 * segments that stay under the root are resolved and served.
 */
export const TARGET_PROBES: readonly Probe[] = [
  {
    id: '200-absolute-form',
    code: 200,
    title: 'a GET in absolute-form (GET http://host/path) is served like its origin-form',
    // RFC 9112 §3.2.2: a server MUST accept absolute-form; the target's authority wins over Host.
    rfc: 'RFC 9112 §3.2.2',
    applies: NO_GET,
    run: async (ctx) => {
      const target = `${ctx.url.protocol}//${ctx.url.host}${getPath(ctx.target)}`;
      return (await expectAnswer(ctx, { method: 'GET', target }, 200)).checks;
    },
  },
  {
    id: '200-dot-segments',
    code: 200,
    title: 'dot segments that stay under the root (/x/../path, /./path) are resolved and served',
    rfc: 'RFC 3986 §5.2.4',
    applies: NO_GET,
    run: (ctx) => {
      const p = getPath(ctx.target) as string;
      return expectVariants(
        ctx,
        [
          { label: `/statuskit/..${p}`, spec: { method: 'GET', target: `/statuskit/..${p}` } },
          { label: `/.${p}`, spec: { method: 'GET', target: `/.${p}` } },
        ],
        200,
      );
    },
  },
  {
    id: '400-asterisk-get',
    code: 400,
    title: 'the asterisk-form with a method other than OPTIONS (GET *) is answered 400',
    // RFC 9112 §3.2.4: asterisk-form is only used for a server-wide OPTIONS request.
    rfc: 'RFC 9112 §3.2.4',
    run: async (ctx) => (await expectAnswer(ctx, get('*'), 400)).checks,
  },
  {
    id: '400-target-fragment',
    code: 400,
    title: 'a request target with a fragment (#) is answered 400',
    // RFC 9112 §3.2: origin-form = absolute-path [ "?" query ]; a fragment is never sent (RFC 9110 §4.2.5).
    rfc: 'RFC 9112 §3.2',
    run: async (ctx) => (await expectAnswer(ctx, get(`${anyPath(ctx)}#statuskit`), 400)).checks,
  },
  {
    id: '400-target-bytes',
    code: 400,
    title: 'raw bytes a request target cannot hold (non-ASCII, overlong UTF-8, backslash) are answered 400',
    // RFC 9112 §3.2 / RFC 3986 §2: a target is ASCII; anything else must be percent-encoded.
    rfc: 'RFC 9112 §3.2',
    run: (ctx) =>
      expectVariants(
        ctx,
        [
          { label: 'raw bytes 0xC3 0xA9 (é)', spec: get(`${anyPath(ctx).replace(/\/$/, '')}/caf\xC3\xA9`) },
          // 0xC0 0xAF is an overlong "/": a decoder that takes it climbs out of the path.
          { label: 'overlong UTF-8 0xC0 0xAF', spec: get(`/statuskit\xC0\xAF..${anyPath(ctx)}`) },
          // A server that turns "\" into "/" resolves this to the path itself.
          { label: 'backslash', spec: get(`/statuskit\\..${anyPath(ctx)}`) },
        ],
        400,
      ),
  },
  {
    id: '400-dot-climb',
    code: 400,
    title: 'dot segments that climb above the root (/../path, /x/../../path) are answered 400',
    rfc: 'RFC 3986 §5.2.4',
    run: (ctx) =>
      expectVariants(
        ctx,
        [
          { label: `/..${anyPath(ctx)}`, spec: get(`/..${anyPath(ctx)}`) },
          { label: `/statuskit/../..${anyPath(ctx)}`, spec: get(`/statuskit/../..${anyPath(ctx)}`) },
        ],
        400,
      ),
  },
  {
    id: '400-percent-invalid',
    code: 400,
    title: 'a "%" not followed by two hex digits (%zz, a trailing %) is answered 400',
    // RFC 3986 §2.1: pct-encoded = "%" HEXDIG HEXDIG.
    rfc: 'RFC 3986 §2.1',
    run: (ctx) =>
      expectVariants(
        ctx,
        [
          { label: '%zz', spec: get(`${anyPath(ctx)}%zz`) },
          { label: 'a trailing %', spec: get(`${anyPath(ctx)}%`) },
        ],
        400,
      ),
  },
  {
    id: '400-percent-nul',
    code: 400,
    title: 'a percent-encoded NUL (%00) in the path is answered 400',
    // RFC 3986 §7.3: %00 decoded by a back end ends its strings early; the contract refuses it.
    rfc: 'RFC 3986 §7.3',
    run: async (ctx) => (await expectAnswer(ctx, get(`${anyPath(ctx)}%00`), 400)).checks,
  },
];
