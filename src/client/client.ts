import { hasNoContent } from '../catalog/index.ts';
import { type PreparedBody, prepareBody } from './body.ts';
import { HttpError, readErrorBody, TimeoutError } from './errors.ts';
import { type ClientOptions, headerRecord, type ResolvedOptions, resolveOptions } from './options.ts';
import { retryAfterMs } from './retry-after.ts';
import { requestMethod, send } from './send.ts';

/** fetch's init, plus `json`: a value sent as JSON (Content-Type: application/json). */
export interface ClientRequestInit extends RequestInit {
  json?: unknown;
}

/** A Response promise with ky-style body shortcuts; `.json()` also asks for JSON (Accept). */
export interface ResponsePromise extends Promise<Response> {
  json<T = unknown>(): Promise<T>;
  text(): Promise<string>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface WaitOptions {
  signal?: AbortSignal;
}

export interface Client {
  /** fetch, with the contract's retries, waits, redirects and errors. */
  fetch(input: string | URL | Request, init?: ClientRequestInit): Promise<Response>;
  get(input: string | URL, init?: ClientRequestInit): ResponsePromise;
  post(input: string | URL, init?: ClientRequestInit): ResponsePromise;
  put(input: string | URL, init?: ClientRequestInit): ResponsePromise;
  patch(input: string | URL, init?: ClientRequestInit): ResponsePromise;
  delete(input: string | URL, init?: ClientRequestInit): ResponsePromise;
  /**
   * Waits for the job a 202 stands for: polls its Location (honouring
   * Retry-After, else `poll.interval`) until the job is done, and returns the
   * result: a 303 from the status resource is followed with GET, a plain 200
   * is returned. A 202, or a 200 that still carries Retry-After (the status
   * resource saying "running, look again then"), is polled again.
   * An answer that is not 202 is returned as it is.
   */
  waitFor(response: Response, options?: WaitOptions): Promise<Response>;
  /** Closes the connections of the Agent the client created; requests still in flight fail. */
  close(): Promise<void>;
  readonly options: ResolvedOptions;
}

/**
 * Whether a status resource says the job is still running: 202, or a 200 it
 * reached without a redirect that carries Retry-After (RFC 9110 §10.2.3 lets
 * any answer say when to look again; DLI-style status resources do so while running).
 */
function stillRunning(response: Response): boolean {
  if (response.status === 202) return true;
  return response.status === 200 && !response.redirected && response.headers.has('retry-after');
}

const NO_BODY: PreparedBody = { data: null, replayable: true, contentType: undefined };

/** Creates a client; every option is resolved here, once. */
export function createClient(options: ClientOptions = {}): Client {
  const o = resolveOptions(options);

  function resolveUrl(input: string | URL): URL {
    if (input instanceof URL) return input;
    if (/^[a-z][a-z0-9+.-]*:/i.test(input)) return new URL(input);
    if (!o.baseUrl) {
      throw new TypeError(`"${input}" is a relative URL and the client has no baseUrl to resolve it against.`);
    }
    // Relative to the base path, not the host root: "items" and "/items" under /v1/ both give /v1/items.
    return new URL(input.startsWith('/') ? input.slice(1) : input, o.baseUrl);
  }

  function clientFetch(input: string | URL | Request, init: ClientRequestInit = {}): Promise<Response> {
    return run(input, init, undefined);
  }

  /** `accept`: the media type a body shortcut asks for unless the request names one. */
  async function run(
    input: string | URL | Request,
    init: ClientRequestInit,
    accept: string | undefined,
  ): Promise<Response> {
    const request = input instanceof Request ? input : undefined;
    const url = resolveUrl(request ? request.url : (input as string | URL));
    const method = (init.method ?? request?.method ?? 'GET').toUpperCase();
    const headers = { ...o.headers };
    if (request) headerRecord(request.headers, headers);
    headerRecord(init.headers, headers);
    if (accept !== undefined && headers.accept === undefined) headers.accept = accept;
    if (init.json !== undefined && init.body !== undefined && init.body !== null) {
      throw new TypeError(`${method} ${url.href}: give the body either as \`json\` or as \`body\`, not both.`);
    }
    let body = NO_BODY;
    if (init.json !== undefined || (init.body !== undefined && init.body !== null)) {
      body = await prepareBody(init.body, init.json);
    } else if (request?.body) {
      body = await prepareBody(new Uint8Array(await request.arrayBuffer()), undefined);
    }
    if (body.data !== null && (method === 'GET' || method === 'HEAD')) {
      throw new TypeError(`${method} ${url.href}: a ${method} request cannot carry a body.`);
    }
    return send(o, {
      hop: { url, method, headers, body, home: true },
      signal: init.signal ?? request?.signal ?? undefined,
      redirect: init.redirect ?? request?.redirect ?? 'follow',
      deadline: o.clock.now() + o.timeout.total,
    });
  }

  function shortcut(method: string) {
    return (input: string | URL, init: ClientRequestInit = {}): ResponsePromise => {
      let accept: string | undefined;
      // Started a microtask later so `.json()` can still ask for JSON (Accept).
      const promise = Promise.resolve().then(() => run(input, { ...init, method }, accept)) as ResponsePromise;
      promise.json = <T>() => {
        accept = 'application/json';
        return promise.then(async (r) => (hasNoContent(r.status) ? undefined : r.json()) as Promise<T>);
      };
      promise.text = () => promise.then((r) => r.text());
      promise.arrayBuffer = () => promise.then((r) => r.arrayBuffer());
      return promise;
    };
  }

  async function waitFor(response: Response, wait: WaitOptions = {}): Promise<Response> {
    if (response.status !== 202) return response;
    const location = response.headers.get('location');
    const info = { method: requestMethod.get(response) ?? 'GET', url: response.url, attempts: 1 };
    if (location === null) {
      throw new HttpError({
        ...info,
        response,
        body: await readErrorBody(response),
        profile: o.profile,
        reason: 'The 202 names no status resource (Location) to poll.',
        retryAfter: undefined,
      });
    }
    // RFC 9110 §10.2.2: a relative Location is resolved against the URI that answered.
    const statusUrl = new URL(location, response.url || undefined);
    const deadline = o.clock.now() + o.poll.timeout;
    let current = response;
    for (let polls = 1; ; polls++) {
      const now = o.clock.now();
      // RFC 9110 §10.2.3: Retry-After on a 202 says when to look again.
      const delay = retryAfterMs(current.headers.get('retry-after'), now) ?? o.poll.interval;
      await readErrorBody(current);
      if (now + delay > deadline) {
        const at = { method: 'GET', url: statusUrl.href, attempts: polls };
        throw new TimeoutError(at, o.poll.timeout, 'total', 'The job was still running (202); poll it again later.');
      }
      await o.clock.sleep(delay, wait.signal);
      const init: ClientRequestInit = wait.signal ? { signal: wait.signal } : {};
      current = await clientFetch(statusUrl, init);
      if (!stillRunning(current)) return current;
    }
  }

  return {
    fetch: clientFetch,
    get: shortcut('GET'),
    post: shortcut('POST'),
    put: shortcut('PUT'),
    patch: shortcut('PATCH'),
    delete: shortcut('DELETE'),
    waitFor,
    close: o.close,
    options: o,
  };
}
