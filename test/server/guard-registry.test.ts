import assert from 'node:assert/strict';
import { test } from 'node:test';
import { getCode } from '../../src/catalog/index.ts';
import { GUARDS } from '../../src/server/index.ts';

test('no two guards own the same code', () => {
  const owner = new Map<number, string>();
  for (const guard of GUARDS) {
    for (const code of guard.owns) {
      assert.equal(owner.get(code), undefined, `${code} is owned by ${owner.get(code)} and ${guard.name}`);
      owner.set(code, guard.name);
    }
  }
  assert.ok(owner.size >= 15);
});

test('every code a guard owns is one the catalog says the front issues', () => {
  for (const guard of GUARDS) {
    for (const code of guard.owns) {
      const entry = getCode(code);
      assert.ok(entry, `${guard.name}: ${code} is not in the catalog`);
      assert.ok(
        (entry.issuedBy as readonly string[]).includes('front'),
        `${guard.name}: the catalog does not let the front issue ${code}`,
      );
    }
  }
});

test('the guards run in the contract’s order', () => {
  assert.deepEqual(
    GUARDS.map((g) => g.name),
    [
      'version',
      'target',
      'method',
      'syntax',
      'route',
      'expect',
      'length',
      'size',
      'media',
      'accept',
      'availability',
      'deadline',
    ],
  );
});
