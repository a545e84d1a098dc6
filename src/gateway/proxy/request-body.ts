import type { Readable } from 'node:stream';
import { StatusError } from '../../errors.ts';
import type { RequestContext } from '../../server/types.ts';
import { SIGNED_BODY_STATE } from '../policies/auth/principal.ts';

/**
 * The request body as undici gets it: always an iterable, never a stream.
 * RFC 9112 §6: the client chose the framing and the upstream sees the same
 * one — undici frames an iterable by the Content-Length field when one was
 * declared and chunked otherwise, where a stream that happened to end before
 * the upstream connection was ready would be re-framed with a length (and an
 * upstream's 411 for a chunked body would never come). A signed body was read
 * (and verified) by the auth guard: those exact bytes go on.
 */
export function bodyFor(ctx: RequestContext, chunked: boolean): Iterable<Buffer> | AsyncIterable<Buffer> | Buffer {
  const signed = ctx.state[SIGNED_BODY_STATE] as Buffer | undefined;
  if (signed) return chunked ? [signed] : signed;
  // A declared length was checked by the front's size guard; a chunked body is counted on its way.
  return streamedBody(ctx, chunked ? ctx.forwarding.bodyLimit : Number.POSITIVE_INFINITY);
}

/**
 * The client's body, chunk by chunk, failing with 413 as soon as it passes
 * `limit` (RFC 9110 §15.5.14); the upstream request is aborted with it, and
 * the client's unread rest is left to Connection: close. Stopping early
 * leaves the client's request alone (the front answers on it); it ends with
 * the client connection.
 */
async function* streamedBody(ctx: RequestContext, limit: number): AsyncGenerator<Buffer> {
  const req: Readable = ctx.req;
  const fwd = ctx.forwarding;
  let size = 0;
  const chunks = (req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  try {
    for (;;) {
      // While the client's next bytes are awaited, a deadline that passes is the client's (408, see
      // the front's deadline guard); while the upstream takes a chunk (back-pressure), it is not.
      fwd.awaitingBody = true;
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } finally {
        fwd.awaitingBody = false;
      }
      if (next.done) return;
      const chunk = next.value;
      size += chunk.length;
      if (size > limit)
        throw new StatusError(413, `The request body passed the limit of ${limit} bytes.`, {
          headers: { connection: 'close' },
        });
      yield chunk;
    }
  } finally {
    // As for-await would: the request's iterator lets go of its listeners (the request itself stays).
    await chunks.return?.();
  }
}
