/**
 * Durations and sizes as the gateway's configuration writes them: a plain
 * number (milliseconds, bytes) or a number with a unit. Each parser returns
 * the value or a sentence saying what was expected; the caller adds where.
 */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Binary multiples, as nginx and most proxies read `k`/`m`: 1mb = 1,048,576 bytes. */
const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

export type Parsed<T> = { ok: true; value: T } | { ok: false; expected: string };

const fail = (expected: string): Parsed<never> => ({ ok: false, expected });

function withUnit(input: unknown, units: Record<string, number>, what: string): Parsed<number> {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? { ok: true, value: input } : fail(`a non-negative ${what}`);
  }
  if (typeof input !== 'string') return fail(`a ${what}`);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(input);
  const factor = m ? units[(m[2] ?? '').toLowerCase() || (what === 'duration' ? 'ms' : 'b')] : undefined;
  if (!m || factor === undefined)
    return fail(`a ${what} such as ${what === 'duration' ? '"500ms", "30s", "2m"' : '"512kb", "1mb"'}`);
  return { ok: true, value: Math.round(Number(m[1]) * factor) };
}

/** `250`, `"250ms"`, `"30s"`, `"2m"`, `"1h"` → milliseconds. */
export function parseDuration(input: unknown): Parsed<number> {
  return withUnit(input, DURATION_UNITS, 'duration');
}

/** `1024`, `"512kb"`, `"1mb"`, `"1MiB"` → bytes (binary multiples). */
export function parseSize(input: unknown): Parsed<number> {
  return withUnit(input, SIZE_UNITS, 'size');
}
