import { performance } from 'node:perf_hooks';

/** What the deadline lists hold: a request's context (see ./context.ts), which doubles as its list node. */
export interface Waiting {
  readonly start: number;
  readonly deadline: number | undefined;
  waitList: WaitList | undefined;
  waitPrev: Waiting | undefined;
  waitNext: Waiting | undefined;
}

/** The requests of one time limit, earliest deadline first. */
export interface WaitList {
  readonly ms: number;
  head: Waiting | undefined;
  tail: Waiting | undefined;
}

/** setTimeout fires at once for delays past 2^31-1 ms; such a deadline is as good as none. */
export const MAX_TIMER = 2 ** 31 - 1; // ≈ 24.8 days, in ms

/**
 * The deadlines of a front's requests in flight, kept with one timer.
 *
 * Why not a setTimeout per request: a node timer is an object with a dozen
 * fields and an async id, and clearing it when the answer ends takes a
 * closure on the response's 'close' — about 0.45 µs per request measured
 * alone, paid by every forwarded request. Here a request joins a list (its
 * context is the node: nothing is allocated) and leaves it in O(1) when its
 * response closes.
 *
 * Requests with the same time limit expire in the order they arrived, so
 * each limit has its own list, earliest first; the timer is set for the
 * earliest head, and a sweep looks at heads only. When that head's request
 * ended in time, the sweep finds nothing due and sets the timer for the new
 * earliest head: with one route limit of T, about one sweep per T.
 */
export class Deadlines {
  readonly #lists = new Map<number, WaitList>();
  readonly #expire: (w: Waiting) => void;
  #timer: NodeJS.Timeout | undefined = undefined;
  /** When the timer fires (performance.now() ms); Infinity when it is not set. */
  #at = Number.POSITIVE_INFINITY;

  /** `expire` gets each request whose deadline passed, after it left its list. */
  constructor(expire: (w: Waiting) => void) {
    this.#expire = expire;
  }

  /** Starts watching `w.deadline` (a request without one, or one too far off for a timer, is left alone). */
  add(w: Waiting): void {
    const at = w.deadline;
    if (at === undefined || w.waitList !== undefined) return;
    // (start + limit) − start need not give the limit back exactly in floating point: key by whole ms.
    const ms = Math.round(at - w.start);
    if (ms > MAX_TIMER) return;
    let list = this.#lists.get(ms);
    if (list === undefined) {
      list = { ms, head: undefined, tail: undefined };
      this.#lists.set(ms, list);
    }
    // Arrival order is deadline order within one limit, except for a request whose guards
    // waited on I/O and arms late: walk back past the (few) later deadlines.
    let prev = list.tail;
    while (prev !== undefined && (prev.deadline as number) > at) prev = prev.waitPrev;
    const next = prev === undefined ? list.head : prev.waitNext;
    w.waitPrev = prev;
    w.waitNext = next;
    if (prev === undefined) list.head = w;
    else prev.waitNext = w;
    if (next === undefined) list.tail = w;
    else next.waitPrev = w;
    w.waitList = list;
    if (at < this.#at) this.#arm(at);
  }

  /** Requests being watched (for tests). */
  get size(): number {
    let n = 0;
    for (const list of this.#lists.values()) for (let w = list.head; w; w = w.waitNext) n++;
    return n;
  }

  #arm(at: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#at = at;
    // Node's timers count whole ms on the loop's clock: a sweep a little early finds the head not due and re-arms.
    // Unref'd: a request in flight holds the process by its socket; the timer of one that ended must not.
    this.#timer = setTimeout(this.#sweep, Math.max(1, Math.ceil(at - performance.now()))).unref();
  }

  readonly #sweep = (): void => {
    this.#timer = undefined;
    this.#at = Number.POSITIVE_INFINITY;
    const now = performance.now();
    let earliest = Number.POSITIVE_INFINITY;
    for (const [ms, list] of this.#lists) {
      let w = list.head;
      while (w !== undefined && (w.deadline as number) <= now) {
        leave(w);
        this.#expire(w);
        w = list.head;
      }
      if (w === undefined) this.#lists.delete(ms);
      else if ((w.deadline as number) < earliest) earliest = w.deadline as number;
    }
    if (earliest !== Number.POSITIVE_INFINITY && earliest < this.#at) this.#arm(earliest);
  };
}

/** Stops watching `w` (its answer ended); a no-op when it is not watched. */
export function leave(w: Waiting): void {
  const list = w.waitList;
  if (list === undefined) return;
  const { waitPrev: prev, waitNext: next } = w;
  if (prev === undefined) list.head = next;
  else prev.waitNext = next;
  if (next === undefined) list.tail = prev;
  else next.waitPrev = prev;
  w.waitList = undefined;
  w.waitPrev = undefined;
  w.waitNext = undefined;
}
