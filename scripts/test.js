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
 * The Redis store is tested against a real redis-server. On a fresh Debian
 * machine (as root) install it, so `npm test` needs nothing else; elsewhere
 * say what is missing instead of failing deep inside a test.
 */
function ensureRedis() {
  const has = () => spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
  if (has()) return;
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!apt || process.getuid?.() !== 0) {
    console.error('statuskit tests need redis-server on PATH (Debian: apt-get install -y redis-server).');
    process.exit(1);
  }
  console.log('statuskit: redis-server is missing; installing it with apt-get (Debian package redis-server)');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', 'redis-server'],
  ]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`apt-get ${args.join(' ')} failed; install redis-server and run the tests again.`);
      process.exit(1);
    }
  }
}

const roots = process.argv.slice(2);
ensureRedis();
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
