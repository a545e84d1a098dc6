/**
 * Structured Field Values for HTTP (RFC 9651, which obsoletes RFC 8941): the
 * data types. Integers are JS numbers; a Decimal is a number too, except that
 * parsing returns it wrapped (so `1.0` stays a decimal when serialised back).
 * Dates are whole seconds, wrapped: RFC 9651 §3.3.7 allows ±999,999,999,999,999 s,
 * far outside what a JS Date holds.
 */

/** RFC 9651 §3.3.4. */
export class Token {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** RFC 9651 §3.3.2: a decimal; a plain non-integral number serialises as one too. */
export class Decimal {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
}

/** RFC 9651 §3.3.7: seconds since the Unix epoch, leap seconds excluded. */
export class SfDate {
  constructor(readonly seconds: number) {}
  static from(date: Date): SfDate {
    return new SfDate(Math.floor(date.getTime() / 1000));
  }
  toDate(): Date {
    return new Date(this.seconds * 1000);
  }
}

/** RFC 9651 §3.3.8: Unicode text. */
export class DisplayString {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** RFC 9651 §3.3: integer, decimal, string, token, byte sequence, boolean, date, display string. */
export type BareItem = number | Decimal | string | Token | Uint8Array | boolean | SfDate | DisplayString;
/** RFC 9651 §3.1.2: ordered, keys unique. */
export type Parameters = Map<string, BareItem>;
/** RFC 9651 §3.3. */
export type Item = [BareItem, Parameters];
/** RFC 9651 §3.1.1. */
export type InnerList = [Item[], Parameters];
/** RFC 9651 §3.1. */
export type List = (Item | InnerList)[];
/** RFC 9651 §3.2: ordered, keys unique. */
export type Dictionary = Map<string, Item | InnerList>;

export type FieldType = 'item' | 'list' | 'dictionary';

/** A field value that is not a valid structured field, or a value that cannot be serialised as one. */
export class StructuredFieldError extends TypeError {
  override readonly name = 'StructuredFieldError';
}

export const isInnerList = (m: Item | InnerList): m is InnerList => Array.isArray(m[0]);
