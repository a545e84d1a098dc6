import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, totalmem } from 'node:os';

const FILE = new URL('../../BENCHMARKS.md', import.meta.url);

const HEADER = `# Benchmarks

Written by \`npm run bench\`. Each section compares statuskit with its peers measured in the same
run on the same machine; only the ratios are meant to travel between machines.
`;

/** One line naming the machine and runtime, for the top of a section. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpu} × ${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, ${arch()}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
}

/** Renders rows of equal keys as a markdown table. */
export function table(rows: readonly Record<string, string | number>[]): string {
  const first = rows[0];
  if (!first) return '';
  const cols = Object.keys(first);
  const cell = (v: string | number | undefined) => (typeof v === 'number' ? formatNumber(v) : (v ?? ''));
  return [
    `| ${cols.join(' | ')} |`,
    `| ${cols.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${cols.map((c) => cell(r[c])).join(' | ')} |`),
  ].join('\n');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '–';
  if (Number.isInteger(n)) return n.toLocaleString('en-US');
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2);
}

/**
 * Replaces the section `id` of BENCHMARKS.md (between its markers), or
 * appends it, leaving the other sections as they were.
 */
export function writeSection(id: string, markdown: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const start = `<!-- bench:${id} -->`;
  const end = `<!-- /bench:${id} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const i = text.indexOf(start);
  const j = text.indexOf(end);
  const next =
    i !== -1 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
}
