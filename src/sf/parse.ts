/**
 * The parsing algorithms of RFC 9651 §4.2, step by step. Every function
 * throws StructuredFieldError on invalid input: RFC 9651 §4.2 says a field
 * that fails to parse is ignored as a whole, and the caller decides what that means.
 */
import {
  type BareItem,
  Decimal,
  type Dictionary,
  DisplayString,
  type FieldType,
  type InnerList,
  type Item,
  type List,
  type Parameters,
  SfDate,
  StructuredFieldError,
  Token,
} from './types.ts';

const DIGIT = /[0-9]/;
const ALPHA = /[A-Za-z]/;
const LCALPHA = /[a-z]/;
const KEY_CHAR = /[a-z0-9_\-.*]/;
// RFC 9110 §5.6.2 tchar, plus ":" and "/" (RFC 9651 §3.3.4).
const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

class Input {
  i = 0;
  constructor(readonly s: string) {}
  get empty(): boolean {
    return this.i >= this.s.length;
  }
  get char(): string {
    return this.s[this.i] ?? '';
  }
  next(): string {
    return this.s[this.i++] ?? '';
  }
  fail(what: string): never {
    throw new StructuredFieldError(`Invalid structured field at ${this.i}: ${what}.`);
  }
  skipSP(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  /** RFC 9110 §5.6.3 OWS. */
  skipOWS(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
}

/** RFC 9651 §4.2: the whole field value, as a `type`. */
export function parseField(type: 'item', text: string): Item;
export function parseField(type: 'list', text: string): List;
export function parseField(type: 'dictionary', text: string): Dictionary;
export function parseField(type: FieldType, text: string): Item | List | Dictionary;
export function parseField(type: FieldType, text: string): Item | List | Dictionary {
  // RFC 9651 §4.2 step 1: the value must be ASCII.
  if (/[^\x00-\x7f]/.test(text)) throw new StructuredFieldError('Invalid structured field: not ASCII.');
  const input = new Input(text);
  input.skipSP();
  const out = type === 'list' ? list(input) : type === 'dictionary' ? dictionary(input) : item(input);
  input.skipSP();
  if (!input.empty) input.fail('unexpected characters after the value');
  return out;
}

export const parseList = (text: string): List => parseField('list', text);
export const parseDictionary = (text: string): Dictionary => parseField('dictionary', text);
export const parseItem = (text: string): Item => parseField('item', text);

/** RFC 9651 §4.2.1 and §4.2.2 share the "member, OWS, comma, OWS" loop. */
function members(input: Input, member: () => void): void {
  while (!input.empty) {
    member();
    input.skipOWS();
    if (input.empty) return;
    if (input.next() !== ',') input.fail('expected ","');
    input.skipOWS();
    if (input.empty) input.fail('trailing ","');
  }
}

/** RFC 9651 §4.2.1. */
function list(input: Input): List {
  const out: List = [];
  members(input, () => out.push(itemOrInnerList(input)));
  return out;
}

function itemOrInnerList(input: Input): Item | InnerList {
  return input.char === '(' ? innerList(input) : item(input);
}

/** RFC 9651 §4.2.1.2. */
function innerList(input: Input): InnerList {
  input.next(); // (
  const items: Item[] = [];
  while (!input.empty) {
    input.skipSP();
    if (input.char === ')') {
      input.next();
      return [items, parameters(input)];
    }
    items.push(item(input));
    if (input.char !== ' ' && input.char !== ')') input.fail('expected " " or ")" in an inner list');
  }
  return input.fail('unterminated inner list');
}

/** RFC 9651 §4.2.2: a later duplicate key overwrites the value, in the first one's place. */
function dictionary(input: Input): Dictionary {
  const out: Dictionary = new Map();
  members(input, () => {
    const name = key(input);
    if (input.char === '=') {
      input.next();
      out.set(name, itemOrInnerList(input));
    } else {
      out.set(name, [true, parameters(input)]);
    }
  });
  return out;
}

/** RFC 9651 §4.2.3. */
function item(input: Input): Item {
  const bare = bareItem(input);
  return [bare, parameters(input)];
}

/** RFC 9651 §4.2.3.1. */
function bareItem(input: Input): BareItem {
  const c = input.char;
  if (c === '-' || DIGIT.test(c)) return number(input);
  if (c === '"') return string(input);
  if (c === '*' || ALPHA.test(c)) return token(input);
  if (c === ':') return binary(input);
  if (c === '?') return boolean(input);
  if (c === '@') return date(input);
  if (c === '%') return displayString(input);
  return input.fail(c ? `unexpected "${c}"` : 'a value is missing');
}

/** RFC 9651 §4.2.3.2: a later duplicate key overwrites the value. */
function parameters(input: Input): Parameters {
  const out: Parameters = new Map();
  while (input.char === ';') {
    input.next();
    input.skipSP();
    const name = key(input);
    let value: BareItem = true;
    if (input.s[input.i] === '=') {
      input.next();
      value = bareItem(input);
    }
    out.set(name, value);
  }
  return out;
}

/** RFC 9651 §4.2.3.3. */
function key(input: Input): string {
  const start = input.i;
  if (input.char !== '*' && !LCALPHA.test(input.char)) input.fail('a key starts with a-z or "*"');
  while (!input.empty && KEY_CHAR.test(input.char)) input.i++;
  return input.s.slice(start, input.i);
}

/** RFC 9651 §4.2.4: at most 15 integer digits; a decimal has at most 12 + 3. */
function number(input: Input): number | Decimal {
  const start = input.i;
  if (input.char === '-') input.next();
  if (!DIGIT.test(input.char)) input.fail('a number needs a digit');
  let digits = 0;
  let dot = -1;
  while (!input.empty) {
    const c = input.char;
    if (DIGIT.test(c)) {
      digits++;
    } else if (c === '.' && dot < 0) {
      if (digits > 12) input.fail('more than 12 digits before the decimal point');
      dot = digits;
    } else {
      break;
    }
    input.i++;
    if (dot < 0 && digits > 15) input.fail('an integer has at most 15 digits');
    if (dot >= 0 && digits > 15) input.fail('a decimal has at most 16 characters');
  }
  const text = input.s.slice(start, input.i);
  if (dot < 0) return Number(text);
  if (text.endsWith('.')) input.fail('a decimal needs a digit after the point');
  if (digits - dot > 3) input.fail('a decimal has at most 3 fractional digits');
  return new Decimal(Number(text));
}

/** RFC 9651 §4.2.5. */
function string(input: Input): string {
  input.next(); // "
  let out = '';
  for (;;) {
    if (input.empty) input.fail('unterminated string');
    const c = input.next();
    if (c === '\\') {
      if (input.empty) input.fail('unterminated escape');
      const n = input.next();
      if (n !== '"' && n !== '\\') input.fail('only \\" and \\\\ are escapes');
      out += n;
    } else if (c === '"') {
      return out;
    } else {
      const code = c.charCodeAt(0);
      if (code < 0x20 || code > 0x7e) input.fail('a string holds printable ASCII only');
      out += c;
    }
  }
}

/** RFC 9651 §4.2.6. */
function token(input: Input): Token {
  const start = input.i;
  input.next();
  while (!input.empty && TOKEN_CHAR.test(input.char)) input.i++;
  return new Token(input.s.slice(start, input.i));
}

/** RFC 9651 §4.2.7. */
function binary(input: Input): Uint8Array {
  input.next(); // :
  const end = input.s.indexOf(':', input.i);
  if (end < 0) input.fail('unterminated byte sequence');
  const b64 = input.s.slice(input.i, end);
  input.i = end + 1;
  if (!BASE64.test(b64)) input.fail('a byte sequence is base64');
  return Uint8Array.from(Buffer.from(b64, 'base64'));
}

/** RFC 9651 §4.2.8. */
function boolean(input: Input): boolean {
  input.next(); // ?
  const c = input.next();
  if (c === '1') return true;
  if (c === '0') return false;
  return input.fail('a boolean is ?1 or ?0');
}

/** RFC 9651 §4.2.9. */
function date(input: Input): SfDate {
  input.next(); // @
  const n = number(input);
  if (typeof n !== 'number') input.fail('a date is a whole number of seconds');
  return new SfDate(n);
}

/** RFC 9651 §4.2.10: percent-encoded UTF-8 with lowercase hex. */
function displayString(input: Input): DisplayString {
  input.next(); // %
  if (input.next() !== '"') input.fail('a display string starts with %"');
  const bytes: number[] = [];
  for (;;) {
    if (input.empty) input.fail('unterminated display string');
    const c = input.next();
    const code = c.charCodeAt(0);
    if (code < 0x20 || code > 0x7e) input.fail('a display string holds printable ASCII only');
    if (c === '%') {
      const hex = input.s.slice(input.i, input.i + 2);
      if (!/^[0-9a-f]{2}$/.test(hex)) input.fail('a percent escape is two lowercase hex digits');
      input.i += 2;
      bytes.push(Number.parseInt(hex, 16));
    } else if (c === '"') {
      try {
        return new DisplayString(utf8.decode(Uint8Array.from(bytes)));
      } catch {
        return input.fail('a display string is UTF-8');
      }
    } else {
      bytes.push(code);
    }
  }
}
