/**
 * size — owns 413 Content Too Large.
 *
 * RFC 9110 §15.5.14: refuse a body larger than the server will process; the
 * server MAY close the connection. Decided from Content-Length before a byte
 * of the body is read, so the body stays unread and the answer carries
 * Connection: close (RFC 9112 §9.6). A chunked body has no declared length:
 * ../body.ts cuts it at the same limit.
 */
import { StatusError } from '../../errors.ts';
import type { Context } from '../context.ts';

export const owns = [413] as const;

export function sizeGuard() {
  return function size(ctx: Context): void {
    const declared = ctx.req.headers['content-length'];
    if (declared === undefined) return;
    const limit = ctx.bodyLimit;
    // node's parser has already refused a Content-Length that is not a number.
    if (Number(declared) > limit) {
      throw new StatusError(413, `The request body is ${declared} bytes; the limit is ${limit} bytes.`, {
        headers: { connection: 'close' },
      });
    }
  };
}
