import stream from 'node:stream';
import type { BodySource } from './body-source.ts';
import { withUrl } from './types.ts';

/** Whether a web stream has been read from (node:stream has it since 16.8; @types/node omits it). */
const isDisturbed = (stream as unknown as { isDisturbed(s: ReadableStream): boolean }).isDisturbed;

/** What the class uses of Response; the rest it overrides. Node types Response's methods as properties. */
interface ResponseHead {
  readonly status: number;
  readonly statusText: string;
  readonly headers: Headers;
}
const PlatformResponse = Response as unknown as new (body: null, init: ResponseInit) => ResponseHead;

const UTF8_BOM = 0xfeff;

/**
 * A standard Response (instanceof Response, same methods) whose body is read
 * straight from the socket's buffers: `text()`, `json()` and `arrayBuffer()`
 * skip the web stream that makes fetch slow, and `body` builds one only when
 * asked for. Everything else (status, headers, url …) is the platform's own.
 */
export class ClientResponse extends PlatformResponse {
  #source: BodySource | null;
  #stream: ReadableStream<Uint8Array> | null = null;
  #used = false;
  readonly #url: URL;

  constructor(source: BodySource | null, init: ResponseInit, url: URL) {
    super(null, init);
    this.#source = source;
    this.#url = url;
  }

  /** The URL that answered (the Response constructor cannot set it). */
  get url(): string {
    return this.#url.href;
  }

  get body(): ReadableStream<Uint8Array> | null {
    if (!this.#source) return null;
    this.#stream ??= this.#source.toStream();
    return this.#stream;
  }

  get bodyUsed(): boolean {
    return this.#used || (this.#stream !== null && isDisturbed(this.#stream));
  }

  async #bytes(): Promise<Buffer> {
    if (this.bodyUsed) throw new TypeError('Body is unusable: Body has already been read');
    this.#used = true;
    if (!this.#source) return Buffer.alloc(0);
    if (!this.#stream) return this.#source.all();
    const parts: Uint8Array[] = [];
    for await (const part of this.#stream) parts.push(part);
    return Buffer.concat(parts);
  }

  async text(): Promise<string> {
    const text = (await this.#bytes()).toString('utf8');
    // Fetch's "UTF-8 decode" drops a leading byte order mark.
    return text.charCodeAt(0) === UTF8_BOM ? text.slice(1) : text;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }

  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = await this.#bytes();
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }

  async blob(): Promise<Blob> {
    return new Blob([await this.arrayBuffer()], { type: this.headers.get('content-type') ?? '' });
  }

  async formData(): Promise<FormData> {
    const bytes = await this.arrayBuffer();
    return new Response(bytes, { headers: this.headers }).formData();
  }

  clone(): Response {
    if (this.bodyUsed) throw new TypeError('Response.clone: Body has already been consumed.');
    const init = { status: this.status, statusText: this.statusText, headers: this.headers };
    const body = this.body;
    let copy: Response;
    if (body) {
      const [mine, theirs] = body.tee();
      this.#stream = mine;
      copy = new Response(theirs, init);
    } else copy = new Response(null, init);
    return withUrl(copy, this.#url);
  }
}
