import { anyPath, expectAnswer, type Probe, unknownPath } from '../probe.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;

/** Probes of the request line, header syntax and routing: they need no path from the target. */
export const PROTOCOL_PROBES: readonly Probe[] = [
  {
    id: '505-http2',
    code: 505,
    title: 'an HTTP/2.0 request line on an HTTP/1 connection is answered 505',
    // CONTRACT.md 505: a version other than HTTP/1.0 or HTTP/1.1 — not 400, not 200.
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: anyPath(ctx), version: 'HTTP/2.0' }, 505)).checks,
  },
  {
    id: '505-http3',
    code: 505,
    title: 'an HTTP/3.0 request line is answered 505',
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: anyPath(ctx), version: 'HTTP/3.0' }, 505)).checks,
  },
  {
    id: '501-unknown-method',
    code: 501,
    title: 'a method the server does not implement (BREW) is answered 501, not 400',
    // RFC 9110 §9.1: an unrecognised method SHOULD get 501.
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'BREW', target: anyPath(ctx), headers: [JSON_ACCEPT] }, 501)).checks,
  },
  {
    id: '414-long-uri',
    code: 414,
    title: 'a request target over the limit is answered 414, never 431',
    run: async (ctx) => {
      // The contract's own example is a 20,000-character URI.
      const length = ctx.target.uriLimit === undefined ? 20_000 : ctx.target.uriLimit + 1;
      const target = `/${'a'.repeat(length - 1)}`;
      return (await expectAnswer(ctx, { method: 'GET', target, headers: [JSON_ACCEPT] }, 414)).checks;
    },
  },
  {
    id: '400-header-syntax',
    code: 400,
    title: 'whitespace between a field name and its colon is answered 400',
    // RFC 9112 §5.1: a server MUST reject whitespace between field name and colon with 400.
    run: async (ctx) =>
      (
        await expectAnswer(
          ctx,
          { method: 'GET', target: anyPath(ctx), headers: [JSON_ACCEPT, ['X-Statuskit-Check ', '1']] },
          400,
        )
      ).checks,
  },
  {
    id: '400-cl-te',
    code: 400,
    title: 'Content-Length together with Transfer-Encoding is answered 400',
    // RFC 9112 §6.1: CL with TE is a smuggling vector; the contract answers 400 and closes.
    run: async (ctx) => {
      const spec = {
        method: 'POST',
        target: ctx.target.collection ?? '/',
        headers: [
          JSON_ACCEPT,
          ['Content-Type', 'application/json'],
          ['Content-Length', '7'],
          ['Transfer-Encoding', 'chunked'],
        ] as const,
        body: '2\r\n{}\r\n0\r\n\r\n',
      };
      return (await expectAnswer(ctx, spec, 400)).checks;
    },
  },
  {
    id: '400-te-empty',
    code: 400,
    title: 'a Transfer-Encoding with an empty value is answered 400',
    // RFC 9112 §6.1 / §6.3: a request whose Transfer-Encoding does not end in chunked has no
    // reliable length; the server MUST answer 400 (and close).
    rfc: 'RFC 9112 §6.3',
    run: async (ctx) => {
      const spec = {
        method: 'POST',
        target: ctx.target.collection ?? '/',
        headers: [JSON_ACCEPT, ['Content-Type', 'application/json'], ['Transfer-Encoding', '']] as const,
      };
      return (await expectAnswer(ctx, spec, 400)).checks;
    },
  },
  {
    id: '404-unknown-path',
    code: 404,
    title: 'a path with no route is answered 404 with the error body',
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: unknownPath(), headers: [JSON_ACCEPT] }, 404)).checks,
  },
  {
    id: '404-request-id',
    code: 404,
    title: 'an incoming X-Request-Id is echoed in the header and in request_id',
    run: async (ctx) => {
      const id = `statuskit-check-${Math.random().toString(36).slice(2, 12)}`;
      const spec = { method: 'GET', target: unknownPath(), headers: [JSON_ACCEPT, ['X-Request-Id', id]] as const };
      return (await expectAnswer(ctx, spec, 404)).checks;
    },
  },
  {
    id: '404-problem-json',
    code: 404,
    title: 'Accept: application/problem+json gets the RFC 9457 form',
    run: async (ctx) => {
      const spec = { method: 'GET', target: unknownPath(), headers: [['Accept', 'application/problem+json']] as const };
      return (await expectAnswer(ctx, spec, 404)).checks;
    },
  },
];
