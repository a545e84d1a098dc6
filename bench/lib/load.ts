import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface LoadOptions {
  url: string;
  /** @default 50 */
  connections?: number;
  /** @default 5 (seconds) */
  durationSec?: number;
  /** @default 'GET' */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Runs the load generator on these CPUs only (taskset -c, wrk only), e.g. "0". */
  cpus?: string;
}

export interface LoadResult {
  rps: number;
  /** Requests completed. */
  requests: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  tool: 'wrk' | 'autocannon';
}

async function hasWrk(): Promise<boolean> {
  try {
    await run('wrk', ['--version']).catch((e: { stdout?: string }) => {
      if (!e.stdout?.includes('wrk')) throw e;
    });
    return true;
  } catch {
    return false;
  }
}

function toMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s|m)$/.exec(text.trim());
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000;
}

/** Parses wrk's `--latency` report. */
export function parseWrk(out: string): Omit<LoadResult, 'tool'> {
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? 0);
  const pct = (p: string) => toMs(new RegExp(`^\\s+${p}%\\s+(\\S+)`, 'm').exec(out)?.[1] ?? '');
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = socket ? socket.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  return {
    rps: num(/Requests\/sec:\s+([\d.]+)/),
    requests: num(/(\d+) requests in /),
    p50: pct('50'),
    p99: pct('99'),
    errors,
    non2xx: num(/Non-2xx or 3xx responses: (\d+)/),
  };
}

/**
 * Loads one URL for a fixed time from a separate process (wrk when installed,
 * autocannon otherwise), so the load generator never shares an event loop
 * with the server under test.
 */
export async function measure(options: LoadOptions): Promise<LoadResult> {
  const connections = options.connections ?? 50;
  const duration = options.durationSec ?? 5;
  const method = options.method ?? 'GET';
  if (await hasWrk()) {
    const dir = mkdtempSync(join(tmpdir(), 'statuskit-bench-'));
    try {
      const script = join(dir, 'req.lua');
      const lines = [`wrk.method = ${JSON.stringify(method)}`];
      if (options.body !== undefined) lines.push(`wrk.body = ${JSON.stringify(options.body)}`);
      for (const [k, v] of Object.entries(options.headers ?? {}))
        lines.push(`wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`);
      writeFileSync(script, `${lines.join('\n')}\n`);
      const wrk = ['-t1', `-c${connections}`, `-d${duration}s`, '--latency', '-s', script, options.url];
      const { stdout } = options.cpus
        ? await run('taskset', ['-c', options.cpus, 'wrk', ...wrk], { maxBuffer: 1 << 20 })
        : await run('wrk', wrk, { maxBuffer: 1 << 20 });
      return { ...parseWrk(stdout), tool: 'wrk' };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const bin = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
  const args = [bin, '--json', '-c', String(connections), '-d', String(duration), '-m', method];
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (options.body !== undefined) args.push('-b', options.body);
  const { stdout } = await run(process.execPath, [...args, options.url], { maxBuffer: 16 << 20 });
  const r = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p50: number; p99: number };
    errors: number;
    non2xx: number;
  };
  return {
    rps: r.requests.average,
    requests: r.requests.total,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors,
    non2xx: r.non2xx,
    tool: 'autocannon',
  };
}
