import { fstatSync, writev, writevSync } from 'node:fs';
import { Socket } from 'node:net';

/** How long a write that found the pipe full (EAGAIN) waits before trying again. */
const RETRY_MS = 10; // 10 ms
/** Buffers per writev(2), well under IOV_MAX (1024 on Linux). */
const MAX_IOV = 256;

export interface FdSinkOptions {
  /**
   * Write on the event loop, at once, instead of off it. Only for a
   * descriptor that never blocks: a regular file, or a pipe, socket or
   * terminal in non-blocking mode (a full pipe then answers EAGAIN, and the
   * rest is written when it has room). @default false
   */
  direct?: boolean;
}

/**
 * Where the gateway's log lines go: a file descriptor (stdout unless told
 * otherwise), written in order, one writev(2) at a time — at once on the
 * event loop when the descriptor cannot block (`direct`), else off it.
 * pino hands it event lines as strings; the access log hands it whole
 * batches already encoded (`writeBytes`).
 *
 * Why not pino's own destination (sonic-boom): it takes strings only, and
 * a 16 KiB batch of access lines is scanned and encoded there three times
 * (byte length twice, the write, and again when the write is released) —
 * measured at about 1.4 µs per access line on the gateway's hot path. Here
 * a batch is bytes once, when its lines are made.
 *
 * Why direct writes where they are safe: a writev off the loop costs a trip
 * through libuv's thread pool per batch, two thread switches and their
 * cache misses — measured at about 1.5 µs per access line on a busy
 * gateway, more than writing the batch itself. Node writes its own stdout
 * to a pipe the same way (at once, non-blocking, the rest later).
 *
 * Nothing is dropped while the descriptor takes writes: a slow reader only
 * makes the queue longer. If the descriptor fails for good (EPIPE: the
 * reader went away), the failure is reported once on stderr and later lines
 * are discarded; the gateway keeps serving.
 */
export class FdSink {
  readonly fd: number;
  readonly #direct: boolean;
  #queue: Buffer[] = [];
  /** Writing, or waiting to write again: the queue is being worked through. */
  #writing = false;
  /** A writev is under way off the loop: the head of the queue belongs to it. */
  #inFlight = false;
  #failed = false;
  #waiters: (() => void)[] = [];

  constructor(fd: number, options: FdSinkOptions = {}) {
    this.fd = fd;
    this.#direct = options.direct ?? false;
  }

  /** An event line from pino (or any text). */
  write(text: string): boolean {
    if (text.length > 0) this.writeBytes(Buffer.from(text));
    return true;
  }

  /**
   * Bytes to write as they are. Returns true when they are done with — written at once in full
   * (a direct write), or dropped by a failed sink — so the caller may fill `bytes` again; false
   * when the sink keeps them until written (do not touch them then).
   */
  writeBytes(bytes: Buffer): boolean {
    if (this.#failed || bytes.length === 0) return true;
    this.#queue.push(bytes);
    if (!this.#writing) this.#next();
    return this.#queue.length === 0;
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
    if (this.#direct) {
      this.#writeDirect();
      return;
    }
    if (this.#queue.length === 0) {
      this.#idle();
      return;
    }
    this.#writing = true;
    // Everything queued goes in one writev: event lines between batches cost no extra call.
    const batch = this.#queue.length > MAX_IOV ? this.#queue.slice(0, MAX_IOV) : this.#queue;
    this.#inFlight = true;
    writev(this.fd, batch, (err, written) => this.#written(err, written));
  }

  /** Writes the queue now, as far as the descriptor takes it; a full pipe gets the rest on a retry. */
  #writeDirect(): void {
    this.#writing = true;
    while (this.#queue.length > 0) {
      const batch = this.#queue.length > MAX_IOV ? this.#queue.slice(0, MAX_IOV) : this.#queue;
      let written: number;
      try {
        written = writevSync(this.fd, batch);
      } catch (err) {
        this.#written(err as NodeJS.ErrnoException, 0);
        return;
      }
      let total = 0;
      for (const b of batch) total += b.length;
      this.#queue = consume(this.#queue, written);
      if (written < total) {
        // A short write: the pipe is full, and the next call would say EAGAIN.
        setTimeout(() => this.#next(), RETRY_MS);
        return;
      }
    }
    this.#idle();
  }

  #idle(): void {
    this.#writing = false;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
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
 * Whether fd 1 can take direct writes: a regular file, or a pipe, socket or
 * terminal once node made it non-blocking. Node does that when it opens
 * `process.stdout` on such a descriptor (on Linux, libuv's uv_pipe_open and
 * uv_tty_init set O_NONBLOCK; on Windows node makes stdout pipes blocking,
 * but the direct path is never taken there), so it is opened here first.
 * Anything else (a character device other than a terminal, say) is written
 * off the loop.
 */
function stdoutTakesDirectWrites(): boolean {
  if (process.platform === 'win32') return false;
  let stat: ReturnType<typeof fstatSync>;
  try {
    stat = fstatSync(1);
  } catch {
    return false;
  }
  if (stat.isFile()) return true;
  if (!stat.isFIFO() && !stat.isSocket() && !process.stdout.isTTY) return false;
  // On such a descriptor process.stdout is a net.Socket (tty.WriteStream is one): a libuv stream, non-blocking.
  return process.stdout instanceof Socket;
}

/**
 * The process's one stdout sink: every logger of the process writes through
 * it, so lines never interleave. Whatever is still queued when the process
 * exits (process.exit, a crash) is written synchronously then.
 */
export function stdoutSink(): FdSink {
  if (!stdout) {
    const sink = new FdSink(1, { direct: stdoutTakesDirectWrites() });
    process.once('exit', () => sink.flushSync());
    stdout = sink;
  }
  return stdout;
}
