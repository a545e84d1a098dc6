import type { TableId } from '../types.ts';

/** Listed by all four tables. */
export const ALL = ['dis', 'dcs', 'dli', 'generic'] as const satisfies readonly TableId[];
