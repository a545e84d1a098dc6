import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { isProfile, PROFILE_IDS } from '../catalog/index.ts';
import type { TargetDescription } from './target.ts';

/** A target description that cannot be used, with every problem it has. */
export class TargetError extends Error {
  override readonly name = 'TargetError';
  constructor(
    message: string,
    readonly problems: readonly string[] = [],
  ) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

const PATH_FIELDS = [
  'resource',
  'collection',
  'getOnly',
  'blob',
  'redirect',
  'error',
  'jsonOnly',
  'slow',
  'limited',
  'protected',
  'unavailable',
  'websocket',
] as const satisfies readonly (keyof TargetDescription)[];

const KNOWN = new Set<string>([
  ...PATH_FIELDS,
  'profile',
  'validBody',
  'invalidBody',
  'bodyLimit',
  'requiresLength',
  'uriLimit',
]);

/** The fields of a TargetDescription that name a path on the API. */
export type PathField = (typeof PATH_FIELDS)[number];

/**
 * Whether a value fetched from WELL_KNOWN_TARGET is meant as a description:
 * an object naming at least one field of it. A catch-all route that answers
 * every path with the same JSON is not a description and is ignored.
 */
export function looksLikeTarget(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).some((k) => KNOWN.has(k))
  );
}

/**
 * Checks an already-parsed value against the TargetDescription shape. Paths
 * must be origin-relative (`/items`), so a target file can never send the
 * checker to another host. Every problem is listed, nothing is half-applied.
 */
export function validateTarget(value: unknown, source: string): TargetDescription {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TargetError(`${source}: a target description must be an object (a YAML mapping or a JSON object).`);
  }
  const input = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key)) problems.push(`unknown field "${key}" (known: ${[...KNOWN].join(', ')})`);
  }
  for (const field of PATH_FIELDS) {
    const path = input[field];
    if (path === undefined) continue;
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      problems.push(`"${field}" must be a path on the API starting with "/", got ${JSON.stringify(path)}`);
    } else if (/[\s#]/.test(path) || /[^\x21-\x7e]/.test(path)) {
      problems.push(`"${field}" must be a request target without spaces, "#" or non-ASCII characters: "${path}"`);
    }
  }
  if (input.profile !== undefined && !isProfile(input.profile)) {
    problems.push(`"profile" must be one of ${PROFILE_IDS.join(', ')}, got ${JSON.stringify(input.profile)}`);
  }
  for (const field of ['bodyLimit', 'uriLimit'] as const) {
    const n = input[field];
    if (n !== undefined && !(typeof n === 'number' && Number.isSafeInteger(n) && n > 0)) {
      problems.push(`"${field}" must be a positive whole number of bytes, got ${JSON.stringify(n)}`);
    }
  }
  if (input.requiresLength !== undefined && typeof input.requiresLength !== 'boolean') {
    problems.push(`"requiresLength" must be true or false, got ${JSON.stringify(input.requiresLength)}`);
  }
  for (const field of ['validBody', 'invalidBody'] as const) {
    if (input[field] !== undefined && input.collection === undefined) {
      problems.push(`"${field}" is given but "collection" (where it is sent) is not`);
    }
  }
  if (problems.length) throw new TargetError(`${source}: invalid target description:`, problems);
  return input as TargetDescription;
}

/** Reads a target file: `.json` as JSON, anything else as YAML (which also reads JSON). */
export async function loadTargetFile(file: string): Promise<TargetDescription> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TargetError(`cannot read target file ${file}: ${code === 'ENOENT' ? 'no such file' : String(code)}`);
  }
  return validateTarget(parseTargetText(text, file), file);
}

/** Parses YAML or JSON text, with the line of a syntax error. */
export function parseTargetText(text: string, source: string): unknown {
  try {
    return source.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (err) {
    throw new TargetError(
      `${source}: not valid ${source.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
}
