// `npm run bench`: every benchmark in turn; each writes its own section of BENCHMARKS.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const benches = ['front', 'gateway', 'client'] as const;
const only = process.argv.slice(2);
let failed = 0;
for (const name of benches) {
  if (only.length && !only.includes(name)) continue;
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  console.log(`\n== bench: ${name}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', file.pathname], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
