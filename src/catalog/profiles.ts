import { TABLES, type TableId } from './types.ts';

/** A profile selects one table: its code set, its names, its error_code prefix (CONTRACT.md §2). */
export const PROFILES = {
  dis: { title: 'Data Ingestion Service', prefix: 'DIS' },
  dcs: { title: 'Distributed Cache Service', prefix: 'DCS' },
  dli: { title: 'Data Lake Insight', prefix: 'DLI' },
  generic: { title: 'Generic cloud service API', prefix: 'SVC' },
} as const satisfies Record<TableId, { title: string; prefix: string }>;

export type Profile = TableId;
export const DEFAULT_PROFILE: Profile = 'generic';
export const PROFILE_IDS: readonly Profile[] = TABLES;

export function isProfile(value: unknown): value is Profile {
  return typeof value === 'string' && (TABLES as readonly string[]).includes(value);
}

/** Parses a profile name, throwing a TypeError that lists the valid ones. */
export function parseProfile(value: string): Profile {
  const id = value.trim().toLowerCase();
  if (isProfile(id)) return id;
  throw new TypeError(`Unknown profile "${value}": expected one of ${TABLES.join(', ')}.`);
}
