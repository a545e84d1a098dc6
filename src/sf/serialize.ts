/**
 * The serialisation algorithms of RFC 9651 §4.1. A value outside a type's
 * range or alphabet throws StructuredFieldError instead of producing a field
 * a recipient would reject.
 */
import {
  type BareItem,
  Decimal,
  type Dictionary,
  DisplayString,
  type FieldType,
  type InnerList,
  type Item,
  isInnerList,
  type List,
  type Parameters,
  SfDate,
  StructuredFieldError,
  Token,
} from './types.ts';

const KEY = /^[a-z*][a-z0-9_\-.*]*$/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*$/;
const MAX_INTEGER = 999_999_999_999_999;
const utf8 = new TextEncoder();

const fail = (what: string): never => {
  throw new StructuredFieldError(`Cannot serialise as a structured field: ${what}.`);
};

/** RFC 9651 §4.1: a list or dictionary without members serialises to "" (omit the field). */
export function serializeField(type: 'item', value: Item): string;
export function serializeField(type: 'list', value: List): string;
export function serializeField(type: 'dictionary', value: Dictionary): string;
export function serializeField(type: FieldType, value: Item | List | Dictionary): string;
export function serializeField(type: FieldType, value: Item | List | Dictionary): string {
  if (type === 'item') return serializeItem(value as Item);
  if (type === 'list') return serializeList(value as List);
  return serializeDictionary(value as Dictionary);
}

/** RFC 9651 §4.1.1. */
export function serializeList(list: List): string {
  return list.map(member).join(', ');
}

function member(m: Item | InnerList): string {
  return isInnerList(m) ? innerList(m) : serializeItem(m);
}

/** RFC 9651 §4.1.1.1. */
function innerList([items, params]: InnerList): string {
  return `(${items.map(serializeItem).join(' ')})${parameters(params)}`;
}

/** RFC 9651 §4.1.1.2: a parameter whose value is true is written without one. */
function parameters(params: Parameters): string {
  let out = '';
  for (const [name, value] of params) {
    out += `;${key(name)}`;
    if (value !== true) out += `=${serializeBareItem(value)}`;
  }
  return out;
}

/** RFC 9651 §4.1.1.3. */
function key(name: string): string {
  if (!KEY.test(name)) fail(`key "${name}" is not lowercase a-z, 0-9, "_", "-", ".", "*" starting with a-z or "*"`);
  return name;
}

/** RFC 9651 §4.1.2: a member whose value is the item true is written as its key alone. */
export function serializeDictionary(dict: Dictionary): string {
  const out: string[] = [];
  for (const [name, m] of dict) {
    if (!isInnerList(m) && m[0] === true) out.push(key(name) + parameters(m[1]));
    else out.push(`${key(name)}=${member(m)}`);
  }
  return out.join(', ');
}

/** RFC 9651 §4.1.3. */
export function serializeItem([bare, params]: Item): string {
  return serializeBareItem(bare) + parameters(params);
}

/** RFC 9651 §4.1.3.1. */
export function serializeBareItem(value: BareItem): string {
  if (typeof value === 'number') return Number.isInteger(value) ? integer(value) : decimal(value);
  if (value instanceof Decimal) return decimal(value.value);
  if (typeof value === 'string') return string(value);
  if (value instanceof Token) return token(value.value);
  if (typeof value === 'boolean') return value ? '?1' : '?0';
  if (value instanceof Uint8Array)
    return `:${Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64')}:`;
  if (value instanceof SfDate) return `@${integer(value.seconds)}`;
  if (value instanceof DisplayString) return displayString(value.value);
  return fail(`unsupported value ${String(value)}`);
}

/** RFC 9651 §4.1.4: at most 15 digits. */
function integer(n: number): string {
  if (!Number.isInteger(n) || Math.abs(n) > MAX_INTEGER) fail(`${n} is not an integer within ±${MAX_INTEGER}`);
  return String(n);
}

/**
 * RFC 9651 §4.1.5: rounded to 3 fractional digits, half to even; at most 12
 * integer digits; at least one fractional digit, trailing zeros dropped.
 */
function decimal(n: number): string {
  if (!Number.isFinite(n)) fail(`${n} is not a finite number`);
  const scaled = Math.abs(n) * 1000;
  let thousandths = Math.floor(scaled);
  const rest = scaled - thousandths;
  if (rest > 0.5 || (rest === 0.5 && thousandths % 2 === 1)) thousandths++;
  const whole = Math.floor(thousandths / 1000);
  if (whole > 999_999_999_999) fail(`${n} has more than 12 integer digits`);
  const fraction = String(thousandths % 1000)
    .padStart(3, '0')
    .replace(/0+$/, '');
  return `${n < 0 && thousandths > 0 ? '-' : ''}${whole}.${fraction || '0'}`;
}

/** RFC 9651 §4.1.6: printable ASCII, `"` and `\` escaped. */
function string(s: string): string {
  if (/[^\x20-\x7e]/.test(s)) fail('a string holds printable ASCII only (use a display string)');
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** RFC 9651 §4.1.7. */
function token(t: string): string {
  if (!TOKEN.test(t)) fail(`"${t}" is not a token`);
  return t;
}

/** RFC 9651 §4.1.11: `%`, `"` and every byte outside printable ASCII percent-encoded, lowercase. */
function displayString(s: string): string {
  let out = '%"';
  for (const b of utf8.encode(s)) {
    out +=
      b === 0x25 || b === 0x22 || b < 0x20 || b > 0x7e ? `%${b.toString(16).padStart(2, '0')}` : String.fromCharCode(b);
  }
  return `${out}"`;
}
