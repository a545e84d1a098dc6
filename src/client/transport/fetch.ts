import { AttemptTimeout, type BodyInit, type FetchLike, type Transport, withUrl } from './types.ts';

/** Sends through an injected fetch; redirects come back to the client (`redirect: 'manual'`). */
export function fetchTransport(fetchImpl: FetchLike): Transport {
  return async function send(request) {
    const { timeout } = request;
    let timer: NodeJS.Timeout | undefined;
    let signal = request.signal;
    if (timeout !== Number.POSITIVE_INFINITY) {
      const controller = new AbortController();
      timer = setTimeout(() => controller.abort(new AttemptTimeout(timeout)), timeout);
      signal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
    }
    const init: RequestInit & { duplex?: 'half' } = {
      method: request.method,
      headers: request.headers,
      body: request.body as BodyInit | null,
      redirect: 'manual',
      signal: signal ?? null,
    };
    // Fetch requires half duplex for a streamed request body.
    if (request.body !== null && typeof request.body === 'object' && Symbol.asyncIterator in request.body) {
      init.duplex = 'half';
    }
    try {
      const response = await fetchImpl(request.url, init);
      return response.url ? response : withUrl(response, request.url);
    } finally {
      // Like the default transport, the attempt's limit covers the wait for the answer's head.
      clearTimeout(timer);
    }
  };
}
