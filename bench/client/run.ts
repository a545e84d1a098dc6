/**
 * One run of the client benchmark (bench/client.ts starts two, fresh processes each, pinned to
 * CPU 1): every contender in turn, short phases of a fixed request count, the order rotating,
 * for each cell (lanes × body). Prints the phases as JSON: wall and CPU µs per request.
 *   node --import tsx bench/client/run.ts <base-url> <phases>
 */
import got from 'got';
import ky from 'ky';
import { request } from 'undici';
import { createClient } from '../../src/client/index.ts';

export interface Cell {
  name: string;
  lanes: number;
  path: string;
  /** Requests per phase. */
  count: number;
}

export const CELLS: Cell[] = [
  { name: '1 lane, small JSON', lanes: 1, path: '/small.json', count: 1_500 },
  { name: '16 lanes, small JSON', lanes: 16, path: '/small.json', count: 4_000 },
  { name: '1 lane, 64 KiB JSON', lanes: 1, path: '/big.json', count: 800 },
  { name: '16 lanes, 64 KiB JSON', lanes: 16, path: '/big.json', count: 1_500 },
];

export interface PhaseResult {
  wallUs: number;
  cpuUs: number;
}
/** cell name → contender → phases. */
export type RunResult = Record<string, Record<string, PhaseResult[]>>;

type Contender = { name: string; once: (url: string) => Promise<unknown> };

export const BASELINE = 'undici.request';
export const OURS = 'statuskit client';

async function main(): Promise<void> {
  const [base = '', phases = '10'] = process.argv.slice(2);
  // Both on a default Agent of their own: the statuskit client as createClient() makes it, and
  // undici.request on undici's global dispatcher, as each is used out of the box.
  const client = createClient();
  const contenders: Contender[] = [
    { name: BASELINE, once: async (url) => (await request(url)).body.json() },
    { name: OURS, once: (url) => client.get(url).json() },
    { name: 'fetch', once: async (url) => (await fetch(url)).json() },
  ];
  if (process.env.BENCH_CLIENT_ALL) {
    const gotClient = got.extend({ agent: {}, retry: { limit: 0 } });
    const kyClient = ky.create({ retry: 0 });
    contenders.push({ name: 'ky', once: (url) => kyClient.get(url).json() });
    contenders.push({ name: 'got', once: (url) => gotClient.get(url).json() });
  }

  async function phase(c: Contender, cell: Cell, count: number): Promise<PhaseResult> {
    const url = base + cell.path;
    let left = count;
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: cell.lanes }, async () => {
        while (left-- > 0) await c.once(url);
      }),
    );
    const wallUs = Number(process.hrtime.bigint() - start) / 1000 / count;
    const used = process.cpuUsage(cpu);
    return { wallUs, cpuUs: (used.user + used.system) / count };
  }

  const result: RunResult = {};
  for (const cell of CELLS) {
    const byName: Record<string, PhaseResult[]> = {};
    for (const c of contenders) {
      byName[c.name] = [];
      await phase(c, cell, cell.count * 2); // warm-up: JIT, connections
    }
    for (let r = 0; r < Number(phases); r++) {
      for (let i = 0; i < contenders.length; i++) {
        const c = contenders[(i + r) % contenders.length]!;
        byName[c.name]!.push(await phase(c, cell, cell.count));
      }
    }
    result[cell.name] = byName;
  }
  await client.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1])) await main();
