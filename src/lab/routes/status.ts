import {
  type CodeEntry,
  type ErrorCode,
  getCode,
  inProfile,
  nameIn,
  nearestCodes,
  type Profile,
} from '../../catalog/index.ts';
import { type HeaderValues, StatusError } from '../../errors.ts';
import { rateLimitHeaderValues } from '../../gateway/policies/limits/fields.ts';
import { sendEmpty, sendJson } from '../../server/respond.ts';
import type { Handler, RequestContext, RouteDef } from '../../server/types.ts';
import { queryInt, tagResponse } from '../state.ts';
import type { Echo } from '../ws.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
/** The Allow of /status/{code}: its methods, HEAD with GET, and OPTIONS (RFC 9110 §10.2.1). */
const ALLOW = `${METHODS.join(', ')}, HEAD, OPTIONS`;
/** The representation /status/206 and /status/416 take their ranges of. */
const SAMPLE = Buffer.from('abcdefghijklmnopqrstuvwxyz');
const MAX_RETRY_AFTER = 86_400; // 1 day, in seconds

/** Why a code cannot be asked for under a profile, or undefined when it can. */
function refusal(text: string, profile: Profile): string | undefined {
  if (!/^\d{3}$/.test(text)) return `"${text}" is not a status code: ask for three digits, such as /status/404.`;
  const code = Number(text);
  const entry = getCode(code);
  if (!entry) {
    const near = nearestCodes(code, 3, profile).map((e) => `${e.code} ${nameIn(e, profile)}`);
    return `${code} is not a code of the statuskit contract, so the lab never answers it${near.length ? `; nearest contract codes: ${near.join(', ')}` : ''}.`;
  }
  if (entry.guidance === 'never-issued') {
    return `${code} ${entry.name} is in the contract but never issued: ${entry.summary}`;
  }
  if (!inProfile(code, profile)) {
    return `${code} ${entry.name} is listed only by the ${entry.tables.join(', ')} table${entry.tables.length > 1 ? 's' : ''}; under the ${profile} profile the same failure is answered with 401.`;
  }
  return undefined;
}

/**
 * The value this route gives each header the catalog requires with a code:
 * `always` headers every time, `conditional` ones when their condition holds
 * for this request (Retry-After when asked for with `?retry_after=`).
 */
function headersFor(entry: CodeEntry, ctx: RequestContext, retryAfter: number | undefined): HeaderValues {
  const h: HeaderValues = {};
  for (const rule of entry.headers) {
    const field: string = rule.field;
    switch (field) {
      case 'Location':
        h.Location = '/redirected';
        break;
      case 'Allow':
        if (entry.code === 405) h.Allow = ALLOW;
        break;
      case 'WWW-Authenticate':
        h['WWW-Authenticate'] = 'Bearer realm="statuskit-lab"';
        break;
      case 'Proxy-Authenticate':
        h['Proxy-Authenticate'] = 'Basic realm="statuskit-lab proxy"';
        break;
      case 'Connection':
        // 408 and 413 (the body is left unread here): the connection closes after the answer.
        h.Connection = 'close';
        break;
      case 'Retry-After':
        // 429 always carries it (1 s unless asked); 413 and 503 only when the condition is temporary.
        if (retryAfter !== undefined || rule.required === 'always') h['Retry-After'] = retryAfter ?? 1;
        break;
      case 'RateLimit-Policy':
      case 'RateLimit':
        // Both from the gateway's formatter (draft-ietf-httpapi-ratelimit-headers), an exhausted policy.
        h[field] = rateLimitHeaderValues([
          { name: 'lab', limit: 100, window: 60, remaining: 0, reset: retryAfter ?? 1 },
        ])[field] as string;
        break;
      case 'Accept-Post':
        if (ctx.method === 'POST') h['Accept-Post'] = 'application/json';
        break;
      case 'Accept-Patch':
        if (ctx.method === 'PATCH') h['Accept-Patch'] = 'application/json';
        break;
      case 'Content-Range':
        h['Content-Range'] = entry.code === 416 ? `bytes */${SAMPLE.length}` : `bytes 0-9/${SAMPLE.length}`;
        break;
      case 'Accept-Ranges':
        h['Accept-Ranges'] = 'bytes';
        break;
      case 'ETag':
        h.ETag = '"status-304"';
        break;
      case 'Link':
        h.Link = [
          '</report.json>; rel="alternate"; type="application/json"',
          '</report.csv>; rel="alternate"; type="text/csv"',
        ];
        break;
      case 'Upgrade':
        break; // 101 is answered by the WebSocket handshake of /status/101.
      default:
        throw new TypeError(`The lab has no value for header ${field} (status ${entry.code}).`);
    }
  }
  return h;
}

/**
 * /status/100: a 100 is interim, never a final answer (RFC 9110 §15.2). A
 * request with `Expect: 100-continue` gets the 100 (sent by the front as the
 * body is read, RFC 9110 §10.1.1), then a final 200. Without it the lab sends
 * no 100: an unasked-for 1xx is allowed, but common clients (undici) fail on
 * it, so the 200 says how to ask for one.
 */
async function answerContinue(ctx: RequestContext): Promise<void> {
  const expects = ctx.req.httpVersionMinor >= 1 && ctx.req.headers.expect?.toLowerCase() === '100-continue';
  if (expects) await ctx.body();
  sendJson(ctx, 200, {
    status: 200,
    interim: expects ? [100] : [],
    note: expects
      ? '100 Continue came before this final answer.'
      : 'Send a body with Expect: 100-continue to get the interim 100 before this answer.',
  });
}

/** Answers a success or redirect code with its required headers. */
function answerSuccess(ctx: RequestContext, entry: CodeEntry, headers: HeaderValues): void {
  const code = entry.code;
  if (code === 206) {
    tagResponse(ctx);
    const part = SAMPLE.subarray(0, 10);
    for (const [k, v] of Object.entries(headers)) ctx.res.setHeader(k, v);
    ctx.res.writeHead(206, { 'Content-Type': 'text/plain', 'Content-Length': part.length });
    ctx.res.end(part);
    return;
  }
  if (!entry.body) sendEmpty(ctx, code, headers);
  else sendJson(ctx, code, { status: code, name: nameIn(entry, ctx.profile), summary: entry.summary }, headers);
}

/**
 * `/status/{code}` answers any code the active profile issues, on request,
 * with the headers the catalog requires for it; errors carry the profile's
 * error body. Codes the contract never issues, codes outside it, and codes
 * of another profile get 404 saying why.
 */
export function statusRoutes(echo: Echo): RouteDef[] {
  const handler: Handler = async (ctx) => {
    const text = ctx.params.code as string;
    const why = refusal(text, ctx.profile);
    if (why) throw new StatusError(404, why, { subcode: 'NOT_ISSUED' });
    const entry = getCode(Number(text)) as CodeEntry;
    const asked = ctx.query.has('retry_after') && entry.headers.some((h) => h.field === 'Retry-After');
    const retryAfter = asked ? queryInt(ctx, 'retry_after', 0, 0, MAX_RETRY_AFTER) : undefined;
    const headers = headersFor(entry, ctx, retryAfter);
    if (entry.code === 100) return answerContinue(ctx);
    if (entry.code < 400) return answerSuccess(ctx, entry, headers);
    throw new StatusError(
      entry.code as ErrorCode,
      `${entry.code} ${nameIn(entry, ctx.profile)}, answered on request by ${ctx.method} /status/${entry.code}.`,
      { headers },
    );
  };
  const methods = Object.fromEntries(METHODS.map((m) => [m, handler]));
  return [
    { path: '/status/:code', methods },
    {
      // An exact path wins over /status/:code: 101 needs a real Upgrade handshake.
      path: '/status/101',
      upgrade: echo.upgrade,
      methods: {
        GET() {
          // RFC 9110 §15.2.2 / §7.8: 101 answers only a request that asked to upgrade.
          throw new StatusError(
            400,
            '101 Switching Protocols answers only an Upgrade request: send Upgrade: websocket with a WebSocket handshake.',
            { subcode: 'UPGRADE' },
          );
        },
      },
    },
  ];
}
