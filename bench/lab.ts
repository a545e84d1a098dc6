/**
 * The lab's representation path (conditional requests and byte ranges, the
 * handler helpers) against express's res.sendFile serving the same bytes,
 * same run: full GET (200), one range (206), a matching If-None-Match (304).
 * node --import tsx bench/lab.ts
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { measure } from './lib/load.ts';
import { machine, table, writeSection } from './lib/report.ts';

const DURATION_S = 3;
const CONNECTIONS = 50;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Starts a server in a child process and resolves with its base URL. */
async function start(args: string[], parse: (text: string) => string | undefined) {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  for (;;) {
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    out += chunk.toString();
    const url = parse(out);
    if (url) return { child, url };
  }
}

const lab = await start(['src/cli/entry.ts', 'lab', '--port', '0'], (t) => /listening on (\S+)/.exec(t)?.[1]);
const peer = await start(['bench/lab/express.ts'], (t) =>
  /^(\d+)\n/.exec(t) ? `http://127.0.0.1:${t.trim()}` : undefined,
);
const servers = [
  { name: 'statuskit lab', url: `${lab.url}/blob`, ranges: true },
  { name: 'express sendFile', url: `${peer.url}/blob`, ranges: true },
  { name: 'express send(buffer)', url: `${peer.url}/memory`, ranges: false },
];

try {
  const rows: Record<string, string | number>[] = [];
  const rps: Record<string, Record<string, number>> = {};
  for (const s of servers) {
    const etag = (await fetch(s.url)).headers.get('etag') as string;
    const cases = [
      ['200 full (4 KiB)', {}],
      ['206 bytes=0-63', { Range: 'bytes=0-63' }],
      ['304 If-None-Match', { 'If-None-Match': etag }],
    ] as const;
    for (const [label, headers] of cases) {
      if ('Range' in headers && !s.ranges) continue;
      await measure({ url: s.url, headers, connections: CONNECTIONS, durationSec: 1 }); // warm-up
      const r = await measure({ url: s.url, headers, connections: CONNECTIONS, durationSec: DURATION_S });
      (rps[label] ??= {})[s.name] = r.rps;
      rows.push({
        server: s.name,
        request: label,
        'req/s': Math.round(r.rps),
        'p50 ms': r.p50,
        'p99 ms': r.p99,
        errors: r.errors,
      });
    }
  }
  const ratio = (a: number | undefined, b: number | undefined) => (a && b ? (a / b).toFixed(2) : 'n/a');
  const ratios = Object.entries(rps).map(([label, by]) => ({
    request: label,
    'lab / express sendFile': ratio(by['statuskit lab'], by['express sendFile']),
    'lab / express send(buffer)': ratio(by['statuskit lab'], by['express send(buffer)']),
  }));
  const md = [
    `Lab /blob (statuskit front + handler helpers, bytes in memory) vs express on the same 4 KiB: res.sendFile (reads the file per request, the peer with Range) and res.send(buffer) (in memory, ETag/304 but no Range). ${CONNECTIONS} connections, ${DURATION_S} s each, servers in child processes. ${machine()}`,
    '',
    table(rows),
    '',
    table(ratios),
  ].join('\n');
  console.log(md);
  writeSection('lab', md);
} finally {
  lab.child.kill('SIGTERM');
  peer.child.kill('SIGTERM');
}
