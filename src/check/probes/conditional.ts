import { expectAnswer, type Probe, type ProbeContext, pathOf } from '../probe.ts';
import type { Check } from '../types.ts';
import { fail, ok } from '../verdict.ts';
import { header, type WireResponse } from '../wire/reader.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;

/** GETs the resource once to learn its validators; a failure here is the probe's failure. */
async function current(ctx: ProbeContext, field: 'etag' | 'last-modified'): Promise<WireResponse | Check> {
  const sent = await ctx.send({ method: 'GET', target: pathOf(ctx, 'resource'), headers: [JSON_ACCEPT] });
  if (sent.res?.status !== 200) {
    return fail('status', `GET ${pathOf(ctx, 'resource')} answered ${sent.res?.statusLine ?? 'nothing'}, expected 200`);
  }
  if (!header(sent.res, field))
    return fail(field, `the resource's 200 carries no ${field === 'etag' ? 'ETag' : 'Last-Modified'}`);
  return sent.res;
}

const isCheck = (v: WireResponse | Check): v is Check => 'ok' in v;

/** Probes of conditional requests and byte ranges. */
export const CONDITIONAL_PROBES: readonly Probe[] = [
  {
    id: '304-if-none-match',
    code: 304,
    title: 'GET with If-None-Match of the current ETag is answered 304 with ETag and no body',
    needs: ['resource'],
    run: async (ctx) => {
      const res = await current(ctx, 'etag');
      if (isCheck(res)) return [res];
      const etag = header(res, 'etag') as string;
      const spec = {
        method: 'GET',
        target: pathOf(ctx, 'resource'),
        headers: [JSON_ACCEPT, ['If-None-Match', etag]] as const,
      };
      const { checks, sent } = await expectAnswer(ctx, spec, 304);
      // RFC 9110 §15.4.5: the 304 carries the ETag the 200 would have carried.
      if (sent.res?.status !== 304) return checks;
      const same = header(sent.res, 'etag') === etag;
      return [
        ...checks,
        same
          ? ok('same ETag', 'ETag as on the 200')
          : fail('same ETag', `ETag ${header(sent.res, 'etag')} differs from ${etag}`),
      ];
    },
  },
  {
    id: '304-if-modified-since',
    code: 304,
    title: 'GET with If-Modified-Since of Last-Modified is answered 304',
    needs: ['resource'],
    run: async (ctx) => {
      const res = await current(ctx, 'last-modified');
      if (isCheck(res)) return [res];
      const since = header(res, 'last-modified') as string;
      const spec = {
        method: 'GET',
        target: pathOf(ctx, 'resource'),
        headers: [JSON_ACCEPT, ['If-Modified-Since', since]] as const,
      };
      return (await expectAnswer(ctx, spec, 304)).checks;
    },
  },
  {
    id: '412-if-match',
    code: 412,
    title: 'PUT with an If-Match that does not hold is answered 412 and changes nothing',
    needs: ['resource'],
    run: async (ctx) => {
      const res = await current(ctx, 'etag');
      if (isCheck(res)) return [res];
      // The current representation is sent back, so even a server that ignores If-Match changes nothing.
      const spec = {
        method: 'PUT',
        target: pathOf(ctx, 'resource'),
        headers: [
          JSON_ACCEPT,
          ['Content-Type', header(res, 'content-type') ?? 'application/json'],
          ['Content-Length', String(res.body.length)],
          ['If-Match', '"statuskit-check-stale"'],
        ] as const,
        body: res.body,
      };
      return (await expectAnswer(ctx, spec, 412)).checks;
    },
  },
  {
    id: '206-range',
    code: 206,
    title: 'GET with a satisfiable Range is answered 206 with Content-Range and those bytes',
    needs: ['blob'],
    run: async (ctx) => {
      const spec = { method: 'GET', target: pathOf(ctx, 'blob'), headers: [['Range', 'bytes=0-3']] as const };
      const { checks, sent } = await expectAnswer(ctx, spec, 206);
      if (sent.res?.status !== 206) return checks;
      // RFC 9110 §14.4: the content is exactly the range Content-Range names.
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/i.exec(header(sent.res, 'content-range') ?? '');
      const span = m ? Number(m[2]) - Number(m[1]) + 1 : -1;
      const fits =
        m && Number(m[1]) === 0 && span === sent.res.body.length && span <= 4
          ? ok('range content', `${span} bytes, as Content-Range says`)
          : fail(
              'range content',
              `${sent.res.body.length} bytes of content for Content-Range ${header(sent.res, 'content-range') ?? '(none)'}`,
            );
      return [...checks, fits];
    },
  },
  {
    id: '416-range',
    code: 416,
    title: 'GET with a Range past the end is answered 416 with Content-Range: bytes */LENGTH',
    needs: ['blob'],
    run: async (ctx) => {
      const spec = {
        method: 'GET',
        target: pathOf(ctx, 'blob'),
        headers: [
          ['Accept', '*/*'],
          ['Range', 'bytes=1000000000000-'],
        ] as const,
      };
      return (await expectAnswer(ctx, spec, 416)).checks;
    },
  },
];
