import { StoreUnavailableError } from '../limits/store.ts';
import { ReplayCache, type ReplayStore } from './replay.ts';

/**
 * Replay protection shared by the workers of `statuskit serve --workers N`
 * without Redis: the cluster primary holds the one ReplayCache and each
 * worker asks it over the cluster's IPC channel. Exactly one of N identical
 * signed requests passes, whichever workers they reach: the primary answers
 * the questions one at a time, in the order they arrive.
 */

/** A worker's question and the primary's answer. */
export type ReplayMessage =
  | { statuskit: 'replay'; id: number; signature: string; expiresAt: number; nowMs: number }
  | { statuskit: 'replayed'; id: number; seen: boolean };

/** How long a worker waits for the primary's answer before refusing (fail closed: 503). */
const ANSWER_TIMEOUT = 1_000; // 1 s

const isReplayMessage = (m: unknown): m is ReplayMessage =>
  typeof m === 'object' &&
  m !== null &&
  ((m as ReplayMessage).statuskit === 'replay' || (m as ReplayMessage).statuskit === 'replayed');

interface Waiting {
  resolve: (seen: boolean) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** The worker's side: asks the primary whether a signature was used. */
export class IpcReplayStore implements ReplayStore {
  readonly kind = 'ipc';
  readonly #pending = new Map<number, Waiting>();
  readonly #send: (m: ReplayMessage) => void;
  #seq = 0;

  constructor(send: (m: ReplayMessage) => void = (m) => process.send?.(m)) {
    this.#send = send;
    process.on('message', this.#onMessage);
  }

  seen(signature: string, expiresAt: number, nowMs: number): Promise<boolean> {
    const id = ++this.#seq;
    return new Promise<boolean>((resolve, reject) => {
      // Fail closed: a replay check that cannot be made must not let the request through.
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new StoreUnavailableError('The cluster primary did not answer the replay check.'));
      }, ANSWER_TIMEOUT);
      this.#pending.set(id, { resolve, reject, timer });
      try {
        this.#send({ statuskit: 'replay', id, signature, expiresAt, nowMs });
      } catch (err) {
        clearTimeout(timer);
        this.#pending.delete(id);
        reject(new StoreUnavailableError(`The replay check could not be sent: ${(err as Error).message}`));
      }
    });
  }

  readonly #onMessage = (m: unknown): void => {
    if (!isReplayMessage(m) || m.statuskit !== 'replayed') return;
    const waiting = this.#pending.get(m.id);
    if (!waiting) return;
    this.#pending.delete(m.id);
    clearTimeout(waiting.timer);
    waiting.resolve(m.seen);
  };

  async close(): Promise<void> {
    process.off('message', this.#onMessage);
    for (const w of this.#pending.values()) {
      clearTimeout(w.timer);
      w.reject(new StoreUnavailableError('The gateway is stopping.'));
    }
    this.#pending.clear();
  }
}

/**
 * The primary's side: answers a worker's question from the one cache, or
 * returns false when `m` is not a replay question.
 */
export function answerReplay(cache: ReplayCache, m: unknown, reply: (m: ReplayMessage) => void): boolean {
  if (!isReplayMessage(m) || m.statuskit !== 'replay') return false;
  reply({ statuskit: 'replayed', id: m.id, seen: cache.seen(m.signature, m.expiresAt, m.nowMs) });
  return true;
}

export { ReplayCache };
