import { closest } from '../../closest.ts';
import { type Parsed, parseDuration, parseSize } from './units.ts';

/** Where a value sits in the configuration: `routes[0].timeout` is `['routes', 0, 'timeout']`. */
export type ConfigPath = readonly (string | number)[];

/** One problem with the configuration, before it is given a file position. */
export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
}

export type Obj = Record<string, unknown>;

/** A problem as reported: the field, and where the configuration came from a file, its place. */
export interface PlacedIssue {
  field: string;
  message: string;
  file?: string;
  line?: number;
  col?: number;
}

/** A configuration that failed validation; nothing of it was applied. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    message: string,
    readonly issues: readonly PlacedIssue[],
  ) {
    super(message);
  }
}

export function fieldName(path: ConfigPath): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${part}` : part;
  return out || '(top level)';
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads a plain configuration value field by field, collecting every problem
 * with its path instead of stopping at the first, so one run of the gateway
 * lists everything wrong with a file. Each getter returns the default when
 * the field is absent and undefined when it is present but wrong.
 */
export class ConfigReader {
  readonly issues: ConfigIssue[] = [];

  fail(path: ConfigPath, message: string): undefined {
    this.issues.push({ path, message });
    return undefined;
  }

  /** The object at `path`, after checking that it names only `allowed` keys. */
  object(value: unknown, path: ConfigPath, allowed: readonly string[]): Obj | undefined {
    if (!isObj(value)) return this.fail(path, `must be a mapping (key: value), got ${describe(value)}.`);
    for (const key of Object.keys(value)) {
      if (allowed.includes(key)) continue;
      const guess = closest(key, allowed);
      this.issues.push({
        path: [...path, key],
        atKey: true,
        message: `unknown field "${key}".${guess ? ` Did you mean "${guess}"?` : ` Known fields: ${allowed.join(', ')}.`}`,
      });
    }
    return value;
  }

  string(obj: Obj, key: string, path: ConfigPath, fallback: string): string | undefined;
  string(obj: Obj, key: string, path: ConfigPath, fallback?: string): string | undefined;
  string(obj: Obj, key: string, path: ConfigPath, fallback?: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'string' || v.trim() === '')
      return this.fail([...path, key], `must be a non-empty string, got ${describe(v)}.`);
    return v;
  }

  oneOf<T extends string>(obj: Obj, key: string, path: ConfigPath, choices: readonly T[], fallback: T): T | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === 'string' && (choices as readonly string[]).includes(v)) return v as T;
    const guess = typeof v === 'string' ? closest(v, choices) : undefined;
    return this.fail(
      [...path, key],
      `must be one of ${choices.join(', ')}, got ${describe(v)}.${guess ? ` Did you mean "${guess}"?` : ''}`,
    );
  }

  boolean(obj: Obj, key: string, path: ConfigPath, fallback: boolean): boolean | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') return this.fail([...path, key], `must be true or false, got ${describe(v)}.`);
    return v;
  }

  integer(obj: Obj, key: string, path: ConfigPath, fallback: number, min: number, max: number): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      return this.fail([...path, key], `must be a whole number from ${min} to ${max}, got ${describe(v)}.`);
    }
    return v;
  }

  duration(obj: Obj, key: string, path: ConfigPath, fallback: number, min = 0): number | undefined {
    return this.#unit(obj, key, path, fallback, parseDuration, min, 'ms');
  }

  size(obj: Obj, key: string, path: ConfigPath, fallback: number | undefined, min = 0): number | undefined {
    return this.#unit(obj, key, path, fallback, parseSize, min, 'bytes');
  }

  #unit(
    obj: Obj,
    key: string,
    path: ConfigPath,
    fallback: number | undefined,
    parse: (v: unknown) => Parsed<number>,
    min: number,
    unit: string,
  ): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return fallback;
    const parsed = parse(v);
    if (!parsed.ok) return this.fail([...path, key], `must be ${parsed.expected}, got ${describe(v)}.`);
    if (parsed.value < min) return this.fail([...path, key], `must be at least ${min} ${unit}, got ${describe(v)}.`);
    return parsed.value;
  }

  /** A list of strings; a single string is taken as a list of one. */
  strings(obj: Obj, key: string, path: ConfigPath): string[] | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list)) return this.fail([...path, key], `must be a list of strings, got ${describe(v)}.`);
    const out: string[] = [];
    list.forEach((item, i) => {
      if (typeof item === 'string' && item.trim() !== '') out.push(item);
      else
        this.fail(
          typeof v === 'string' ? [...path, key] : [...path, key, i],
          `must be a non-empty string, got ${describe(item)}.`,
        );
    });
    return out.length === list.length ? out : undefined;
  }
}

export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return Array.isArray(v) ? 'a list' : 'a mapping';
}
