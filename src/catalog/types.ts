/**
 * The shape of one catalog entry. The table itself lives in ./table.ts; every
 * list and type the rest of statuskit uses is derived from it.
 */

/** The four API reference tables the contract was taken from. */
export const TABLES = ['dis', 'dcs', 'dli', 'generic'] as const;
export type TableId = (typeof TABLES)[number];

/** What a client does on a code (CONTRACT.md §5). */
export const GUIDANCE = [
  'done',
  'follow',
  'fix',
  'retry-later',
  'retry-after',
  'retry-idempotent',
  'never-issued',
] as const;
export type Guidance = (typeof GUIDANCE)[number];

/** Who issues a code in statuskit: the HTTP front, the gateway, or an application handler. */
export type Issuer = 'front' | 'gateway' | 'handler';

/** A header the server must send with a code. */
export interface HeaderRule {
  readonly field: string;
  /** `always`: every answer with this code carries it; `conditional`: only when `condition` holds. */
  readonly required: 'always' | 'conditional';
  readonly condition?: string;
  /** The value's form where it is fixed, e.g. `bytes *\/LENGTH`. */
  readonly form?: string;
}

export interface CodeSpec {
  /** The standard reason phrase (RFC 9110 §15, RFC 6585 for 429). */
  readonly reason: string;
  /** The name the tables give the code (most tables agree). */
  readonly name: string;
  /** Where one table names it differently. */
  readonly names?: Partial<Record<TableId, string>>;
  /** Which tables list the code. */
  readonly tables: readonly TableId[];
  /** The specification section behind the code. */
  readonly spec: string;
  readonly summary: string;
  readonly description: string;
  /** When statuskit issues it. */
  readonly when: string;
  readonly issuedBy: readonly Issuer[];
  readonly headers: readonly HeaderRule[];
  /** Whether an answer with this code may carry content (RFC 9110 §6.4.1). */
  readonly body: boolean;
  readonly guidance: Guidance;
  /** Guidance when the answer carries Retry-After (413, 503: retry only then). */
  readonly withRetryAfter?: Guidance;
  /** What the client should do, in words. */
  readonly action: string;
  /** Other spellings people use for it (older RFC phrases, framework names). */
  readonly aliases?: readonly string[];
}
