import { closest } from '../closest.ts';
import { CliError } from './errors.ts';

export interface FlagSpec {
  type: 'string' | 'boolean' | 'number';
  description: string;
  short?: string;
  /** The value's placeholder in help, e.g. `<ms>`. */
  placeholder?: string;
  choices?: readonly string[];
  /** May be given more than once; the values are collected into an array. */
  multiple?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;
export type FlagValue = string | number | boolean | string[];

export interface ParsedArgs {
  flags: Record<string, FlagValue | undefined>;
  positionals: string[];
}

/**
 * Parses `--name value`, `--name=value`, `-s value` and boolean `--name`.
 * Unknown flags, missing values, bad numbers and values outside `choices`
 * are CliErrors with a hint; nothing is guessed.
 */
export function parseArgs(argv: readonly string[], specs: FlagSpecs, command: string): ParsedArgs {
  const flags: Record<string, FlagValue | undefined> = {};
  const positionals: string[] = [];
  const shorts = new Map(Object.entries(specs).flatMap(([n, s]) => (s.short ? [[s.short, n] as const] : [])));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const raw = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : shorts.get(arg.slice(1));
    const spec = raw === undefined ? undefined : specs[raw];
    if (raw === undefined || spec === undefined) {
      const guess = closest(arg.replace(/^-+/, '').split('=')[0] ?? '', Object.keys(specs));
      throw new CliError(
        `Unknown option ${arg.split('=')[0]} for "statuskit ${command}".`,
        2,
        guess ? `Did you mean --${guess}? See "statuskit ${command} --help".` : `See "statuskit ${command} --help".`,
      );
    }
    let value: FlagValue;
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new CliError(`Option --${raw} takes no value.`);
      value = true;
    } else {
      const text = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
      if (text === undefined || (eq === -1 && text.startsWith('--'))) {
        throw new CliError(`Option --${raw} needs a value${spec.placeholder ? ` ${spec.placeholder}` : ''}.`);
      }
      value = spec.type === 'number' ? toNumber(raw, text) : text;
      if (spec.choices && !spec.choices.includes(text)) {
        const guess = closest(text, spec.choices);
        throw new CliError(
          `Invalid value "${text}" for --${raw}: expected one of ${spec.choices.join(', ')}.`,
          2,
          guess ? `Did you mean --${raw} ${guess}?` : undefined,
        );
      }
    }
    if (spec.multiple) {
      const prev = flags[raw];
      flags[raw] = [...(Array.isArray(prev) ? prev : []), String(value)];
    } else {
      flags[raw] = value;
    }
  }
  return { flags, positionals };
}

function toNumber(name: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n))
    throw new CliError(`Option --${name} expects a number, got "${text}".`);
  return n;
}

/** The option list of a help page. */
export function describeFlags(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => {
    const left = `${s.short ? `-${s.short}, ` : '    '}--${name}${s.type === 'boolean' ? '' : ` ${s.placeholder ?? '<value>'}`}`;
    const choices = s.choices ? ` (${s.choices.join('|')})` : '';
    return [left, `${s.description}${choices}`] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length), 0) + 2;
  return rows.map(([l, r]) => `  ${l.padEnd(width)}${r}`).join('\n');
}
