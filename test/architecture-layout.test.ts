/**
 * docs/architecture.md's layout of src/gateway matches the tree: every
 * folder and file under src/gateway is named in the gateway section, and the
 * section names no file that is not there.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../src/gateway/', import.meta.url);
const doc = readFileSync(new URL('../docs/architecture.md', import.meta.url), 'utf8');
const start = doc.indexOf('  gateway/ ');
const end = doc.indexOf('\n  client/ ', start);
const section = doc.slice(start, end);

function walk(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? [`${prefix}${e.name}/`, ...walk(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`)]
      : [`${prefix}${e.name}`],
  );
}

test('every file and folder of src/gateway is in docs/architecture.md', () => {
  assert.ok(start > 0 && end > start, 'the gateway section is found');
  const names = new Set(section.match(/[\w.-]+\.ts|[\w-]+\//g) ?? []);
  const missing = walk(root).filter(
    (p) => !names.has(p.split('/').filter(Boolean).at(-1)! + (p.endsWith('/') ? '/' : '')),
  );
  assert.deepEqual(missing, [], 'named nowhere in the layout');
});

test('the layout names no gateway file that does not exist', () => {
  const files = new Set(walk(root).map((p) => p.split('/').filter(Boolean).at(-1)));
  const named = (section.match(/[\w.-]+\.ts/g) ?? []).filter((n) => !files.has(n));
  assert.deepEqual(named, [], 'named in the layout but not in src/gateway');
});
