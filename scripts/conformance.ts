// Runs the conformance checker against statuskit and against plain Node, Express and Fastify
// apps with equivalent routes, and writes the results table into docs/conformance.md.
// Usage: node --import tsx scripts/conformance.ts [--slow] [--load N] [--print]
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { runCheck } from '../src/check/run.ts';
import type { TargetDescription } from '../src/check/target.ts';
import type { CheckResult, ProbeResult } from '../src/check/types.ts';
import { APP_TARGET } from './conformance/shared.ts';

const ROOT = new URL('../', import.meta.url);
const DOC = new URL('docs/conformance.md', ROOT);
const BEGIN = '<!-- conformance:results:begin -->';
const END = '<!-- conformance:results:end -->';

const version = (pkg: string) =>
  (JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, ROOT), 'utf8')) as { version: string }).version;

interface Subject {
  name: string;
  /** Arguments after `node --import tsx`: an app of scripts/conformance/, or the statuskit CLI. */
  args: readonly string[];
  /** Paths to probe; undefined: the server describes itself. */
  target?: TargetDescription;
}

const app = (script: string) => [`scripts/conformance/${script}`];
const SUBJECTS: readonly Subject[] = [
  { name: `statuskit lab ${version('../')}`, args: app('lab.ts') },
  {
    name: `statuskit serve ${version('../')} (gateway → lab)`,
    args: ['src/cli/entry.ts', 'serve', '--port', '0', '--admin-port', '0'],
  },
  { name: `plain Node ${process.version}`, args: app('node.ts'), target: APP_TARGET },
  { name: `Express ${version('express')}`, args: app('express.ts'), target: APP_TARGET },
  { name: `Fastify ${version('fastify')}`, args: app('fastify.ts'), target: APP_TARGET },
];

/**
 * Starts a server in its own process and reads where it listens: the apps
 * print `{"url": …}` on stdout, `statuskit serve` names it in its banner on stderr.
 */
async function start(args: readonly string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  let stderr = '';
  const url = new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 10_000) stderr += d;
      const banner = /statuskit gateway on (http:\/\/\S+?),/.exec(stderr);
      if (banner) resolve(banner[1] as string);
    });
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (line.startsWith('{"url"')) resolve((JSON.parse(line) as { url: string }).url);
    });
    // The apps log the errors the probes provoke; that output is shown only if one fails to start.
    child.once('exit', (code) =>
      reject(new Error(`${args.join(' ')} exited with ${code} before listening:\n${stderr}`)),
    );
  });
  return { url: await url, child };
}

function cell(p: ProbeResult | undefined): string {
  if (!p) return '';
  if (p.verdict !== 'fail') return p.verdict;
  const reason = p.reason.length > 70 ? `${p.reason.slice(0, 69)}…` : p.reason;
  return `**fail**: ${reason.replace(/\|/g, '\\|').replace(/\s+/g, ' ')}`;
}

function table(results: readonly (readonly [Subject, CheckResult])[]): string {
  const ids = (results[0]?.[1].probes ?? []).map((p) => [p.id, p.code] as const);
  const head = `| probe | code | ${results.map(([s]) => s.name).join(' | ')} |`;
  const rule = `|---|---|${results.map(() => '---').join('|')}|`;
  const rows = ids.map(
    ([id, code]) =>
      `| \`${id}\` | ${code} | ${results.map(([, r]) => cell(r.probes.find((p) => p.id === id))).join(' | ')} |`,
  );
  const summary = `| **summary** | | ${results
    .map(([, r]) => `${r.summary.passed} passed, ${r.summary.failed} failed, ${r.summary.notApplicable} n/a`)
    .join(' | ')} |`;
  return [head, rule, ...rows, summary].join('\n');
}

const argv = process.argv.slice(2);
const loadAt = argv.indexOf('--load');
const options = { slow: argv.includes('--slow'), load: loadAt === -1 ? 0 : Number(argv[loadAt + 1]) };
const results: [Subject, CheckResult][] = [];
for (const subject of SUBJECTS) {
  const { url, child } = await start(subject.args);
  try {
    results.push([subject, await runCheck(url, { ...options, ...(subject.target ? { target: subject.target } : {}) })]);
  } finally {
    child.kill();
  }
}

const flags = [options.slow ? '--slow' : '', options.load ? `--load ${options.load}` : ''].filter(Boolean).join(' ');
const section = [
  BEGIN,
  '',
  `Produced by \`node --import tsx scripts/conformance.ts${flags ? ` ${flags}` : ''}\` on ${new Date().toISOString().slice(0, 10)}` +
    ` (Node ${process.version}, ${flags ? flags : 'without --slow/--load'}).`,
  '',
  table(results),
  '',
  END,
].join('\n');

if (argv.includes('--print')) {
  process.stdout.write(`${section}\n`);
} else {
  const doc = readFileSync(DOC, 'utf8');
  const at = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  const next =
    at === -1 || end === -1
      ? `${doc.trimEnd()}\n\n${section}\n`
      : `${doc.slice(0, at)}${section}${doc.slice(end + END.length)}`;
  writeFileSync(DOC, next);
  process.stdout.write(
    `docs/conformance.md: ${results.map(([s, r]) => `${s.name} ${r.summary.failed} failed`).join(', ')}\n`,
  );
}
