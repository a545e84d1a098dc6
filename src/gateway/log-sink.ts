import { writev, writevSync } from 'node:fs';

/** How long a write that found the pipe full (EAGAIN) waits before trying again. */
const RETRY_MS = 10; // 10 ms
/** Buffers per writev(2), well under IOV_MAX (1024 on Linux). */
const MAX_IOV = 256;

/**
 * Where the gateway's log lines go: a file descriptor (stdout unless told
 * otherwise), written in order, one writev(2) at a time, off the event loop.
 * pino hands it event lines as strings; the access log hands it whole
 * batches already encoded (`writeBytes`).
 *
 * Why not pino's own destination (sonic-boom): it takes strings only, and
 * a 16 KiB batch of access lines is scanned and encoded there three times
 * (byte length twice, the write, and again when the write is released) —
 * measured at about 1.4 µs per access line on the gateway's hot path. Here
 * a batch is bytes once, when its lines are made.
 *
 * Nothing is dropped while the descriptor takes writes: a slow reader only
 * makes the queue longer. If the descriptor fails for good (EPIPE: the
 * reader went away), the failure is reported once on stderr and later lines
 * are discarded; the gateway keeps serving.
 */
export class FdSink {
  readonly fd: number;
  #queue: Buffer[] = [];
  /** Writing, or waiting to write again: the queue is being worked through. */
  #writing = false;
  /** A writev is under way off the loop: the head of the queue belongs to it. */
  #inFlight = false;
  #failed = false;
  #waiters: (() => void)[] = [];

  constructor(fd: number) {
    this.fd = fd;
  }

  /** An event line from pino (or any text). */
  write(text: string): boolean {
    if (text.length > 0) this.writeBytes(Buffer.from(text));
    return true;
  }

  /** Bytes to write as they are; the sink owns `bytes` from here on (do not reuse it). */
  writeBytes(bytes: Buffer): void {
    if (this.#failed || bytes.length === 0) return;
    this.#queue.push(bytes);
    if (!this.#writing) this.#next();
  }

  /** Bytes waiting to be written, the one being written included. */
  get pendingBytes(): number {
    let n = 0;
    for (const b of this.#queue) n += b.length;
    return n;
  }

  /** Calls back once everything handed over so far is written (or the sink failed). */
  flush(callback?: (err?: Error) => void): void {
    if (!this.#writing) callback?.();
    else if (callback) this.#waiters.push(callback);
  }

  /**
   * Writes what is queued now, blocking: for a process about to exit. A
   * write already under way off the loop is left to finish by itself.
   */
  flushSync(): void {
    const from = this.#inFlight ? 1 : 0;
    let left = this.#queue.splice(from);
    if (this.#failed) return;
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let tries = 0; left.length > 0 && tries < 100; ) {
      try {
        left = consume(left, writevSync(this.fd, left.slice(0, MAX_IOV)));
      } catch (err) {
        // Exiting anyway: a full pipe gets a few chances (1 s in all), any other failure ends it.
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return;
        Atomics.wait(pause, 0, 0, RETRY_MS);
        tries++;
      }
    }
  }

  #next(): void {
    if (this.#queue.length === 0) {
      this.#writing = false;
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const w of waiters) w();
      return;
    }
    this.#writing = true;
    // Everything queued goes in one writev: event lines between batches cost no extra call.
    const batch = this.#queue.length > MAX_IOV ? this.#queue.slice(0, MAX_IOV) : this.#queue;
    this.#inFlight = true;
    writev(this.fd, batch, (err, written) => this.#written(err, written));
  }

  #written(err: NodeJS.ErrnoException | null, written: number): void {
    this.#inFlight = false;
    if (err) {
      if (err.code === 'EAGAIN') {
        // A non-blocking pipe is full: the reader is behind. Try again shortly; nothing is lost.
        // The timer holds the process open, as a write under way does: lines still queued get written.
        setTimeout(() => this.#next(), RETRY_MS);
        return;
      }
      this.#fail(err);
      return;
    }
    this.#queue = consume(this.#queue, written);
    this.#next();
  }

  #fail(err: NodeJS.ErrnoException): void {
    this.#failed = true;
    this.#queue = [];
    process.stderr.write(
      `statuskit: log lines can no longer be written to fd ${this.fd} (${err.code ?? err.message}); dropping them from now on.\n`,
    );
    this.#next();
  }
}

/** The buffers left once `n` bytes from their start were written. */
function consume(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  let left = n;
  while (i < buffers.length && left >= (buffers[i] as Buffer).length) left -= (buffers[i++] as Buffer).length;
  const rest = buffers.slice(i);
  if (left > 0 && rest.length > 0) rest[0] = (rest[0] as Buffer).subarray(left);
  return rest;
}

let stdout: FdSink | undefined;

/**
 * The process's one stdout sink: every logger of the process writes through
 * it, so lines never interleave. Whatever is still queued when the process
 * exits (process.exit, a crash) is written synchronously then.
 */
export function stdoutSink(): FdSink {
  if (!stdout) {
    const sink = new FdSink(1);
    process.once('exit', () => sink.flushSync());
    stdout = sink;
  }
  return stdout;
}
