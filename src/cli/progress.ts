import type { CheckProgress } from '../check/types.ts';

/** The part of a terminal stream the progress line uses (process.stderr, or a fake in tests). */
export interface Terminal {
  readonly isTTY?: boolean;
  /** Width in characters; the line is cut to fit so that `\r` can redraw it. */
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressLine {
  /** Pass as `onProgress` to runCheck. */
  readonly onProgress: (event: CheckProgress) => void;
  /** Redraws the line (the timer calls it; tests call it by hand). */
  tick(): void;
  /** Stops the timer and erases the line, before the report is written. */
  stop(): void;
}

export interface ProgressOptions {
  /** Milliseconds since some fixed point. @default performance.now */
  now?: () => number;
  /** Redraw every this many ms; 0 for no timer. @default 1000 (1 s) */
  interval?: number;
  /** A probe shows once it has waited this long, so a quick check draws nothing. @default 1000 (1 s) */
  after?: number;
}

const CLEAR = '\r\x1b[2K'; // carriage return, erase the whole line (ECMA-48 EL 2)

/**
 * One updating line on a terminal that says which probe the check is waiting
 * on and for how long: `waiting 12 s of up to 70 s: 408-headers, a header …`.
 * On anything that is not a terminal it draws nothing, so JSON, JUnit and
 * piped text stay exactly the report.
 */
export function progressLine(terminal: Terminal | undefined, options: ProgressOptions = {}): ProgressLine {
  if (!terminal?.isTTY) return { onProgress: () => {}, tick: () => {}, stop: () => {} };
  const now = options.now ?? (() => performance.now());
  const after = options.after ?? 1000; // 1 s
  const running = new Map<string, { since: number; event: Extract<CheckProgress, { type: 'start' }> }>();
  let drawn = false;

  const draw = (text: string | undefined) => {
    if (text === undefined) {
      if (drawn) terminal.write(CLEAR);
      drawn = false;
      return;
    }
    const width = Math.max(20, (terminal.columns ?? 80) - 1);
    terminal.write(`${CLEAR}${text.length > width ? `${text.slice(0, width - 1)}…` : text}`);
    drawn = true;
  };

  const tick = () => {
    const at = now();
    let longest: { since: number; event: Extract<CheckProgress, { type: 'start' }> } | undefined;
    for (const r of running.values()) if (!longest || r.since < longest.since) longest = r;
    if (!longest || at - longest.since < after) return draw(undefined);
    const { event } = longest;
    const waited = Math.floor((at - longest.since) / 1000);
    const upTo = event.waitsUpToMs === undefined ? '' : ` of up to ${Math.round(event.waitsUpToMs / 1000)} s`;
    const others = running.size > 1 ? ` (+${running.size - 1} more running)` : '';
    draw(`waiting ${waited} s${upTo}: ${event.id}${others}, ${event.title}`);
  };

  const interval = options.interval ?? 1000; // 1 s
  const timer = interval > 0 ? setInterval(tick, interval) : undefined;
  timer?.unref();

  return {
    onProgress(event) {
      if (event.type === 'start') running.set(event.id, { since: now(), event });
      else running.delete(event.id);
      if (drawn) tick();
    },
    tick,
    stop() {
      if (timer) clearInterval(timer);
      running.clear();
      draw(undefined);
    },
  };
}
