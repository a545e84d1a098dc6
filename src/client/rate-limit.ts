/**
 * Reads what an answer says about the client's rate limit, in every
 * generation met in the wild (draft-ietf-httpapi-ratelimit-headers and before):
 *
 * - `draft-08` (-08 on): `RateLimit: "default";r=42;t=17` — a Structured Field
 *   List (RFC 9651 §3.1), one member per policy;
 * - `draft-07`: `RateLimit: limit=100, remaining=42, reset=17` — a Dictionary;
 * - `draft-06` (-00 to -06): `RateLimit-Remaining: 42`, `RateLimit-Reset: 17`
 *   (delta seconds), `RateLimit-Limit: 100` (or `100, 100;w=60`);
 * - `x-ratelimit`: `X-RateLimit-Remaining`, `X-RateLimit-Reset` as delta
 *   seconds, epoch seconds (GitHub) or epoch milliseconds, told apart by size.
 *
 * A field that does not parse is treated as absent (RFC 9651 §4.2: a field
 * that fails to parse is ignored), so a malformed value never stops a request.
 */
import { parseDictionary, parseList } from '../sf/index.ts';

export type RateLimitGeneration = 'draft-08' | 'draft-07' | 'draft-06' | 'x-ratelimit';

/** The tightest policy an answer describes. */
export interface RateLimitInfo {
  readonly generation: RateLimitGeneration;
  /** Requests the client may still send now. */
  readonly remaining: number;
  /** Milliseconds from the answer until the quota resets; undefined when the answer does not say. */
  readonly resetMs: number | undefined;
  /** Requests per window, when the answer says. */
  readonly limit: number | undefined;
  /** The policy's name (draft-08), when the answer says. */
  readonly policy: string | undefined;
}

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;

/** A non-negative decimal number as some services write it (`17`, `1.5`), else undefined. */
function plainNumber(text: string | null): number | undefined {
  if (text === null) return undefined;
  const t = text.trim();
  return /^\d+(\.\d+)?$/.test(t) ? Number(t) : undefined;
}

/** draft-08 §4: every member with an integer `r`; the one with fewest left, the later reset on a tie. */
function draft08(value: string): RateLimitInfo | undefined {
  let best: RateLimitInfo | undefined;
  for (const [name, params] of parseList(value)) {
    const r = count(params.get('r'));
    if (r === undefined) continue;
    const t = count(params.get('t'));
    const info: RateLimitInfo = {
      generation: 'draft-08',
      remaining: r,
      resetMs: t === undefined ? undefined : t * 1000,
      limit: undefined,
      policy: typeof name === 'string' ? name : String(name),
    };
    if (!best || r < best.remaining || (r === best.remaining && (info.resetMs ?? 0) > (best.resetMs ?? 0))) best = info;
  }
  return best;
}

/** draft-07 §3: `limit`, `remaining` and `reset` (seconds) members of a Dictionary. */
function draft07(value: string): RateLimitInfo | undefined {
  const d = parseDictionary(value);
  const remaining = count(d.get('remaining')?.[0]);
  if (remaining === undefined) return undefined;
  const reset = count(d.get('reset')?.[0]);
  return {
    generation: 'draft-07',
    remaining,
    resetMs: reset === undefined ? undefined : reset * 1000,
    limit: count(d.get('limit')?.[0]),
    policy: undefined,
  };
}

/** The first quota of RateLimit-Limit, `100` or `100, 100;w=60` (drafts -00 to -06). */
function firstQuota(value: string | null): number | undefined {
  if (value === null) return undefined;
  try {
    return count(parseList(value)[0]?.[0]);
  } catch {
    return plainNumber(value);
  }
}

/**
 * X-RateLimit-Reset: epoch milliseconds past 10^12, epoch seconds past 10^9
 * (2001-09-09), delta seconds below: no live window is 31 years long.
 */
function xReset(value: number | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  if (value >= 1e12) return Math.max(0, value - now);
  if (value >= 1e9) return Math.max(0, value * 1000 - now);
  return value * 1000;
}

function attempt<T>(f: () => T | undefined): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** What `headers` say about the rate limit, newest generation first; undefined when nothing readable. */
export function parseRateLimit(headers: Headers, now: number): RateLimitInfo | undefined {
  const field = headers.get('ratelimit');
  if (field !== null) {
    const found = attempt(() => draft08(field)) ?? attempt(() => draft07(field));
    if (found) return found;
  }
  const remaining = plainNumber(headers.get('ratelimit-remaining'));
  if (remaining !== undefined) {
    const reset = plainNumber(headers.get('ratelimit-reset'));
    return {
      generation: 'draft-06',
      remaining,
      resetMs: reset === undefined ? undefined : reset * 1000,
      limit: firstQuota(headers.get('ratelimit-limit')),
      policy: undefined,
    };
  }
  const xRemaining = plainNumber(headers.get('x-ratelimit-remaining'));
  if (xRemaining === undefined) return undefined;
  return {
    generation: 'x-ratelimit',
    remaining: xRemaining,
    resetMs: xReset(plainNumber(headers.get('x-ratelimit-reset')), now),
    limit: plainNumber(headers.get('x-ratelimit-limit')),
    policy: undefined,
  };
}
