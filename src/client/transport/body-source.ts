import type { Dispatcher } from 'undici';

/** Unread bytes kept off the socket before it is paused: a small unread answer still completes. */
const HIGH_WATER = 64 * 1024; // 64 KiB

/**
 * The bytes of one answer as they arrive. Read whole (text/json) they are
 * gathered as Buffers, with no web stream in between; only when someone asks
 * for `response.body` does a ReadableStream get made, fed from here.
 */
export class BodySource {
  private chunks: Buffer[] = [];
  private size = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** Set once a reader takes everything: the socket is never paused again. */
  private draining = false;
  controller: Dispatcher.DispatchController | undefined;

  push(chunk: Buffer): void {
    const stream = this.stream;
    if (stream) {
      stream.enqueue(chunk);
      if ((stream.desiredSize ?? 1) <= 0) this.controller?.pause();
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (!this.draining && this.size > HIGH_WATER) this.controller?.pause();
  }

  end(): void {
    this.ended = true;
    this.stream?.close();
    this.wake?.();
  }

  fail(error: Error): void {
    this.failure = error;
    this.stream?.error(error);
    this.wake?.();
  }

  /** Every byte, once the answer is complete. */
  async all(): Promise<Buffer> {
    this.draining = true;
    this.controller?.resume();
    while (!this.ended && !this.failure) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
    return this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.size);
  }

  /** The body as a web stream: what has arrived first, then the rest as it comes. */
  toStream(): ReadableStream<Uint8Array> {
    return new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          for (const chunk of this.chunks) c.enqueue(chunk);
          this.chunks = [];
          if (this.failure) c.error(this.failure);
          else if (this.ended) c.close();
          else this.stream = c;
        },
        pull: () => this.controller?.resume(),
        cancel: (reason) => {
          if (!this.ended)
            this.controller?.abort(reason instanceof Error ? reason : new Error('Response body cancelled.'));
        },
      },
      { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength },
    );
  }
}
