/**
 * The servers of the gateway benchmark, each started in its own process(es): statuskit as
 * users run it (`statuskit serve --upstream …`, its defaults, the access log on, to /dev/null),
 * one worker and `--workers 2`, the minimal undici proxy and the Node gateways of
 * bench/gateway/servers.ts, and nginx with one and two workers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nginxInstalled, startNginx } from '../lib/nginx.ts';
import { freePort, listeningPort, stopChild } from '../lib/proc.ts';

export interface Running {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

export interface Contestant {
  name: string;
  /** The load generator's CPUs while this one is measured; undefined: not pinned. */
  loadCpus: string | undefined;
  start(upstreamPort: number): Promise<Running>;
}

const SERVERS = fileURLToPath(new URL('./servers.ts', import.meta.url));
const CLI = fileURLToPath(new URL('../../bin/statuskit.js', import.meta.url));
/** A pinned contestant runs on CPU 1; the load generator and the upstream share CPU 0. */
export const SERVER_CPU = '1';
export const LOAD_CPU = '0';

function pin(cpus: string | undefined, command: string, args: string[]): [string, string[]] {
  return cpus ? ['taskset', ['-c', cpus, command, ...args]] : [command, args];
}

async function answers(port: number, child: ChildProcess, name: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/`).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not answer on port ${port}`);
}

function statuskit(workers: number, cpus: string | undefined): Contestant['start'] {
  return async (upstreamPort) => {
    const [port, admin] = [await freePort(), await freePort()];
    const args = ['serve', '--upstream', `http://127.0.0.1:${upstreamPort}`, '--port', String(port)];
    args.push('--admin-port', String(admin), '--workers', String(workers));
    const devNull = openSync('/dev/null', 'w');
    const [command, argv] = pin(cpus, process.execPath, [CLI, ...args]);
    const child = spawn(command, argv, {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', devNull, 'ignore'],
    });
    await answers(port, child, 'statuskit serve');
    return { child, port, stop: () => stopChild(child) };
  };
}

function node(kind: string): Contestant['start'] {
  return async (upstreamPort) => {
    const [command, argv] = pin(SERVER_CPU, process.execPath, [
      '--import',
      'tsx',
      SERVERS,
      kind,
      `http://127.0.0.1:${upstreamPort}`,
    ]);
    const child = spawn(command, argv, {
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await listeningPort(child, kind);
    return { child, port, stop: () => stopChild(child) };
  };
}

function nginx(workers: number, cpus: string | undefined): Contestant['start'] {
  return async (upstreamPort) => {
    const n = await startNginx({
      workers,
      cpus,
      upstreamPort,
      server: 'location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; }',
    });
    return { child: n.child, port: n.port, stop: n.stop };
  };
}

export const STATUSKIT = 'statuskit serve';
export const STATUSKIT_2 = 'statuskit serve --workers 2';
export const UNDICI = 'minimal undici proxy';
export const NODE_PEERS = ['fast-gateway', '@fastify/http-proxy'];
export const NGINX = 'nginx (1 worker)';
export const NGINX_2 = 'nginx (2 workers)';

export function contestants(): Contestant[] {
  const list: Contestant[] = [
    { name: STATUSKIT, loadCpus: LOAD_CPU, start: statuskit(1, SERVER_CPU) },
    { name: UNDICI, loadCpus: LOAD_CPU, start: node('undici-proxy') },
    { name: 'fast-gateway', loadCpus: LOAD_CPU, start: node('fast-gateway') },
    { name: '@fastify/http-proxy', loadCpus: LOAD_CPU, start: node('fastify-http-proxy') },
    { name: STATUSKIT_2, loadCpus: undefined, start: statuskit(2, undefined) },
  ];
  if (nginxInstalled()) {
    list.push({ name: NGINX, loadCpus: LOAD_CPU, start: nginx(1, SERVER_CPU) });
    list.push({ name: NGINX_2, loadCpus: undefined, start: nginx(2, undefined) });
  }
  return list;
}
