import { ENTRIES, getCode } from '../../catalog/index.ts';
import { JSON_TYPE, StatusError } from '../../errors.ts';
import { sendJson } from '../../server/respond.ts';
import type { Handler, RouteDef } from '../../server/types.ts';
import { localPath, tagResponse } from '../state.ts';

/** Redirect codes and what a client does with the method (RFC 9110 §15.4). */
const REDIRECTS: Readonly<Record<string, string>> = {
  // RFC 9110 §15.4.2/§15.4.3: user agents may change POST to GET for 301/302 (a historical quirk).
  '301': 'permanent; a client may turn POST into GET, and should update stored links',
  '302': 'temporary; a client may turn POST into GET',
  '303': 'see other; the client follows with GET whatever the method was',
  // RFC 9110 §15.4.8/§15.4.9: 307 and 308 forbid changing the method.
  '307': 'temporary; the client repeats the same method and body',
  '308': 'permanent; the client repeats the same method and body',
};

const CHOICES = [
  { href: '/report.json', type: 'application/json' },
  { href: '/report.csv', type: 'text/csv' },
] as const;

/** The contract summary the report representations carry. */
function reportRows() {
  return ENTRIES.map((e) => ({ code: e.code, name: e.name, guidance: e.guidance }));
}

const BODY_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const every = (h: Handler) => Object.fromEntries(BODY_METHODS.map((m) => [m, h]));

/** Redirects with Location (301/302/303/307/308), their target, and a 300 with its choices. */
export function redirectRoutes(): RouteDef[] {
  const csv = `code,name,guidance\n${reportRows()
    .map((r) => `${r.code},${r.name},${r.guidance}`)
    .join('\n')}\n`;
  return [
    {
      path: '/redirect/:code',
      methods: every((ctx) => {
        const code = ctx.params.code as string;
        const meaning = REDIRECTS[code];
        if (!meaning) {
          throw new StatusError(
            404,
            `There is no redirect ${code} here; try one of ${Object.keys(REDIRECTS).join(', ')}.`,
          );
        }
        const location = localPath(ctx.query.get('to'), '/redirected', 'to');
        const status = Number(code);
        const body = { status, location, meaning };
        if (getCode(status)) return sendJson(ctx, status, body, { Location: location });
        // 307/308 are outside the contract's tables (sendJson refuses them) but every
        // client that follows redirects meets them; RFC 9110 §15.4.8/§15.4.9 need Location.
        const text = JSON.stringify(body);
        tagResponse(ctx);
        ctx.res.writeHead(status, {
          Location: location,
          'Content-Type': JSON_TYPE,
          'Content-Length': Buffer.byteLength(text),
        });
        ctx.res.end(text);
      }),
    },
    {
      // Where redirects lead: says which method and how many body bytes arrived, so 303 vs 307 is visible.
      path: '/redirected',
      methods: every(async (ctx) => {
        const body = await ctx.body();
        sendJson(ctx, 200, { method: ctx.method, path: ctx.path, body_bytes: body.length });
      }),
    },
    {
      path: '/report',
      methods: {
        GET(ctx) {
          // RFC 9110 §15.4.1: several representations, none preferred — list them (Link, body), no Location.
          const links = CHOICES.map((c) => `<${c.href}>; rel="alternate"; type="${c.type}"`);
          sendJson(ctx, 300, { choices: CHOICES }, { Link: links });
        },
      },
    },
    {
      path: '/report.json',
      produces: ['application/json'],
      methods: { GET: (ctx) => sendJson(ctx, 200, { codes: reportRows() }) },
    },
    {
      path: '/report.csv',
      produces: ['text/csv'],
      methods: {
        GET(ctx) {
          tagResponse(ctx);
          ctx.res.writeHead(200, {
            'Content-Type': 'text/csv; charset=utf-8',
            'Content-Length': Buffer.byteLength(csv),
          });
          ctx.res.end(csv);
        },
      },
    },
  ];
}
