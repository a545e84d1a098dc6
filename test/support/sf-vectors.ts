/**
 * Runs the httpwg structured-field-tests vectors (RFC 9651) against an
 * adapter: every parse vector (parse, compare with `expected`, serialise back
 * to `canonical` or `raw`) and every serialisation vector. The vector files
 * are read with a small JSON reader that keeps whether a number was written
 * as a decimal (`1.0`), which JSON.parse forgets and serialisation needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type HeaderType = 'item' | 'list' | 'dictionary';

/** A JSON number from a vector file: its value and whether it was written with a fraction or exponent. */
export class VectorNumber {
  constructor(
    readonly value: number,
    readonly decimal: boolean,
  ) {}
}

export interface Vector {
  file: string;
  name: string;
  raw?: string[];
  header_type: HeaderType;
  expected?: unknown;
  must_fail?: boolean;
  can_fail?: boolean;
  canonical?: string[];
}

/**
 * What a structured-field implementation must offer the runner: parse and
 * serialise in its own representation, and convert to and from the vectors'
 * JSON form (with VectorNumber for numbers and `__type` objects).
 */
export interface SfAdapter {
  parse(type: HeaderType, text: string): unknown;
  serialize(type: HeaderType, value: unknown): string;
  toJson(type: HeaderType, value: unknown): unknown;
  fromJson(type: HeaderType, json: unknown): unknown;
}

export interface VectorFailure {
  file: string;
  name: string;
  step: 'parse' | 'serialize';
  detail: string;
}

export interface VectorReport {
  parseVectors: number;
  serializationVectors: number;
  passed: number;
  failed: VectorFailure[];
}

/** A JSON reader that returns every number as a VectorNumber (RFC 8259 grammar). */
export function readJson(text: string): unknown {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && ' \t\r\n'.includes(text[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = value() as string;
        ws();
        i++; // :
        out[key] = value();
        ws();
        if (text[i++] === '}') return out;
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === ']') return out;
      }
    }
    if (c === '"') {
      const start = i++;
      while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      return JSON.parse(text.slice(start, ++i)) as string;
    }
    const m = /^(?:true|false|null|-?\d+(\.\d+)?([eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!m) throw new SyntaxError(`vector JSON: unexpected ${c} at ${i}`);
    i += m[0].length;
    if (m[0] === 'true') return true;
    if (m[0] === 'false') return false;
    if (m[0] === 'null') return null;
    return new VectorNumber(Number(m[0]), m[1] !== undefined || m[2] !== undefined);
  };
  return value();
}

/** Every vector of the suite under `dir`: the parse files, then serialisation-tests/. */
export function loadVectors(dir: string): { parse: Vector[]; serialization: Vector[] } {
  const read = (sub: string): Vector[] =>
    readdirSync(join(dir, sub))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .flatMap((f) =>
        (readJson(readFileSync(join(dir, sub, f), 'utf8')) as Vector[]).map((v) => ({ ...v, file: join(sub, f) })),
      );
  return { parse: read('.'), serialization: read('serialisation-tests') };
}

/** Deep equality of two vector-JSON values; numbers compare by value. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a instanceof VectorNumber) a = a.value;
  if (b instanceof VectorNumber) b = b.value;
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) < 1e-9;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => sameJson(x, b[k]));
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return a === b;
}

const show = (v: unknown): string =>
  JSON.stringify(v, (_k, x) => (x instanceof VectorNumber ? (x.decimal ? `${x.value}d` : x.value) : x));

function attempt<T>(f: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: f() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** One parse vector: undefined when it passes, else why not. */
function parseVector(sf: SfAdapter, v: Vector): VectorFailure | undefined {
  const fail = (step: VectorFailure['step'], detail: string): VectorFailure => ({
    file: v.file,
    name: v.name,
    step,
    detail,
  });
  // RFC 9651 §4.2: several field lines are combined with ", " before parsing.
  const text = (v.raw ?? []).join(', ');
  const parsed = attempt(() => sf.parse(v.header_type, text));
  if (v.must_fail)
    return parsed.ok ? fail('parse', `parsed ${show(sf.toJson(v.header_type, parsed.value))}, must fail`) : undefined;
  if (!parsed.ok) return v.can_fail ? undefined : fail('parse', `threw ${String(parsed.error)}`);
  const got = sf.toJson(v.header_type, parsed.value);
  if (!sameJson(got, v.expected)) return fail('parse', `got ${show(got)}, expected ${show(v.expected)}`);
  return serializeVector(sf, v, v.canonical ?? v.raw ?? []);
}

/** Serialises `expected` and compares with the canonical lines (none: the field is omitted, RFC 9651 §4.1). */
function serializeVector(sf: SfAdapter, v: Vector, canonical: string[]): VectorFailure | undefined {
  const fail = (detail: string): VectorFailure => ({ file: v.file, name: v.name, step: 'serialize', detail });
  const out = attempt(() => sf.serialize(v.header_type, sf.fromJson(v.header_type, v.expected)));
  if (v.must_fail) return out.ok ? fail(`serialised to ${JSON.stringify(out.value)}, must fail`) : undefined;
  if (!out.ok) return fail(`threw ${String(out.error)}`);
  const want = canonical.join(', ');
  return out.value === want ? undefined : fail(`got ${JSON.stringify(out.value)}, expected ${JSON.stringify(want)}`);
}

/** Runs every vector under `dir` against `sf`. */
export function runVectors(sf: SfAdapter, dir: string): VectorReport {
  const { parse, serialization } = loadVectors(dir);
  const failed: VectorFailure[] = [];
  for (const v of parse) {
    const f = parseVector(sf, v);
    if (f) failed.push(f);
  }
  for (const v of serialization) {
    const f = serializeVector(sf, v, v.canonical ?? []);
    if (f) failed.push(f);
  }
  const total = parse.length + serialization.length;
  return {
    parseVectors: parse.length,
    serializationVectors: serialization.length,
    passed: total - failed.length,
    failed,
  };
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 §6 base32, as the vectors write binary `expected` values. */
export function base32Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const ch of clean) {
    acc = (acc << 5) | B32.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
      acc &= (1 << bits) - 1;
    }
  }
  return Uint8Array.from(out);
}

export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
      acc &= (1 << bits) - 1;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}
