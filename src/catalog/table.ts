import { CLIENT_ERRORS } from './table/client-errors.ts';
import { INFORMATIONAL_SUCCESS } from './table/informational-success.ts';
import { REDIRECTION } from './table/redirection.ts';
import { SERVER_ERRORS } from './table/server-errors.ts';
import type { CodeSpec, Guidance, TableId } from './types.ts';

/**
 * The contract (CONTRACT.md §1) as one table, keyed by status code. It is
 * written in four files by class only to keep each file readable; this object
 * is the single source every list and type below is derived from.
 */
export const CODES = {
  ...INFORMATIONAL_SUCCESS,
  ...REDIRECTION,
  ...CLIENT_ERRORS,
  ...SERVER_ERRORS,
} as const satisfies Record<number, CodeSpec>;

type Table = typeof CODES;

/** Every status code of the contract: 100 | 101 | 200 | … | 505. */
export type ContractCode = keyof Table;

/** Codes whose guidance is G. */
export type CodeWithGuidance<G extends Guidance> = {
  [K in ContractCode]: Table[K]['guidance'] extends G ? K : never;
}[ContractCode];

/** Codes reserved or unused: 305, 306, 402. */
export type NeverIssuedCode = CodeWithGuidance<'never-issued'>;

/** Codes listed by one table (profile). */
export type ProfileCode<P extends TableId> = {
  [K in ContractCode]: P extends Table[K]['tables'][number] ? K : never;
}[ContractCode];

type IsError<K extends number> = `${K}` extends `4${string}` | `5${string}` ? K : never;

/** The 4xx/5xx codes statuskit may issue, and so render as an error body. */
export type ErrorCode = Exclude<{ [K in ContractCode]: IsError<K> }[ContractCode], NeverIssuedCode>;

/** A contract code with its number attached. */
export type CodeEntry<K extends ContractCode = ContractCode> = Table[K] & { readonly code: K };
