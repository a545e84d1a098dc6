import { parseDictionary, parseList } from '../../sf/index.ts';
import { anyPath, expectAnswer, jsonBody, type Probe, type ProbeContext, pathOf } from '../probe.ts';
import type { Check } from '../types.ts';
import { expectCode, fail, ok } from '../verdict.ts';
import { header, type WireResponse } from '../wire/reader.ts';

const JSON_ACCEPT = ['Accept', 'application/json'] as const;
/** The deadline the 504 probe asks for. */
const SHORT_DEADLINE = 50; // ms
/** Connections the 429 probe keeps busy at once. */
const LOAD_CONNECTIONS = 8;

/** A 408 must close the connection it gives up on (catalog: Connection: close; RFC 9112 §9.6). */
function closedCheck(closed: boolean): Check {
  return closed
    ? ok('closed', 'the connection was closed')
    : fail('closed', 'the connection stayed open after the 408');
}

const whole = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0;

/**
 * Whether a RateLimit / RateLimit-Policy value is of a generation of
 * draft-ietf-httpapi-ratelimit-headers: -08 on, a Structured Field List
 * (RFC 9651 §3.1) of policy names (sf-strings) with integer `r` / `q`; -07,
 * a Dictionary `limit=, remaining=, reset=` / a List of integer quotas with `w`.
 * Undefined when it is, else what is wrong.
 */
function rateLimitProblem(field: 'RateLimit' | 'RateLimit-Policy', value: string): string | undefined {
  const param = field === 'RateLimit' ? 'r' : 'q';
  try {
    const members = parseList(value);
    if (members.every(([name, params]) => typeof name === 'string' && whole(params.get(param)))) return undefined;
    if (field === 'RateLimit-Policy' && members.every(([quota, params]) => whole(quota) && whole(params.get('w'))))
      return undefined;
  } catch {
    // Not a list: draft-07's RateLimit is a dictionary.
  }
  if (field === 'RateLimit') {
    try {
      const d = parseDictionary(value);
      if (['limit', 'remaining', 'reset'].every((k) => whole(d.get(k)?.[0]))) return undefined;
    } catch {
      // Neither form.
    }
  }
  return `each member is a policy name (sf-string) with an integer ${param} ≥ 0 (draft-ietf-httpapi-ratelimit-headers-08, RFC 9651)`;
}

/** The RateLimit fields of an answer parse as one of the draft's generations. */
export function rateLimitSyntax(res: Pick<WireResponse, 'headers'>): Check[] {
  const checks: Check[] = [];
  for (const field of ['RateLimit-Policy', 'RateLimit'] as const) {
    const value = header(res, field);
    if (value === undefined) continue;
    const problem = rateLimitProblem(field, value);
    checks.push(
      problem
        ? fail(`${field} syntax`, `${field}: ${value}: ${problem}`)
        : ok(`${field} syntax`, `${field}: ${value} parses`),
    );
  }
  return checks;
}

/** Sends up to ctx.load requests to the limited route until one is answered 429. */
async function untilLimited(ctx: ProbeContext): Promise<{ res: WireResponse | undefined; sent: number }> {
  const target = pathOf(ctx, 'limited');
  let issued = 0;
  let limited: WireResponse | undefined;
  const worker = async () => {
    while (!limited && issued < ctx.load) {
      const first = ++issued === 1;
      const sent = await ctx.send({ method: 'GET', target, headers: [JSON_ACCEPT] }, false);
      // Only the first request and the first 429 are recorded; the rest would flood the report.
      if (first) ctx.record(sent.exchange);
      if (sent.res?.status === 429 && !limited) {
        limited = sent.res;
        if (!first) ctx.record(sent.exchange);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(LOAD_CONNECTIONS, ctx.load) }, worker));
  return { res: limited, sent: issued };
}

/** Probes of handler failures, deadlines, slow clients and rate limits. */
export const FAILURE_PROBES: readonly Probe[] = [
  {
    id: '500-no-leak',
    code: 500,
    title: 'a failing handler is answered 500 with the error body and no stack trace or path',
    needs: ['error'],
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: pathOf(ctx, 'error'), headers: [JSON_ACCEPT] }, 500)).checks,
  },
  {
    id: '504-deadline',
    code: 504,
    title: `a request whose own deadline (X-Request-Timeout: ${SHORT_DEADLINE}) passes is answered 504`,
    needs: ['slow'],
    run: async (ctx) => {
      const headers = [JSON_ACCEPT, ['X-Request-Timeout', String(SHORT_DEADLINE)]] as const;
      return (await expectAnswer(ctx, { method: 'GET', target: pathOf(ctx, 'slow'), headers }, 504)).checks;
    },
  },
  {
    id: '401-challenge',
    code: 401,
    title: 'a request without credentials to a protected route is answered 401 with a WWW-Authenticate challenge',
    needs: ['protected'],
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: pathOf(ctx, 'protected'), headers: [JSON_ACCEPT] }, 401))
        .checks,
  },
  {
    id: '503-unavailable',
    code: 503,
    title: 'a route that is switched off is answered 503 with the error body; Retry-After, when sent, is well-formed',
    needs: ['unavailable'],
    run: async (ctx) =>
      (await expectAnswer(ctx, { method: 'GET', target: pathOf(ctx, 'unavailable'), headers: [JSON_ACCEPT] }, 503))
        .checks,
  },
  {
    id: '408-headers',
    code: 408,
    title: 'a header section never finished is answered 408 with Connection: close',
    mode: 'slow',
    run: async (ctx) => {
      const spec = {
        method: 'GET',
        target: anyPath(ctx),
        headers: [JSON_ACCEPT] as const,
        close: false,
        stallHeaders: true,
        timeout: ctx.slowWait,
      };
      const { checks, sent } = await expectAnswer(ctx, spec, 408);
      return sent.res?.status === 408 ? [...checks, closedCheck(sent.exchange.closed)] : checks;
    },
  },
  {
    id: '408-body',
    code: 408,
    title: 'a body that stops half-way is answered 408 with Connection: close',
    mode: 'slow',
    needs: ['collection'],
    run: async (ctx) => {
      const body = jsonBody(ctx.target.validBody ?? { statuskit: 'check' });
      const spec = {
        method: 'POST',
        target: pathOf(ctx, 'collection'),
        headers: [
          JSON_ACCEPT,
          ['Content-Type', 'application/json'],
          ['Content-Length', String(Buffer.byteLength(body))],
        ] as const,
        body,
        bodyMode: 'partial' as const,
        close: false,
        timeout: ctx.slowWait,
      };
      const { checks, sent } = await expectAnswer(ctx, spec, 408);
      return sent.res?.status === 408 ? [...checks, closedCheck(sent.exchange.closed)] : checks;
    },
  },
  {
    id: '429-rate-limit',
    code: 429,
    title: 'going over the rate limit is answered 429 with Retry-After and RateLimit fields',
    mode: 'load',
    needs: ['limited'],
    run: async (ctx) => {
      const { res, sent } = await untilLimited(ctx);
      if (!res) return [fail('status', `no 429 after ${sent} requests (--load ${ctx.load})`)];
      // The catalog's condition "when a rate-limit policy applies" holds on a rate-limited route.
      const checks = expectCode(res, 429, {
        method: 'GET',
        profile: ctx.profile,
        applies: ['RateLimit', 'RateLimit-Policy'],
      });
      return [...checks, ...rateLimitSyntax(res), ok('load', `429 after ${sent} requests`)];
    },
  },
];
