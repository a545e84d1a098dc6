/**
 * The client's cost per request: statuskit's client against undici.request,
 * fetch, ky and got, in the same run, against one local server in a child
 * process. Each contender keeps CONCURRENCY requests in flight for a fixed
 * count of requests; rounds rotate the contenders' order, and the ratio to
 * undici.request is taken within each round (a busy machine slows neighbours
 * alike), then the median. Run: node --import tsx bench/client.ts
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import got from 'got';
import ky from 'ky';
import { Agent, request } from 'undici';
import { createClient } from '../src/client/index.ts';
import { machine, table, writeSection } from './lib/report.ts';

const CONCURRENCY = 8;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

const child = fork(new URL('./client/server.mjs', import.meta.url), { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
const [port] = (await once(child.stdout!, 'data')) as [Buffer];
const url = `http://127.0.0.1:${String(port).trim()}/items/1`;

const agent = new Agent({ connections: CONCURRENCY });
const client = createClient({ dispatcher: agent });
const gotClient = got.extend({ agent: {}, retry: { limit: 0 } });
const kyClient = ky.create({ retry: 0 });

type Contender = { name: string; note: string; once: () => Promise<unknown> };
const contenders: Contender[] = [
  {
    name: 'undici.request',
    note: 'baseline: no retries, no Response',
    once: async () => (await request(url, { dispatcher: agent })).body.json(),
  },
  {
    name: 'statuskit client',
    note: 'guidance, retries, deadline + X-Request-Timeout, standard Response',
    once: () => client.get(url).json(),
  },
  { name: 'fetch', note: 'Node global fetch', once: async () => (await fetch(url)).json() },
  { name: 'ky', note: 'on global fetch, retry 0', once: () => kyClient.get(url).json() },
  { name: 'got', note: 'retry 0', once: () => gotClient.get(url).json() },
];

async function round(c: Contender, count: number): Promise<number> {
  let left = count;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (left-- > 0) await c.once();
    }),
  );
  return Number(process.hrtime.bigint() - start) / 1000 / count; // µs per request
}

for (const c of contenders) await round(c, 2_000); // warm-up: JIT, connections
// Per round, each contender's time over undici.request's in the same round: on a busy
// machine the ratio of neighbours is steadier than either time alone.
const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
const ratios = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
for (let r = 0; r < ROUNDS; r++) {
  const inRound = new Map<string, number>();
  // Rotate the order so no contender always runs first.
  for (let i = 0; i < contenders.length; i++) {
    const c = contenders[(i + r) % contenders.length] as Contender;
    inRound.set(c.name, await round(c, REQUESTS));
  }
  const base = inRound.get('undici.request') as number;
  for (const [name, us] of inRound) {
    times.get(name)?.push(us);
    ratios.get(name)?.push(us / base);
  }
}
await client.close();
await agent.close();
child.disconnect();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const rows = contenders.map((c) => {
  const us = median(times.get(c.name) ?? []);
  return {
    client: c.name,
    'µs / request': us,
    'requests / s': Math.round(1e6 / us),
    '× undici.request': median(ratios.get(c.name) ?? []),
    what: c.note,
  };
});
const ours = rows[1]?.['× undici.request'] ?? Number.NaN;
const markdown = [
  '## Client: cost per request',
  '',
  machine(),
  '',
  `${REQUESTS.toLocaleString('en-US')} GETs of a small JSON body per round, ${CONCURRENCY} in flight, ${ROUNDS} rounds in rotating order; ` +
    'medians of the times and of each round’s ratio to undici.request; one server in a child process; every contender parses the JSON. Goal: statuskit ≤ 1.10 × undici.request.',
  '',
  table(rows),
  '',
  `statuskit client: ${ours.toFixed(2)} × undici.request (${ours <= 1.1 ? 'within' : 'over'} the 1.10 goal).`,
].join('\n');
writeSection('client', markdown);
console.log(markdown);
