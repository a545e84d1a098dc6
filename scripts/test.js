#!/usr/bin/env node
// Runs the test suite with node's own runner (TypeScript through tsx).
// Usage: node scripts/test.js [dir-or-file ...]   (default: every test/**/*.test.ts)
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(path) {
  if (statSync(path).isFile()) return path.endsWith('.test.ts') ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => collect(join(path, name)));
}

/**
 * What the suite runs for real, from Debian's packages: redis-server (and its
 * redis-cli, for the Redis Cluster tests) and chromium (the dashboard's
 * browser test; playwright-core downloads no browser). On a fresh Debian
 * machine (as root) they are installed here, so `npm test` needs nothing
 * else; elsewhere say what is missing instead of failing deep inside a test.
 */
const NEEDED = [
  { command: 'redis-server', pkg: 'redis-server' },
  { command: 'redis-cli', pkg: 'redis-server' },
  { command: 'chromium', pkg: 'chromium' },
];

function ensurePackages() {
  const has = (command) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
  const missing = [...new Set(NEEDED.filter((n) => !has(n.command)).map((n) => n.pkg))];
  if (missing.length === 0) return;
  const apt = has('apt-get');
  if (!apt || process.getuid?.() !== 0) {
    console.error(`statuskit tests need ${missing.join(' and ')} (Debian: apt-get install -y ${missing.join(' ')}).`);
    process.exit(1);
  }
  console.log(`statuskit: installing ${missing.join(', ')} with apt-get (Debian packages)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', ...missing],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install ${missing.join(' ')} and run the tests again.`);
      process.exit(1);
    }
  }
}

const roots = process.argv.slice(2);
ensurePackages();
const files = (roots.length ? roots : ['test']).flatMap(collect);
if (files.length === 0) {
  console.error('No test files found.');
  process.exit(1);
}
// --test-timeout is a hang guard, not a speed assertion: a test that waits for
// an event that never comes fails after 2 min instead of holding CI to its limit.
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=120000', ...files],
  { stdio: 'inherit', env: { ...process.env, STATUSKIT_TEST: '1' } },
);
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
