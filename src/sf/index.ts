/** Structured Field Values for HTTP (RFC 9651): parse and serialise Items, Lists and Dictionaries. */
export { parseDictionary, parseField, parseItem, parseList } from './parse.ts';
export { serializeBareItem, serializeDictionary, serializeField, serializeItem, serializeList } from './serialize.ts';
export {
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
