import { STATUS_CODES } from 'node:http';
import {
  type CodeEntry,
  DEFAULT_PROFILE,
  errorCodeFor,
  getCode,
  type HeaderRule,
  inProfile,
  isErrorCode,
  lookup,
  nameIn,
  nearestCodes,
  PROFILE_IDS,
  type Profile,
  statusClass,
} from '../catalog/index.ts';
import type { Command } from './command.ts';
import { CliError } from './errors.ts';

const PROFILE_FLAG = {
  type: 'string',
  description: 'the table whose names and code set apply',
  placeholder: '<profile>',
  choices: PROFILE_IDS,
} as const;

/** The facts of one code as `explain --json` prints them. */
export function explainData(entry: CodeEntry, profile: Profile) {
  return {
    code: entry.code,
    class: statusClass(entry.code),
    reason: entry.reason,
    name: nameIn(entry, profile),
    profile,
    names: Object.fromEntries(entry.tables.map((t) => [t, nameIn(entry, t)])),
    tables: entry.tables,
    spec: entry.spec,
    summary: entry.summary,
    description: entry.description,
    when: entry.when,
    issuedBy: entry.issuedBy,
    headers: entry.headers,
    body: entry.body,
    guidance: entry.guidance,
    ...('withRetryAfter' in entry ? { withRetryAfter: entry.withRetryAfter } : {}),
    action: entry.action,
    errorCode: isErrorCode(entry.code, profile) ? errorCodeFor(entry.code, profile) : null,
  };
}

function explainText(entry: CodeEntry, profile: Profile): string {
  const d = explainData(entry, profile);
  const byName = new Map<string, string[]>();
  for (const [t, n] of Object.entries(d.names)) byName.set(n, [...(byName.get(n) ?? []), t]);
  const names = [...byName]
    .map(([n, ts]) => `${n} (${ts.length === 4 ? 'all four tables' : ts.join(', ')})`)
    .join('; ');
  const rules: readonly HeaderRule[] = entry.headers;
  const headers = rules.length
    ? rules
        .map((h) => {
          const when = h.required === 'always' ? 'always' : (h.condition ?? 'when it applies');
          const form = h.form ? `: ${h.form}` : '';
          return `  ${`${h.field}${form}`.padEnd(32)}${when}`;
        })
        .join('\n')
    : '  (none beyond the usual)';
  const guidance =
    'withRetryAfter' in entry
      ? `${entry.guidance}; ${entry.withRetryAfter} when Retry-After is present`
      : entry.guidance;
  return [
    `${entry.code} ${d.name}  ·  ${d.class}  ·  ${entry.spec}`,
    '',
    entry.summary,
    entry.description,
    '',
    `Names:        ${names}`,
    `Issued:       ${entry.when}${entry.issuedBy.length ? ` (by the ${entry.issuedBy.join(', ')})` : ''}`,
    `Body:         ${entry.body ? 'may carry content' : 'never carries content'}`,
    `Error body:   ${d.errorCode ? `error_code ${d.errorCode} under ${profile}` : 'none (not an error statuskit issues)'}`,
    'Must send:',
    headers,
    `Client:       ${guidance}. ${entry.action}`,
    '',
  ].join('\n');
}

function unknownCode(query: string, profile: Profile): CliError {
  const n = Number(query);
  if (/^\d{3}$/.test(query.trim()) && n >= 100 && n <= 599) {
    const known = STATUS_CODES[n];
    const near = nearestCodes(n, 3, profile)
      .map((e) => `${e.code} ${nameIn(e, profile)}`)
      .join(', ');
    return new CliError(
      `${n}${known ? ` ${known}` : ''} is not a code of the statuskit contract.`,
      2,
      near ? `Nearest contract codes: ${near}.` : undefined,
    );
  }
  return new CliError(
    `"${query}" is neither a status code nor a name in the catalog.`,
    2,
    'Try a number (429) or a name in any spelling ("TooManyRequests", "gateway timeout"); "statuskit codes" lists them all.',
  );
}

export const explain: Command = {
  name: 'explain',
  summary: 'what a status code means, what a server must send with it, what a client should do',
  usage: 'explain <code|name> [--profile <profile>] [--json]',
  details: [
    'Examples:',
    '  statuskit explain 429',
    '  statuskit explain "gateway timeout" --json',
    '  statuskit explain 441 --profile dis',
  ].join('\n'),
  flags: {
    profile: PROFILE_FLAG,
    json: { type: 'boolean', description: 'print the entry as JSON' },
  },
  async run({ flags, positionals, io }) {
    const query = positionals.join(' ').trim();
    if (!query) throw new CliError('explain needs a status code or name.', 2, 'Example: statuskit explain 429');
    const profile = (flags.profile as Profile | undefined) ?? DEFAULT_PROFILE;
    const entry = lookup(query);
    if (!entry) throw unknownCode(query, profile);
    if (!inProfile(entry.code, profile)) {
      const only = entry.tables.join(', ');
      throw new CliError(
        `${entry.code} ${entry.name} exists only in the ${only} profile${entry.tables.length > 1 ? 's' : ''}, not in "${profile}".`,
        2,
        entry.code === 441
          ? `Under "${profile}" the same failure is answered with 401 ${nameIn(getCode(401) as CodeEntry, profile)}.`
          : undefined,
      );
    }
    io.out(flags.json ? `${JSON.stringify(explainData(entry, profile), null, 2)}\n` : explainText(entry, profile));
    return 0;
  },
};

export { PROFILE_FLAG };
