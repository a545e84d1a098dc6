import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { type Transport, type TransportRequest, withUrl } from './types.ts';

type Controller = Dispatcher.DispatchController;

/**
 * Up to 64 KiB is taken off the socket before the reader asks, so a small
 * answer nobody reads still completes and frees its connection for reuse.
 */
const BUFFERED: QueuingStrategy<Uint8Array> = { highWaterMark: 64 * 1024, size: (chunk) => chunk.byteLength };

/** RFC 9110 §6.4.1: these answers never carry content, whatever the framing says. */
function bodiless(status: number, method: string): boolean {
  return method === 'HEAD' || status === 204 || status === 205 || status === 304;
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === 'string') headers.append(name, value);
    else if (value) for (const v of value) headers.append(name, v);
  }
  return headers;
}

/**
 * Turns undici's dispatch callbacks into a Response whose body is a web
 * stream fed chunk by chunk, pausing the socket when the reader falls behind.
 * A class rather than closures: one allocation per request on the hot path.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  private answered = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly request: TransportRequest,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const { signal } = request;
    if (signal) {
      this.onAbort = () => this.controller?.abort(signal.reason);
      signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.request.signal?.aborted) controller.abort(this.request.signal.reason);
  }

  onResponseStart(controller: Controller, status: number, raw: IncomingHttpHeaders, statusText?: string): void {
    // Interim 1xx answers are not the response (RFC 9110 §15.2); undici reports only final ones here.
    if (status < 200) return;
    let body: ReadableStream<Uint8Array> | null = null;
    if (!bodiless(status, this.request.method)) {
      body = new ReadableStream<Uint8Array>(
        {
          start: (c) => {
            this.stream = c;
          },
          pull: () => controller.resume(),
          cancel: (reason) =>
            controller.abort(reason instanceof Error ? reason : new Error('Response body cancelled.')),
        },
        BUFFERED,
      );
    }
    let response: Response;
    try {
      response = new Response(body, { status, statusText: statusText ?? '', headers: toHeaders(raw) });
    } catch (error) {
      // A status the Fetch standard cannot represent (e.g. 600+) is not a valid HTTP answer.
      controller.abort(new TypeError(`Invalid response status ${status}.`, { cause: error }));
      return;
    }
    this.answered = true;
    this.resolve(withUrl(response, this.request.url));
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    const stream = this.stream;
    if (!stream) return;
    stream.enqueue(chunk);
    if ((stream.desiredSize ?? 1) <= 0) controller.pause();
  }

  onResponseEnd(): void {
    this.detach();
    this.stream?.close();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.detach();
    if (!this.answered) this.reject(error);
    else this.stream?.error(error);
  }

  private detach(): void {
    if (this.onAbort) this.request.signal?.removeEventListener('abort', this.onAbort);
  }
}

/** The default transport: undici's dispatch on one Agent (connection pools per origin). */
export function undiciTransport(dispatcher: Dispatcher): Transport {
  return function send(request) {
    return new Promise<Response>((resolve, reject) => {
      const { url } = request;
      dispatcher.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: request.method as Dispatcher.HttpMethod,
          headers: request.headers,
          body: request.body as Dispatcher.DispatchOptions['body'],
        },
        new ResponseHandler(request, resolve, reject),
      );
    });
  };
}
