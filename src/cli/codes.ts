import {
  type CodeEntry,
  DEFAULT_PROFILE,
  errorCodeFor,
  GUIDANCE,
  type Guidance,
  isErrorCode,
  nameIn,
  type Profile,
  profileEntries,
  STATUS_CLASSES,
  type StatusClass,
  statusClass,
} from '../catalog/index.ts';
import type { Command } from './command.ts';
import { PROFILE_FLAG } from './explain.ts';

interface Row {
  code: number;
  name: string;
  class: StatusClass;
  guidance: Guidance;
  headers: string;
  error_code: string;
  summary: string;
}

function toRow(e: CodeEntry, profile: Profile): Row {
  return {
    code: e.code,
    name: nameIn(e, profile),
    class: statusClass(e.code),
    guidance: e.guidance,
    headers: e.headers.map((h) => (h.required === 'always' ? h.field : `${h.field}?`)).join(' '),
    error_code: isErrorCode(e.code, profile) ? errorCodeFor(e.code, profile) : '',
    summary: e.summary,
  };
}

/** The catalog rows of a profile, filtered by class and by guidance. */
export function selectCodes(profile: Profile, cls?: StatusClass, guidance?: Guidance): Row[] {
  return profileEntries(profile)
    .filter((e) => (cls ? statusClass(e.code) === cls : true))
    .filter((e) =>
      guidance ? e.guidance === guidance || ('withRetryAfter' in e && e.withRetryAfter === guidance) : true,
    )
    .map((e) => toRow(e, profile));
}

const COLUMNS = ['code', 'name', 'class', 'guidance', 'headers', 'error_code', 'summary'] as const;

function csvCell(value: string | number): string {
  const s = String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function formatRows(rows: readonly Row[], format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return `${JSON.stringify(rows, null, 2)}\n`;
  if (format === 'csv') {
    return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvCell(r[c])).join(','))].join('\n')}\n`;
  }
  const shown = COLUMNS.filter((c) => c !== 'summary' && c !== 'error_code');
  const widths = shown.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const head = line(shown.map((c) => c.toUpperCase()));
  const body = rows.map((r) => line(shown.map((c) => String(r[c]))));
  return `${[head, ...body].join('\n')}\n${rows.length} code${rows.length === 1 ? '' : 's'} (header? = only when its condition holds)\n`;
}

export const codes: Command = {
  name: 'codes',
  summary: 'the contract table, filtered by profile, class or guidance',
  usage: 'codes [--profile <profile>] [--class <4xx>] [--guidance <guidance>] [--format table|json|csv]',
  details: [
    'Examples:',
    '  statuskit codes --class 5xx',
    '  statuskit codes --guidance retry-after --format json',
  ].join('\n'),
  flags: {
    profile: PROFILE_FLAG,
    class: { type: 'string', description: 'only one class', placeholder: '<class>', choices: STATUS_CLASSES },
    guidance: {
      type: 'string',
      description: 'only codes with this guidance',
      placeholder: '<guidance>',
      choices: GUIDANCE,
    },
    format: {
      type: 'string',
      description: 'output format',
      placeholder: '<format>',
      choices: ['table', 'json', 'csv'],
    },
  },
  async run({ flags, io }) {
    const profile = (flags.profile as Profile | undefined) ?? DEFAULT_PROFILE;
    const rows = selectCodes(profile, flags.class as StatusClass | undefined, flags.guidance as Guidance | undefined);
    io.out(formatRows(rows, (flags.format as 'table' | 'json' | 'csv' | undefined) ?? 'table'));
    return 0;
  },
};
