/**
 * Every httpwg structured-field-tests vector (RFC 9651; copied with its
 * licence into test/fixtures/structured-field-tests) against src/sf: parse,
 * compare, serialise back; and the serialisation-only vectors.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type BareItem,
  Decimal,
  DisplayString,
  type InnerList,
  type Item,
  isInnerList,
  type Parameters,
  parseField,
  SfDate,
  serializeField,
  Token,
} from '../../src/sf/index.ts';
import { base32Decode, base32Encode, runVectors, type SfAdapter, VectorNumber } from '../support/sf-vectors.ts';

const DIR = fileURLToPath(new URL('../fixtures/structured-field-tests/', import.meta.url));

type J = unknown;
const bareTo = (v: BareItem): J => {
  if (v instanceof Token) return { __type: 'token', value: v.value };
  if (v instanceof DisplayString) return { __type: 'displaystring', value: v.value };
  if (v instanceof SfDate) return { __type: 'date', value: v.seconds };
  if (v instanceof Uint8Array) return { __type: 'binary', value: base32Encode(v) };
  if (v instanceof Decimal) return v.value;
  return v;
};
const paramsTo = (p: Parameters): J => [...p].map(([k, v]) => [k, bareTo(v)]);
const memberTo = (m: Item | InnerList): J =>
  isInnerList(m) ? [m[0].map(memberTo), paramsTo(m[1])] : [bareTo(m[0]), paramsTo(m[1])];

const bareFrom = (v: J): BareItem => {
  if (v instanceof VectorNumber) return v.decimal ? new Decimal(v.value) : v.value;
  const t = v as { __type?: string; value: J };
  if (t && typeof t === 'object' && t.__type) {
    if (t.__type === 'token') return new Token(t.value as string);
    if (t.__type === 'displaystring') return new DisplayString(t.value as string);
    if (t.__type === 'date') return new SfDate((t.value as VectorNumber).value);
    if (t.__type === 'binary') return base32Decode(t.value as string);
  }
  return v as BareItem;
};
const paramsFrom = (p: J): Parameters => new Map((p as [string, J][]).map(([k, v]) => [k, bareFrom(v)]));
const itemFrom = (m: J): Item => {
  const [bare, params] = m as [J, J];
  return [bareFrom(bare), paramsFrom(params)];
};
const memberFrom = (m: J): Item | InnerList => {
  const [first, params] = m as [J, J];
  return Array.isArray(first) ? [first.map(itemFrom), paramsFrom(params)] : itemFrom(m);
};

const adapter: SfAdapter = {
  parse: (type, text) => parseField(type, text),
  serialize: (type, value) => serializeField(type, value as never),
  toJson: (type, v) => {
    if (type === 'item') return memberTo(v as Item);
    if (type === 'list') return (v as (Item | InnerList)[]).map(memberTo);
    return [...(v as Map<string, Item | InnerList>)].map(([k, m]) => [k, memberTo(m)]);
  },
  fromJson: (type, j) => {
    if (type === 'item') return itemFrom(j);
    if (type === 'list') return (j as J[]).map(memberFrom);
    return new Map((j as [string, J][]).map(([k, m]) => [k, memberFrom(m)]));
  },
};

test('src/sf passes every httpwg structured-field-tests vector (RFC 9651)', (t) => {
  const report = runVectors(adapter, DIR);
  const total = report.parseVectors + report.serializationVectors;
  t.diagnostic(
    `structured-field-tests: ${report.passed}/${total} passed (${report.parseVectors} parse vectors, ${report.serializationVectors} serialisation vectors)`,
  );
  for (const f of report.failed.slice(0, 20)) t.diagnostic(`FAIL ${f.file} "${f.name}" (${f.step}): ${f.detail}`);
  // The suite is the upstream one: a file left out would pass vacuously.
  assert.ok(report.parseVectors >= 1591 && report.serializationVectors >= 544, 'every vector file was read');
  assert.deepEqual(report.failed, []);
});
