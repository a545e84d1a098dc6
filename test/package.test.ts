import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const root = new URL('../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as {
  exports: Record<string, string | { types: string; default: string }>;
};

// npm test builds before it runs the tests; the built package is what users import.
test('every subpath export resolves to built code and its types, by the package’s own name', async () => {
  const expected: Record<string, string> = {
    '.': 'StatusError',
    './catalog': 'lookup',
    './server': 'createServer',
    './gateway': 'createGateway',
    './lab': 'startLab',
    './client': 'createClient',
    './check': 'runCheck',
  };
  assert.deepEqual(
    Object.keys(pkg.exports)
      .filter((k) => k !== './package.json')
      .sort(),
    Object.keys(expected).sort(),
  );
  for (const [sub, name] of Object.entries(expected)) {
    const entry = pkg.exports[sub] as { types: string; default: string };
    assert.ok(existsSync(new URL(entry.types, root)), `${sub}: ${entry.types} is built`);
    const mod = (await import(sub === '.' ? 'statuskit' : `statuskit${sub.slice(1)}`)) as Record<string, unknown>;
    assert.equal(typeof mod[name], 'function', `statuskit${sub.slice(1)} exports ${name}`);
  }
});
