import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { hasNoContent } from '../../catalog/index.ts';
import { BodySource } from './body-source.ts';
import { ClientResponse } from './response.ts';
import { AttemptTimeout, type Transport, type TransportRequest } from './types.ts';

type Controller = Dispatcher.DispatchController;

/** RFC 9110 §6.4.1 (the catalog's `body: false`) and §9.3.2 HEAD: no content, whatever the framing says. */
function bodiless(status: number, method: string): boolean {
  return method === 'HEAD' || hasNoContent(status);
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
 * Turns undici's dispatch callbacks into a ClientResponse. A class rather
 * than closures, and a plain timer rather than an AbortController: the
 * per-request cost is what the client benchmark measures.
 */
class ResponseHandler implements Dispatcher.DispatchHandler {
  private controller: Controller | undefined;
  private source: BodySource | undefined;
  private timer: NodeJS.Timeout | undefined;
  private abortReason: Error | undefined;
  private answered = false;
  private readonly onAbort: (() => void) | undefined;

  constructor(
    private readonly request: TransportRequest,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    const { signal, timeout } = request;
    if (timeout !== Number.POSITIVE_INFINITY) {
      this.timer = setTimeout(() => this.abort(new AttemptTimeout(timeout)), timeout);
    }
    if (signal) {
      this.onAbort = () => this.abort(signal.reason);
      signal.addEventListener('abort', this.onAbort, { once: true });
      if (signal.aborted) this.abortReason = signal.reason;
    }
  }

  private abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.abortReason = reason;
  }

  onRequestStart(controller: Controller): void {
    this.controller = controller;
    if (this.abortReason) controller.abort(this.abortReason);
  }

  onResponseStart(controller: Controller, status: number, raw: IncomingHttpHeaders, statusText?: string): void {
    // Interim 1xx answers are not the response (RFC 9110 §15.2).
    if (status < 200) return;
    clearTimeout(this.timer);
    if (!bodiless(status, this.request.method)) {
      this.source = new BodySource();
      this.source.controller = controller;
    }
    let response: Response;
    try {
      response = new ClientResponse(
        this.source ?? null,
        {
          status,
          statusText: statusText ?? '',
          headers: toHeaders(raw),
        },
        this.request.url,
      ) as unknown as Response;
    } catch (error) {
      // A status the Fetch standard cannot represent (e.g. 600+) is not a valid HTTP answer.
      controller.abort(new TypeError(`Invalid response status ${status}.`, { cause: error }));
      return;
    }
    this.answered = true;
    this.resolve(response);
  }

  onResponseData(_controller: Controller, chunk: Buffer): void {
    this.source?.push(chunk);
  }

  onResponseEnd(): void {
    this.detach();
    this.source?.end();
  }

  onResponseError(_controller: Controller, error: Error): void {
    this.detach();
    if (!this.answered) this.reject(error);
    else this.source?.fail(error);
  }

  private detach(): void {
    clearTimeout(this.timer);
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
