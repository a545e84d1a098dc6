import type { BodyInit } from './transport/types.ts';

/** A request body ready to send once or many times. */
export interface PreparedBody {
  /** Bytes or text the client holds (replayable), a stream it can send once, or none. */
  readonly data: Uint8Array | string | AsyncIterable<Uint8Array> | null;
  readonly replayable: boolean;
  /** The media type the body implies, used when the request sets none. */
  readonly contentType: string | undefined;
}

const NONE: PreparedBody = { data: null, replayable: true, contentType: undefined };

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array>)?.[Symbol.asyncIterator] === 'function';
}

/**
 * Resolves a body once per call into what the attempts send. Everything but
 * a stream is held as bytes, so it can be repeated and signed; the content
 * types are the ones the Fetch standard's "extract a body" gives.
 */
export async function prepareBody(body: BodyInit | null | undefined, json: unknown): Promise<PreparedBody> {
  if (json !== undefined) {
    return { data: JSON.stringify(json), replayable: true, contentType: 'application/json' };
  }
  if (body === null || body === undefined) return NONE;
  if (typeof body === 'string') return { data: body, replayable: true, contentType: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { data: body, replayable: true, contentType: undefined };
  if (body instanceof ArrayBuffer) return { data: new Uint8Array(body), replayable: true, contentType: undefined };
  if (ArrayBuffer.isView(body)) {
    return {
      data: new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      replayable: true,
      contentType: undefined,
    };
  }
  if (body instanceof URLSearchParams) {
    return { data: body.toString(), replayable: true, contentType: 'application/x-www-form-urlencoded;charset=UTF-8' };
  }
  if (body instanceof ReadableStream || isAsyncIterable(body)) {
    return { data: body as AsyncIterable<Uint8Array>, replayable: false, contentType: undefined };
  }
  // Blob and FormData: let the platform serialise them (multipart boundary included).
  const extracted = new Response(body);
  const bytes = new Uint8Array(await extracted.arrayBuffer());
  return { data: bytes, replayable: true, contentType: extracted.headers.get('content-type') ?? undefined };
}

/** The exact bytes for signing; undefined for a stream (signed as UNSIGNED-PAYLOAD). */
export function signableBody(body: PreparedBody): string | Uint8Array | undefined {
  return body.replayable ? ((body.data as string | Uint8Array | null) ?? undefined) : undefined;
}
