/** nginx in the foreground in a temporary prefix, for benchmarks that use it as a peer or as a server. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, stopChild } from './proc.ts';

export function nginxInstalled(): boolean {
  return spawnSync('nginx', ['-v']).status === 0;
}

export interface Nginx {
  child: ChildProcess;
  port: number;
  /** The prefix folder: files written here can be served with `root`. */
  dir: string;
  stop(): Promise<void>;
}

export interface NginxOptions {
  workers: number;
  /** What goes inside `server { listen …; }`; `UPSTREAM` in it is replaced by an upstream block's name. */
  server: string;
  /** Proxies to this loopback port with keep-alive (an `upstream up` block). */
  upstreamPort?: number;
  /** Runs on these CPUs only (taskset -c), e.g. "0". */
  cpus?: string;
  /** Files to write into the prefix first (name → content). */
  files?: Record<string, string>;
  /** A path that answers 200 once nginx is up. @default "/" */
  probe?: string;
}

/** Starts nginx with no access log and long keep-alive; resolves once it answers. */
export async function startNginx(o: NginxOptions): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-bench-nginx-'));
  chmodSync(dir, 0o755); // nginx's workers (user nobody) read the files under www/
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi', 'www']) mkdirSync(join(dir, d));
  for (const [name, content] of Object.entries(o.files ?? {})) writeFileSync(join(dir, 'www', name), content);
  const port = await freePort();
  const upstream =
    o.upstreamPort === undefined ? '' : `upstream up { server 127.0.0.1:${o.upstreamPort}; keepalive 128; }`;
  const conf = `worker_processes ${o.workers};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000; keepalive_timeout 300s; client_body_buffer_size 128k;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  ${upstream}
  server { listen 127.0.0.1:${port}; root ${dir}/www; ${o.server} }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const args = ['-p', dir, '-c', join(dir, 'nginx.conf')];
  const child = o.cpus
    ? spawn('taskset', ['-c', o.cpus, 'nginx', ...args], { stdio: 'ignore' })
    : spawn('nginx', args, { stdio: 'ignore' });
  const probe = `http://127.0.0.1:${port}${o.probe ?? '/'}`;
  for (let i = 0; ; i++) {
    const up = await fetch(probe).then(
      async (r) => {
        await r.arrayBuffer();
        return r.ok;
      },
      () => false,
    );
    if (up) break;
    if (i === 100 || child.exitCode !== null) throw new Error(`nginx did not start (see ${dir}/error.log)`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    port,
    dir,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
