/**
 * Starts a real, throwaway redis-server for a test: a free port picked via
 * node:net (redis refuses `--port 0`), no persistence, ready once it answers PING.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisHandle {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Graceful shutdown (SIGTERM), resolves when the process exited. */
  stop(): Promise<void>;
  /** SIGKILL, as a crash would: connections drop without a goodbye. Resolves on exit. */
  kill(): Promise<void>;
}

export interface StartRedisOptions {
  /** The redis-server executable. @default $REDIS_SERVER, else "redis-server" on PATH */
  binary?: string;
  /** A port to use (to restart a server where its clients reconnect). @default a free port */
  port?: number;
  /** How long to wait for PING, in ms. @default 10000 (10 s) */
  timeoutMs?: number;
  /** More redis-server arguments (cluster mode, replication…), after the defaults. */
  args?: readonly string[];
  /** A configuration file, given first (redis-server wants it there; Sentinel needs one it can rewrite). */
  configFile?: string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let data = '';
    socket.setTimeout(500, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      data += chunk.toString('latin1');
      if (data.includes('\r\n')) {
        socket.end();
        resolve(data.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Throws a clear error when redis-server is not installed. */
export function assertRedisInstalled(binary = process.env.REDIS_SERVER ?? 'redis-server'): void {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `These tests need a real redis-server, and "${binary}" could not be run (${probe.error?.message ?? `exit ${probe.status}`}). Install it (apt-get install redis-server) or set REDIS_SERVER to its path.`,
    );
  }
}

export async function startRedis(options: StartRedisOptions = {}): Promise<RedisHandle> {
  const binary = options.binary ?? process.env.REDIS_SERVER ?? 'redis-server';
  assertRedisInstalled(binary);
  const timeoutMs = options.timeoutMs ?? 10_000; // 10 s
  // Another process may take the port between probe and bind; retry a few times.
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      binary,
      [
        ...(options.configFile ? [options.configFile] : []),
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        ...(options.args ?? []),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (c) => (output += c));
    child.stderr?.on('data', (c) => (output += c));
    const started = Date.now();
    while (child.exitCode === null && Date.now() - started < timeoutMs) {
      if (await ping(port)) {
        const signal = (sig: NodeJS.Signals) => () => {
          if (child.exitCode === null && child.signalCode === null) child.kill(sig);
          return exited(child);
        };
        return { url: `redis://127.0.0.1:${port}`, port, stop: signal('SIGTERM'), kill: signal('SIGKILL') };
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    child.kill('SIGKILL');
    await exited(child);
    if (options.port !== undefined || !/Address already in use/i.test(output)) {
      throw new Error(`redis-server did not answer PING on port ${port}:\n${output.slice(-2000)}`);
    }
  }
  throw new Error('redis-server could not bind a free port after 5 attempts.');
}
