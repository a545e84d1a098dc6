/**
 * HTTPS at the edge: `statuskit serve` terminating TLS (listen.tls, HTTP/1.1 over TLS to wrk)
 * against a minimal node https proxy (https.createServer + undici Pool#dispatch, nothing else)
 * and nginx when installed (ssl, keep-alive upstream, one worker), in front of one plain-HTTP
 * upstream. Rounds in rotation, a fresh process per measurement; ratios are medians of
 * per-round ratios.
 *   node --import tsx bench/https.ts            (child: bench/https.ts proxy <port> <upstream> <cert> <key>)
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { measure } from './lib/load.ts';
import { freePort, median, stopChild } from './lib/proc.ts';
import { machine, table, writeSection } from './lib/report.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 4);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 3);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const SERVERS = join(ROOT, 'bench', 'gateway', 'servers.ts');
const PATH = '/streams/example';

/** The minimal https proxy, run as a child: every request one Pool#dispatch, the answer streamed back. */
async function proxyChild(port: number, upstream: string, cert: string, key: string): Promise<void> {
  const pool = new Pool(upstream, { connections: 128 });
  const server = createHttps({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    pool.dispatch(
      { path: req.url ?? '/', method: req.method ?? 'GET', headers: { host: new URL(upstream).host } },
      {
        onRequestStart() {},
        onResponseStart(_c, status, headers) {
          res.writeHead(status, headers as Record<string, string>);
        },
        onResponseData(_c, chunk) {
          res.write(chunk);
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError(_c, err) {
          res.destroy(err);
        },
      },
    );
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  console.log(`listening ${port}`);
}

async function waitListening(child: ChildProcess, name: string, url?: string): Promise<void> {
  if (url) {
    for (let i = 0; i < 200; i++) {
      const ok = spawnSync('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', url]).stdout?.toString() === '200';
      if (ok) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${name} did not come up`);
  }
  await new Promise<void>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (c: Buffer) => {
      text += c.toString();
      if (/listening \d+/.test(text)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
}

type Start = (port: number) => Promise<ChildProcess>;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-bench-https-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
    ],
    { stdio: 'ignore' },
  );
  const up = spawn(process.execPath, ['--import', 'tsx', SERVERS, 'upstream'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let upText = '';
  const upPort = await new Promise<number>((resolve) => {
    up.stdout?.on('data', (c: Buffer) => {
      upText += c.toString();
      const m = /listening (\d+)/.exec(upText);
      if (m) resolve(Number(m[1]));
    });
  });
  const upstream = `http://127.0.0.1:${upPort}`;
  const contestants: { name: string; start: Start }[] = [
    {
      name: 'statuskit serve (TLS, access log on)',
      start: async (port) => {
        const file = join(dir, `gw-${port}.yaml`);
        writeFileSync(
          file,
          [
            `listen: { host: 127.0.0.1, port: ${port}, tls: { cert: "${cert}", key: "${key}" } }`,
            'admin: false',
            'routes:',
            `  - { path: /, targets: ["${upstream}"] }`,
          ].join('\n'),
        );
        const child = spawn(process.execPath, [join(ROOT, 'bin', 'statuskit.js'), 'serve', '--config', file], {
          stdio: ['ignore', 'ignore', 'ignore'],
          env: { ...process.env, NODE_ENV: 'production' },
        });
        await waitListening(child, 'statuskit', `https://127.0.0.1:${port}${PATH}`);
        return child;
      },
    },
    {
      name: 'minimal node https proxy (undici Pool#dispatch)',
      start: async (port) => {
        const child = spawn(process.execPath, ['--import', 'tsx', SELF, 'proxy', String(port), upstream, cert, key], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        await waitListening(child, 'proxy');
        return child;
      },
    },
  ];
  if (spawnSync('nginx', ['-v']).status === 0) {
    contestants.push({
      name: 'nginx (ssl, 1 worker, keep-alive upstream, no access log)',
      start: async (port) => {
        const d = join(dir, `nginx-${port}`);
        for (const s of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(d, s), { recursive: true });
        writeFileSync(
          join(d, 'nginx.conf'),
          `worker_processes 1; daemon off; pid ${d}/nginx.pid; error_log ${d}/error.log;
events { worker_connections 4096; }
http { access_log off; client_body_temp_path ${d}/body; proxy_temp_path ${d}/proxy; fastcgi_temp_path ${d}/fastcgi; uwsgi_temp_path ${d}/uwsgi; scgi_temp_path ${d}/scgi;
  upstream up { server 127.0.0.1:${upPort}; keepalive 128; }
  server { listen 127.0.0.1:${port} ssl; ssl_certificate ${cert}; ssl_certificate_key ${key};
    location / { proxy_pass http://up; proxy_http_version 1.1; proxy_set_header Connection ""; } } }
`,
        );
        const child = spawn('nginx', ['-p', d, '-c', join(d, 'nginx.conf')], { stdio: 'ignore' });
        await waitListening(child, 'nginx', `https://127.0.0.1:${port}${PATH}`);
        return child;
      },
    });
  }
  const rps = contestants.map(() => [] as number[]);
  const p99 = contestants.map(() => [] as number[]);
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < contestants.length; i++) {
        const k = (i + round) % contestants.length;
        const c = contestants[k] as (typeof contestants)[number];
        const port = await freePort();
        const child = await c.start(port);
        const url = `https://127.0.0.1:${port}${PATH}`;
        await measure({ url, durationSec: WARMUP_S });
        const r = await measure({ url, durationSec: DURATION_S });
        await stopChild(child);
        if (r.errors || r.non2xx) throw new Error(`${c.name}: ${r.errors} errors, ${r.non2xx} non-2xx`);
        rps[k]?.push(r.rps);
        p99[k]?.push(r.p99);
        console.log(`round ${round + 1}: ${c.name}: ${Math.round(r.rps)} req/s, p99 ${r.p99} ms`);
      }
    }
  } finally {
    await stopChild(up);
  }
  const base = rps[0] ?? [];
  const rows = contestants.map((c, k) => {
    const ratios = base.map((x, i) => x / (rps[k]?.[i] as number));
    return {
      server: c.name,
      'req/s (median)': Math.round(median(rps[k] ?? [])).toLocaleString('en-US'),
      'p99 ms (median)': median(p99[k] ?? []).toFixed(2),
      'statuskit ÷ this (median; min–max)':
        k === 0
          ? '1.00'
          : `${median(ratios).toFixed(2)} (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
    };
  });
  const load = (await import('node:os')).loadavg()[0]?.toFixed(1);
  writeSection(
    'https',
    `## HTTPS at the edge\n\n${machine()}, load average ${load} at the end. \`GET ${PATH}\` over TLS (HTTP/1.1, RSA 2048, wrk, 50 connections) to a plain-HTTP upstream, ${WARMUP_S} s warm-up then ${DURATION_S} s per measurement, a fresh process each, ${ROUNDS} rounds in rotation. \`node --import tsx bench/https.ts\`.\n\n${table(rows)}`,
  );
  rmSync(dir, { recursive: true, force: true });
}

const [mode, ...rest] = process.argv.slice(2);
if (mode === 'proxy') await proxyChild(Number(rest[0]), rest[1] as string, rest[2] as string, rest[3] as string);
else await main();
