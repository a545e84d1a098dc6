import { type BodyInit, type FetchLike, type Transport, withUrl } from './types.ts';

/** Sends through an injected fetch; redirects come back to the client (`redirect: 'manual'`). */
export function fetchTransport(fetchImpl: FetchLike): Transport {
  return async function send(request) {
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | null,
      redirect: 'manual',
      signal: request.signal ?? null,
    };
    // Fetch requires half duplex for a streamed request body.
    if (request.body !== null && typeof request.body === 'object' && Symbol.asyncIterator in request.body) {
      init.duplex = 'half';
    }
    const response = await fetchImpl(request.url, init);
    return response.url ? response : withUrl(response, request.url);
  };
}
