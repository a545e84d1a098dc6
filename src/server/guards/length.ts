/**
 * length — owns 411 Length Required.
 *
 * RFC 9110 §15.5.12: the server refuses a request without Content-Length.
 * CONTRACT.md: only POST/PUT/PATCH, only on routes with `requireLength`.
 * A chunked body (RFC 9112 §6.1) has no declared length either; its body is
 * left unread, so the connection is closed after the answer.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';

export const owns = [411] as const;

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

export function lengthGuard() {
  return function length(ctx: Context): void {
    if (!ctx.route?.requireLength || !WITH_BODY.has(ctx.method)) return;
    const headers = ctx.req.headers;
    if (headers['content-length'] !== undefined) return;
    throw new StatusError(411, `${ctx.method} ${ctx.path} needs a Content-Length header.`, {
      headers: headers['transfer-encoding'] === undefined ? {} : { connection: 'close' },
    });
  };
}
