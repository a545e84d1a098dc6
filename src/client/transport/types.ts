/** One attempt as the client hands it to a transport. */
export interface TransportRequest {
  readonly url: URL;
  readonly method: string;
  /** Lowercase names; the client builds a fresh record per attempt. */
  readonly headers: Record<string, string>;
  /** Replayable bytes, or a stream that can be sent once. */
  readonly body: Uint8Array | string | AsyncIterable<Uint8Array> | null;
  /** The caller's signal: aborts the attempt and the reading of its body. */
  readonly signal: AbortSignal | undefined;
  /** Milliseconds to wait for the answer's head; Infinity for no limit. */
  readonly timeout: number;
}

/** The rejection of an attempt whose answer did not begin within `timeout`. */
export class AttemptTimeout extends Error {
  constructor(readonly timeout: number) {
    super(`No answer within ${timeout} ms.`);
  }
}

/**
 * Sends one request and resolves with the answer as a standard Response
 * whose `url` is the request URL. Never follows redirects (the client does,
 * under the contract's rules); rejects only when no answer arrived.
 */
export type Transport = (request: TransportRequest) => Promise<Response>;

/** The fetch signature a caller may inject instead of undici. */
export type FetchLike = (input: URL | string, init: RequestInit) => Promise<Response>;

/** Gives a constructed Response the URL it answered (the constructor cannot set it). */
export function withUrl(response: Response, url: URL): Response {
  Object.defineProperty(response, 'url', { value: url.href });
  return response;
}

/** The Fetch types Node declares on its globals without naming them. */
export type BodyInit = NonNullable<ConstructorParameters<typeof Response>[0]>;
export type HeadersInit = NonNullable<ConstructorParameters<typeof Headers>[0]>;
export type RequestRedirect = NonNullable<RequestInit['redirect']>;
