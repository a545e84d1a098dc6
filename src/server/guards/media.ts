/**
 * media — owns 415 Unsupported Media Type.
 *
 * RFC 9110 §15.5.16: refuse content in a format the target does not take for
 * this method. Applies only to routes with `accepts` and to requests that
 * carry content (RFC 9110 §6.4.1: Content-Length above 0 or a
 * Transfer-Encoding). Content without Content-Type counts as
 * application/octet-stream (RFC 9110 §8.3). The answer says what would be
 * taken: Accept-Post for POST (W3C LDP §7.1), Accept-Patch for PATCH
 * (RFC 5789 §3.1).
 */
import { type HeaderValues, StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';

export const owns = [415] as const;

/** `type/subtype` of a Content-Type, lower case, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return 'application/octet-stream';
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** Whether a media range (`*\/*`, `text/*`, `text/plain`) covers a media type. */
export function rangeCovers(range: string, type: string): boolean {
  if (range === '*/*' || range === type) return true;
  return range.endsWith('/*') && type.startsWith(range.slice(0, -1));
}

function hasContent(ctx: Context): boolean {
  const h = ctx.req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

export function mediaGuard() {
  return function media(ctx: Context): void {
    const accepts = ctx.route?.accepts;
    if (!accepts || !hasContent(ctx)) return;
    const type = mediaTypeOf(ctx.req.headers['content-type']);
    for (const range of accepts) if (rangeCovers(range.toLowerCase(), type)) return;
    const list = accepts.join(', ');
    const headers: HeaderValues = {};
    if (ctx.method === 'POST') headers['accept-post'] = list;
    else if (ctx.method === 'PATCH') headers['accept-patch'] = list;
    throw new StatusError(415, `${ctx.method} ${ctx.path} takes ${list}, not ${type}.`, { headers });
  };
}
