/**
 * `statuskit serve` as a real child process, for the tests that need one:
 * signals, exit status, the banner, stdout logs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('../../src/cli/entry.ts', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  /** The gateway's URL, read from the banner. */
  url: string;
  adminUrl: string | undefined;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Resolves once a stdout line contains `text`. */
  waitForLog(text: string): Promise<void>;
  stop(): Promise<void>;
}

/** Runs `statuskit serve ARGS`; resolves once the banner says where it listens, rejects if it exits first. */
export async function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let out = '';
  let err = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout?.on('data', (c) => {
    out += c;
    for (const w of [...waiters]) if (out.includes(w.text)) w.resolve();
  });
  child.stderr?.on('data', (c) => (err += c));
  const exited = once(child, 'exit').then(([code, signal]) => (code ?? String(signal)) as number | string);
  const banner = await new Promise<string>((resolve, reject) => {
    const onData = (): void => {
      if (/admin: (off|http:\/\/\S+\/metrics)/.test(err)) {
        child.stderr?.off('data', onData);
        resolve(err);
      }
    };
    child.stderr?.on('data', onData);
    void exited.then((code) => reject(new Error(`statuskit serve exited (${code}) before listening:\n${err}`)));
  });
  const url = /statuskit gateway on (https?:\/\/[^\s,]+)/.exec(banner)?.[1];
  if (!url) throw new Error(`No URL in the banner:\n${banner}`);
  const adminUrl = /admin: (http:\/\/\S+)\/metrics/.exec(banner)?.[1];
  return {
    child,
    url,
    adminUrl,
    stdout: () => out,
    stderr: () => err,
    exited,
    waitForLog: (text) =>
      out.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Runs `statuskit ARGS` to completion. */
export async function runCli(
  args: readonly string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c) => (stdout += c));
  child.stderr?.on('data', (c) => (stderr += c));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}
