/** Summaries of repeated measurements: medians, spreads, per-round ratios. */
import { median } from './proc.ts';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(xs: readonly number[]): Spread {
  const finite = xs.filter(Number.isFinite);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite) };
}

/** Each round's a ÷ b (rounds paired by index). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / (b[i] as number));
}

/** `0.95 (0.91–0.99)`: the median and the range. */
export function showSpread(s: Spread, digits = 2): string {
  if (!Number.isFinite(s.median)) return '–';
  return `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
}

/** How far apart two runs' medians are, as a fraction of their mean (0.03 = ±1.5 % each way). */
export function runGap(a: number, b: number): number {
  return Math.abs(a - b) / ((a + b) / 2);
}

/**
 * Whether a goal is met with its spread: `met` when the whole range is on the goal's side,
 * `not met` when the whole range is on the other, `undecided` when the range crosses it.
 */
export function verdict(s: Spread, goal: number, atLeast: boolean): 'met' | 'not met' | 'undecided' {
  const lo = atLeast ? s.min >= goal : s.max <= goal;
  const hi = atLeast ? s.max < goal : s.min > goal;
  return lo ? 'met' : hi ? 'not met' : 'undecided';
}
