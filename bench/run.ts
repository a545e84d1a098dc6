// `npm run bench [name ...]`: every benchmark in bench/*.ts in turn, each in its own process;
// each writes its own section of BENCHMARKS.md. Names: front, gateway, https, platforms, dashboard, client, policies, lab.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const ORDER = ['front', 'gateway', 'https', 'platforms', 'dashboard', 'client', 'policies', 'lab'];
const found = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
const only = process.argv.slice(2);
const unknown = only.filter((n) => !found.includes(n));
if (unknown.length) {
  console.error(`Unknown benchmark ${unknown.join(', ')}; there are: ${found.join(', ')}.`);
  process.exit(2);
}
let failed = 0;
for (const name of found) {
  if (only.length && !only.includes(name)) continue;
  console.log(`\n== bench: ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', new URL(`./${name}.ts`, import.meta.url).pathname], {
    stdio: 'inherit',
  });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
