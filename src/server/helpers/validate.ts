import { StatusError } from '../../errors.ts';

/**
 * A small JSON schema: the subset of JSON Schema keywords an API body needs.
 * Written as plain data so a schema can be shown to clients as it is.
 */
export type Schema =
  | { type: 'string'; minLength?: number; maxLength?: number; pattern?: string; enum?: readonly string[] }
  | { type: 'number' | 'integer'; minimum?: number; maximum?: number }
  | { type: 'boolean' }
  | { type: 'null' }
  | { type: 'array'; items?: Schema; minItems?: number; maxItems?: number }
  | {
      type: 'object';
      properties?: Readonly<Record<string, Schema>>;
      required?: readonly string[];
      /** Whether members not in `properties` are allowed. @default true */
      additionalProperties?: boolean;
    };

/** One failing field: a JSON Pointer (RFC 6901) into the body, and what is wrong there. */
export interface FieldError {
  field: string;
  problem: string;
}

type Check = (value: unknown, at: string, out: FieldError[]) => void;

const pointer = (at: string, key: string | number): string =>
  `${at}/${String(key).replace(/~/g, '~0').replace(/\//g, '~1')}`;

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Turns a schema into a checking function once, so requests pay only for the walk. */
function compile(schema: Schema, where: string): Check {
  switch (schema.type) {
    case 'string': {
      let re: RegExp | undefined;
      try {
        re = schema.pattern === undefined ? undefined : new RegExp(schema.pattern, 'u');
      } catch (cause) {
        throw new TypeError(`Schema at "${where || '/'}" has an invalid pattern: ${schema.pattern}`, { cause });
      }
      const { minLength, maxLength } = schema;
      const choices = schema.enum;
      return (v, at, out) => {
        if (typeof v !== 'string') return void out.push({ field: at, problem: `must be a string, not ${typeOf(v)}` });
        if (choices && !choices.includes(v)) out.push({ field: at, problem: `must be one of ${choices.join(', ')}` });
        else if (minLength !== undefined && v.length < minLength)
          out.push({ field: at, problem: `must be at least ${minLength} characters long` });
        else if (maxLength !== undefined && v.length > maxLength)
          out.push({ field: at, problem: `must be at most ${maxLength} characters long` });
        else if (re && !re.test(v)) out.push({ field: at, problem: `must match ${schema.pattern}` });
      };
    }
    case 'number':
    case 'integer': {
      const { minimum, maximum, type } = schema;
      return (v, at, out) => {
        if (typeof v !== 'number' || (type === 'integer' && !Number.isInteger(v)))
          return void out.push({
            field: at,
            problem: `must be ${type === 'integer' ? 'an integer' : 'a number'}, not ${typeOf(v)}`,
          });
        if ((minimum !== undefined && v < minimum) || (maximum !== undefined && v > maximum))
          out.push({ field: at, problem: `must be between ${minimum ?? '-∞'} and ${maximum ?? '∞'}` });
      };
    }
    case 'boolean':
    case 'null': {
      const type = schema.type;
      return (v, at, out) => {
        if (typeOf(v) !== type) out.push({ field: at, problem: `must be ${type}, not ${typeOf(v)}` });
      };
    }
    case 'array': {
      const item = schema.items ? compile(schema.items, `${where}/items`) : undefined;
      const { minItems, maxItems } = schema;
      return (v, at, out) => {
        if (!Array.isArray(v)) return void out.push({ field: at, problem: `must be an array, not ${typeOf(v)}` });
        if (minItems !== undefined && v.length < minItems)
          out.push({ field: at, problem: `must have at least ${minItems} items` });
        if (maxItems !== undefined && v.length > maxItems)
          return void out.push({ field: at, problem: `must have at most ${maxItems} items` });
        if (item) for (let i = 0; i < v.length; i++) item(v[i], pointer(at, i), out);
      };
    }
    case 'object': {
      const props = Object.entries(schema.properties ?? {}).map(
        ([k, s]) => [k, compile(s, pointer(where, k))] as const,
      );
      const known = new Set(props.map(([k]) => k));
      const required = schema.required ?? [];
      const closed = schema.additionalProperties === false;
      return (v, at, out) => {
        if (typeOf(v) !== 'object') return void out.push({ field: at, problem: `must be an object, not ${typeOf(v)}` });
        const obj = v as Record<string, unknown>;
        for (const k of required)
          if (!Object.hasOwn(obj, k)) out.push({ field: pointer(at, k), problem: 'is required' });
        for (const [k, check] of props) if (Object.hasOwn(obj, k)) check(obj[k], pointer(at, k), out);
        if (closed)
          for (const k of Object.keys(obj))
            if (!known.has(k)) out.push({ field: pointer(at, k), problem: 'is not allowed' });
      };
    }
    default:
      throw new TypeError(
        `Schema at "${where || '/'}" has an unknown type: ${JSON.stringify((schema as { type: unknown }).type)}`,
      );
  }
}

export interface ValidatorOptions {
  /** Most field errors reported in one answer. @default 20 */
  maxErrors?: number;
}

/** A compiled schema: `check` lists the failing fields, `assert` throws the 422. */
export interface Validator<T> {
  readonly schema: Schema;
  check(value: unknown): FieldError[];
  assert(value: unknown): asserts value is T;
}

/**
 * Compiles a schema once (an invalid schema is a TypeError here, at startup)
 * and returns its validator. `assert` throws a 422 StatusError whose body
 * lists the failing fields in `fields` (RFC 9110 §15.5.21: the body parsed,
 * its content did not validate).
 */
export function createValidator<T>(schema: Schema, options: ValidatorOptions = {}): Validator<T> {
  const maxErrors = options.maxErrors ?? 20;
  const root = compile(schema, '');
  function check(value: unknown): FieldError[] {
    const out: FieldError[] = [];
    root(value, '', out);
    return out.length > maxErrors ? out.slice(0, maxErrors) : out;
  }
  function assert(value: unknown): asserts value is T {
    const fields = check(value);
    if (fields.length === 0) return;
    const first = fields[0] as FieldError;
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : '';
    throw new StatusError(422, `The body does not validate: ${first.field || 'the body'} ${first.problem}${more}.`, {
      subcode: 'VALIDATION',
      details: { fields },
    });
  }
  return { schema, check, assert };
}

/**
 * Returns a function that reads a request's JSON body (the front answers 415
 * for another media type and 400 for malformed JSON) and validates it (422).
 */
export function validateJson<T>(schema: Schema, options?: ValidatorOptions) {
  const validator: Validator<T> = createValidator<T>(schema, options);
  return async function readValidJson(ctx: { json<U = unknown>(): Promise<U> }): Promise<T> {
    const body = await ctx.json();
    validator.assert(body);
    return body as T;
  };
}
