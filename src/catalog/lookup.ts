import { DEFAULT_PROFILE, PROFILES, type Profile } from './profiles.ts';
import { CODES, type CodeEntry, type ContractCode, type ErrorCode } from './table.ts';
import type { Guidance } from './types.ts';

/** Every entry, ascending by code. */
export const ENTRIES: readonly CodeEntry[] = Object.keys(CODES)
  .map(Number)
  .sort((a, b) => a - b)
  .map((code) => ({ ...CODES[code as ContractCode], code }) as CodeEntry);

const BY_CODE = new Map<number, CodeEntry>(ENTRIES.map((e) => [e.code, e]));

/** All contract codes, ascending. */
export const CONTRACT_CODES: readonly ContractCode[] = ENTRIES.map((e) => e.code);

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
export const STATUS_CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

export function statusClass(code: number): StatusClass {
  return `${Math.floor(code / 100)}xx` as StatusClass;
}

export function isContractCode(code: unknown): code is ContractCode {
  return typeof code === 'number' && BY_CODE.has(code);
}

/** The catalog entry of a code, or undefined when the contract does not list it. */
export function getCode(code: number): CodeEntry | undefined {
  return BY_CODE.get(code);
}

/** Whether the profile's table lists the code (441 exists only under `dis`). */
export function inProfile(code: number, profile: Profile = DEFAULT_PROFILE): boolean {
  const entry = BY_CODE.get(code);
  return entry !== undefined && (entry.tables as readonly string[]).includes(profile);
}

/** The entries one profile lists. */
export function profileEntries(profile: Profile = DEFAULT_PROFILE): readonly CodeEntry[] {
  return ENTRIES.filter((e) => (e.tables as readonly string[]).includes(profile));
}

/** The name the profile's table gives the code. */
export function nameIn(entry: CodeEntry, profile: Profile = DEFAULT_PROFILE): string {
  const names = (entry as { names?: Partial<Record<Profile, string>> }).names;
  return names?.[profile] ?? entry.name;
}

/** Whether statuskit may put this code on the wire as an error body under a profile. */
export function isErrorCode(code: number, profile: Profile = DEFAULT_PROFILE): code is ErrorCode {
  const entry = BY_CODE.get(code);
  return entry !== undefined && code >= 400 && entry.guidance !== 'never-issued' && inProfile(code, profile);
}

/**
 * The guidance that applies to one concrete answer: 413 and 503 mean
 * `retry-after` only when the answer carries Retry-After (CONTRACT.md §5).
 * A code outside the contract falls back to its class.
 */
export function guidanceFor(code: number, hasRetryAfter = false): Guidance {
  const entry = BY_CODE.get(code) as (CodeEntry & { withRetryAfter?: Guidance }) | undefined;
  if (entry) return hasRetryAfter && entry.withRetryAfter ? entry.withRetryAfter : entry.guidance;
  if (code >= 500) return 'retry-idempotent';
  if (code >= 400) return 'fix';
  if (code >= 300) return 'follow';
  return 'done';
}

/** `error_code` for a status under a profile: prefix + 4 digits, optional sub-code (CONTRACT.md §3). */
export function errorCodeFor(status: number, profile: Profile = DEFAULT_PROFILE, subcode?: string): string {
  const base = `${PROFILES[profile].prefix}.${String(status).padStart(4, '0')}`;
  return subcode ? `${base}.${subcode}` : base;
}

const normalise = (name: string): string => name.toLowerCase().replace(/[^a-z0-9]/g, '');

const BY_NAME = new Map<string, CodeEntry>();
for (const e of ENTRIES) {
  const names = (e as { names?: Record<string, string> }).names ?? {};
  const aliases = (e as { aliases?: readonly string[] }).aliases ?? [];
  for (const n of [e.reason, e.name, ...Object.values(names), ...aliases]) {
    const key = normalise(n);
    if (!BY_NAME.has(key)) BY_NAME.set(key, e);
  }
}

/**
 * Finds a code by number ("429") or by any spelling of its name:
 * "TooManyRequests", "too many requests", "Request Time-out", "ServerTimeout", "Gateway Timeout".
 */
export function lookup(query: string | number): CodeEntry | undefined {
  if (typeof query === 'number') return BY_CODE.get(query);
  const text = query.trim();
  if (/^\d{3}$/.test(text)) return BY_CODE.get(Number(text));
  return BY_NAME.get(normalise(text));
}

/** Contract codes closest to a number outside the contract: same class, nearest first. */
export function nearestCodes(code: number, count = 3, profile?: Profile): readonly CodeEntry[] {
  const pool = (profile ? profileEntries(profile) : ENTRIES).filter(
    (e) => Math.floor(e.code / 100) === Math.floor(code / 100) && e.guidance !== 'never-issued',
  );
  return [...pool].sort((a, b) => Math.abs(a.code - code) - Math.abs(b.code - code) || a.code - b.code).slice(0, count);
}

/**
 * Whether an answer with this status never carries content (RFC 9110 §6.4.1:
 * 1xx, 204, 205 and 304; the catalog's `body: false`). Not the wire's framing
 * rule (RFC 9112 §6.3, where a 205 with Content-Length still has bytes to read).
 */
export function hasNoContent(status: number): boolean {
  return status < 200 || BY_CODE.get(status)?.body === false;
}
