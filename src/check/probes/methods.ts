import { type ContractCode, ENTRIES, getCode } from '../../catalog/index.ts';
import { anyPath, expectAnswer, type Probe, pathOf } from '../probe.ts';
import type { Check } from '../types.ts';
import { describeStatus, expectCode, fail, ok } from '../verdict.ts';
import { header, type WireResponse } from '../wire/reader.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;

/** RFC 9110 §10.2.1: Allow lists the methods the target resource supports. */
function allowLists(value: string | undefined, method: string): boolean {
  return (value ?? '').split(',').some((m) => m.trim().toUpperCase() === method);
}

function allowCheck(value: string | undefined, present: readonly string[], absent: readonly string[]): Check {
  const missing = present.filter((m) => !allowLists(value, m));
  const wrong = absent.filter((m) => allowLists(value, m));
  if (missing.length) return fail('Allow lists', `Allow: ${value ?? ''} does not list ${missing.join(', ')}`);
  if (wrong.length) return fail('Allow lists', `Allow: ${value ?? ''} lists ${wrong.join(', ')}, which was refused`);
  return ok('Allow lists', `Allow lists ${present.join(', ')}`);
}

/** The redirects a client follows, from the catalog's guidance. */
const FOLLOWED = ENTRIES.filter((e) => e.guidance === 'follow')
  .map((e) => e.code)
  .join(', ');

// Header fields whose value belongs to one answer, not to the representation.
const PER_ANSWER = new Set(['date', 'x-request-id', 'connection', 'keep-alive', 'content-length', 'transfer-encoding']);

/** RFC 9110 §9.3.2: the server SHOULD send the same header fields for HEAD as for GET. */
function headParity(get: WireResponse, head: WireResponse): Check {
  if (get.status !== 200) return fail('same as GET', `GET answered ${get.statusLine}, HEAD 200`);
  const names = (res: WireResponse) =>
    new Set(res.headers.map(([n]) => n.toLowerCase()).filter((n) => !PER_ANSWER.has(n)));
  const onGet = names(get);
  const onHead = names(head);
  const missing = [...onGet].filter((n) => !onHead.has(n));
  const extra = [...onHead].filter((n) => !onGet.has(n));
  const differing = ['content-type', 'etag', 'last-modified'].filter((n) => header(get, n) !== header(head, n));
  const problems = [
    missing.length ? `HEAD lacks ${missing.join(', ')}` : '',
    extra.length ? `HEAD adds ${extra.join(', ')}` : '',
    differing.length ? `${differing.join(', ')} differ` : '',
  ].filter(Boolean);
  return problems.length
    ? fail('same as GET', problems.join('; '))
    : ok('same as GET', `same ${onGet.size} header fields as GET`);
}

/** Probes of methods, content negotiation, HEAD and redirects. */
export const METHOD_PROBES: readonly Probe[] = [
  {
    id: '204-options',
    code: 204,
    title: 'OPTIONS on a route is answered 204 with Allow',
    needs: ['getOnly'],
    run: async (ctx) => {
      const { checks, sent } = await expectAnswer(ctx, { method: 'OPTIONS', target: pathOf(ctx, 'getOnly') }, 204, {
        applies: ['Allow'], // the catalog's condition "when answering OPTIONS" holds
      });
      return sent.res?.status === 204 ? [...checks, allowCheck(header(sent.res, 'allow'), ['GET'], [])] : checks;
    },
  },
  {
    id: '405-allow',
    code: 405,
    title: 'a method the route does not take is answered 405 with Allow',
    needs: ['getOnly'],
    run: async (ctx) => {
      const spec = { method: 'DELETE', target: pathOf(ctx, 'getOnly'), headers: [JSON_ACCEPT] };
      const { checks, sent } = await expectAnswer(ctx, spec, 405);
      return sent.res?.status === 405
        ? [...checks, allowCheck(header(sent.res, 'allow'), ['GET'], ['DELETE'])]
        : checks;
    },
  },
  {
    id: '417-expectation',
    code: 417,
    title: 'an Expect value other than 100-continue is answered 417',
    applies: (t) => ((t.getOnly ?? t.resource ?? t.jsonOnly ?? t.blob) ? undefined : 'the target names no GET route'),
    // RFC 9110 §10.1.1: a server that receives an Expect value it does not support MAY answer 417.
    run: async (ctx) => {
      const spec = {
        method: 'GET',
        target: anyPath(ctx),
        headers: [JSON_ACCEPT, ['Expect', 'statuskit-check']] as const,
      };
      return (await expectAnswer(ctx, spec, 417)).checks;
    },
  },
  {
    id: '406-accept',
    code: 406,
    title: 'an Accept no representation matches is answered 406',
    needs: ['jsonOnly'],
    run: async (ctx) => {
      const spec = { method: 'GET', target: pathOf(ctx, 'jsonOnly'), headers: [['Accept', 'image/png']] as const };
      return (await expectAnswer(ctx, spec, 406)).checks;
    },
  },
  {
    id: '200-head-parity',
    code: 200,
    title: 'HEAD answers with the same status and headers as GET, and no content',
    needs: ['resource'],
    run: async (ctx) => {
      const target = pathOf(ctx, 'resource');
      const get = await ctx.send({ method: 'GET', target, headers: [JSON_ACCEPT] });
      const { checks, sent } = await expectAnswer(ctx, { method: 'HEAD', target, headers: [JSON_ACCEPT] }, 200);
      if (!get.res || sent.res?.status !== 200) return checks;
      return [...checks, headParity(get.res, sent.res)];
    },
  },
  {
    id: '3xx-location',
    code: 301,
    title: 'a redirect is a contract 3xx carrying Location',
    needs: ['redirect'],
    run: async (ctx) => {
      const sent = await ctx.send({ method: 'GET', target: pathOf(ctx, 'redirect'), headers: [JSON_ACCEPT] });
      const status = sent.res?.status;
      const entry = status === undefined ? undefined : getCode(status);
      if (!sent.res || !entry || entry.guidance !== 'follow') {
        const got = sent.res ? describeStatus(sent.res.status, ctx.profile) : 'no answer';
        return [fail('status', `expected a redirect the contract lists (${FOLLOWED}), got ${got}`)];
      }
      const code = entry.code as ContractCode;
      return { code, checks: expectCode(sent.res, code, { method: 'GET', profile: ctx.profile }) };
    },
  },
];
