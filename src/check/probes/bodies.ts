import { expectAnswer, jsonBody, type Probe, type ProbeContext, pathOf } from '../probe.ts';
import type { Check } from '../types.ts';
import { describeStatus, expectCode, fail, ok } from '../verdict.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;
const JSON_TYPE = ['Content-Type', 'application/json'] as const;
/** The largest body the checker sends on purpose (the 413 probe with a real body). */
const MAX_SENT_BODY = 8 * 1024 * 1024; // 8 MiB
/** What the 413 probe declares when the target gives no limit: more than any JSON API takes. */
const HUGE = 1024 ** 4; // 1 TiB, never sent

function validBody(ctx: ProbeContext): string {
  return jsonBody(ctx.target.validBody);
}

/** RFC 9112 §7.1: one chunk and the last-chunk. */
function chunked(body: string | Buffer): Buffer {
  const bytes = Buffer.from(body);
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n0\r\n\r\n')]);
}

/** A JSON body of exactly `size` bytes. */
function paddedJson(size: number): string {
  const shell = '{"statuskit_pad":""}';
  return `{"statuskit_pad":"${'a'.repeat(Math.max(0, size - shell.length))}"}`;
}

/** Probes of request bodies on the target's collection. */
export const BODY_PROBES: readonly Probe[] = [
  {
    id: '201-location',
    code: 201,
    title: 'a POST that creates a resource is answered 201 with Location',
    needs: ['collection', 'validBody'],
    run: async (ctx) => {
      const body = validBody(ctx);
      const length = ['Content-Length', String(Buffer.byteLength(body))] as const;
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [JSON_ACCEPT, JSON_TYPE, length],
        body,
      };
      return (await expectAnswer(ctx, spec, 201)).checks;
    },
  },
  {
    id: '100-continue',
    code: 100,
    title: 'Expect: 100-continue gets 100 before the body is sent, then the final answer',
    needs: ['collection', 'validBody'],
    run: async (ctx) => {
      const body = validBody(ctx);
      const sent = await ctx.send({
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [
          JSON_ACCEPT,
          JSON_TYPE,
          ['Content-Length', String(Buffer.byteLength(body))],
          ['Expect', '100-continue'],
        ],
        body,
        bodyMode: 'after-continue',
      });
      const first = sent.interim[0];
      // RFC 9110 §10.1.1: a server that will read the body sends 100 before reading it.
      if (!first) {
        const got = sent.res ? describeStatus(sent.res.status, ctx.profile) : 'no answer';
        return [fail('status', `no 100 Continue while the body was withheld (got ${got})`)];
      }
      const checks: Check[] = expectCode(first, 100, { method: 'POST', profile: ctx.profile });
      const final = expectCode(sent.res, 201, { method: 'POST', profile: ctx.profile })[0] as Check;
      return [...checks, { ...final, name: 'final answer' }];
    },
  },
  {
    id: '411-length',
    code: 411,
    title: 'a POST without Content-Length where the route requires one is answered 411',
    needs: ['collection'],
    applies: (t) => (t.requiresLength ? undefined : 'the target does not say the collection requires Content-Length'),
    run: async (ctx) => {
      const body = jsonBody(ctx.target.validBody ?? {});
      // HTTP/2 (RFC 9113 §8.1): no Transfer-Encoding; a body without Content-Length is its DATA frames.
      const spec = ctx.http2
        ? { method: 'POST', target: pathOf(ctx, 'collection'), headers: [JSON_ACCEPT, JSON_TYPE] as const, body }
        : {
            method: 'POST',
            target: pathOf(ctx, 'collection'),
            headers: [JSON_ACCEPT, JSON_TYPE, ['Transfer-Encoding', 'chunked']] as const,
            body: chunked(body),
          };
      return (await expectAnswer(ctx, spec, 411)).checks;
    },
  },
  {
    id: '413-declared',
    code: 413,
    title: 'a declared length over the limit is answered before any body byte is sent',
    needs: ['collection'],
    run: async (ctx) => {
      const length = ctx.target.bodyLimit === undefined ? HUGE : ctx.target.bodyLimit + 1;
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [JSON_ACCEPT, JSON_TYPE, ['Content-Length', String(length)]] as const,
        body: '',
        bodyMode: 'withhold' as const,
        close: false,
      };
      // The catalog's condition "when the body is left unread" holds: nothing was sent.
      // HTTP/2 has no Connection field (RFC 9113 §8.2.2): the stream reset after the answer says it.
      const { checks, sent } = await expectAnswer(ctx, spec, 413, { applies: ctx.http2 ? [] : ['Connection'] });
      if (sent.res?.status !== 413) return checks;
      // RFC 9112 §9.6: a server that sends Connection: close closes after the answer.
      const closed = sent.exchange.closed
        ? ok('closed', 'the connection was closed, the body never read')
        : fail('closed', 'Connection: close was sent, but the connection stayed open');
      return [...checks, closed];
    },
  },
  {
    id: '413-body',
    code: 413,
    title: 'a body actually larger than the limit is answered 413',
    needs: ['collection', 'bodyLimit'],
    applies: (t) =>
      (t.bodyLimit ?? 0) + 1 > MAX_SENT_BODY
        ? `the limit is over the ${MAX_SENT_BODY}-byte bound the checker sends`
        : undefined,
    run: async (ctx) => {
      const body = paddedJson((ctx.target.bodyLimit as number) + 1);
      // Without a declared length the server only learns the size while reading (RFC 9112 §7.1).
      const spec = ctx.target.requiresLength
        ? {
            method: 'POST',
            target: pathOf(ctx, 'collection'),
            headers: [JSON_ACCEPT, JSON_TYPE, ['Content-Length', String(body.length)]] as const,
            body,
          }
        : {
            method: 'POST',
            target: pathOf(ctx, 'collection'),
            headers: [JSON_ACCEPT, JSON_TYPE, ['Transfer-Encoding', 'chunked']] as const,
            body: chunked(body),
          };
      return (await expectAnswer(ctx, spec, 413)).checks;
    },
  },
  {
    id: '415-media-type',
    code: 415,
    title: 'a body in a media type the route does not take is answered 415 with Accept-Post',
    needs: ['collection'],
    run: async (ctx) => {
      const body = 'statuskit check';
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [JSON_ACCEPT, ['Content-Type', 'text/plain'], ['Content-Length', String(body.length)]] as const,
        body,
      };
      // RFC 9110 §15.5.16 and the catalog: Accept-Post applies on POST.
      return (await expectAnswer(ctx, spec, 415, { applies: ['Accept-Post'] })).checks;
    },
  },
  {
    id: '400-bad-json',
    code: 400,
    title: 'a body that is not valid JSON is answered 400',
    needs: ['collection'],
    run: async (ctx) => {
      const body = '{"statuskit": ';
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [JSON_ACCEPT, JSON_TYPE, ['Content-Length', String(body.length)]] as const,
        body,
      };
      return (await expectAnswer(ctx, spec, 400)).checks;
    },
  },
  {
    id: '422-validation',
    code: 422,
    title: 'a well-formed body that fails validation is answered 422',
    needs: ['collection', 'invalidBody'],
    run: async (ctx) => {
      const body = jsonBody(ctx.target.invalidBody);
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [JSON_ACCEPT, JSON_TYPE, ['Content-Length', String(Buffer.byteLength(body))]] as const,
        body,
      };
      return (await expectAnswer(ctx, spec, 422)).checks;
    },
  },
];
