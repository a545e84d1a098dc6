/**
 * Starts a real, throwaway Redis Cluster for a test: N masters (and, for
 * failover, one replica each) on free loopback ports, joined with
 * `redis-cli --cluster create`, ready once every node reports `cluster_state:ok`
 * (and every replica's link to its master is up).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type RedisHandle, startRedis } from './redis.ts';

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** @default 3 */
  masters?: number;
  /** Replicas per master (1 for failover tests). @default 0 */
  replicas?: number;
  /** `cluster-node-timeout`: how long a silent master takes to be declared failed, in ms. @default 1000 (1 s) */
  nodeTimeoutMs?: number;
  /** How long to wait for the cluster to be healthy, in ms. @default 30000 (30 s) */
  timeoutMs?: number;
}

export interface ClusterNode {
  id: string;
  port: number;
  role: 'master' | 'replica';
  failed: boolean;
  /** Slot ranges, as "0-5460". */
  slots: string[];
}

export interface RedisClusterHandle {
  /** Every node's `redis://127.0.0.1:PORT`: the seed list a client is given. */
  urls: string[];
  ports: number[];
  /** Runs one redis-cli command against a node; its stdout, trimmed. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The cluster as a live node sees it (CLUSTER NODES). */
  nodes(): Promise<ClusterNode[]>;
  /** The port of the master that holds `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** SIGKILL one node, as a crash would. */
  kill(port: number): Promise<void>;
  /** Resolves once every live node says `cluster_state:ok` and no live master is flagged failed. */
  healthy(): Promise<void>;
  /** Resolves once every replica has every write its master took (offsets equal): a failover then loses nothing. */
  replicated(): Promise<void>;
  /** The keys matching `pattern` on each live master (SCAN), by port. */
  keysByMaster(pattern: string): Promise<Map<number, string[]>>;
  stop(): Promise<void>;
}

const REDIS_CLI = process.env.REDIS_CLI ?? 'redis-cli';

/** CRC16-CCITT (XMODEM), the checksum Redis Cluster hashes keys with. */
function crc16(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

/** The slot of `key` (Redis Cluster specification, "Keys distribution model", hash tags included). */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  const close = open >= 0 ? key.indexOf('}', open + 1) : -1;
  const hashed = close > open + 1 ? key.slice(open + 1, close) : key;
  return crc16(Buffer.from(hashed)) % 16384;
}

/** Whether `slot` is in a node's ranges ("0-5460", "7"). */
export function holds(node: ClusterNode, slot: number): boolean {
  return node.slots.some((r) => {
    const [a, b = a] = r.split('-').map(Number);
    return slot >= a! && slot <= b!;
  });
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function cli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 });
  return stdout.trim();
}

function parseNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, addr, flags, , , , , , ...slots] = line.split(' ');
      const f = (flags ?? '').split(',');
      return {
        id: id ?? '',
        port: Number(/:(\d+)@/.exec(addr ?? '')?.[1]),
        role: f.includes('master') ? 'master' : 'replica',
        failed: f.includes('fail'),
        slots: slots.filter((s) => !s.startsWith('[')),
      };
    });
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const probe = spawnSync(REDIS_CLI, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0)
    throw new Error(
      `The Redis Cluster tests need redis-cli, and "${REDIS_CLI}" could not be run. Install it (apt-get install redis-server brings it) or set REDIS_CLI to its path.`,
    );
  const masters = options.masters ?? 3;
  const replicas = options.replicas ?? 0;
  const timeoutMs = options.timeoutMs ?? 30_000; // 30 s
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-cluster-'));
  const servers = new Map<number, RedisHandle>();
  const dead = new Set<number>();
  const stop = async () => {
    await Promise.all([...servers.values()].map((s) => s.kill()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const port = await freePort();
      const args = ['--cluster-enabled', 'yes', '--dir', dir, '--cluster-config-file', `nodes-${port}.conf`];
      args.push('--cluster-node-timeout', String(options.nodeTimeoutMs ?? 1000)); // 1 s
      servers.set(port, await startRedis({ port, args }));
    }
    const ports = [...servers.keys()];
    await run(
      REDIS_CLI,
      ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicas)].concat(
        '--cluster-yes',
      ),
      { timeout: 30_000 },
    );
    const live = () => ports.filter((p) => !dead.has(p));
    const nodes = async () => parseNodes(await cli(live()[0]!, 'CLUSTER', 'NODES'));
    const healthy = async () => {
      const started = Date.now();
      for (;;) {
        const states = await Promise.all(live().map((p) => cli(p, 'CLUSTER', 'INFO').catch(() => '')));
        const all = await nodes().catch(() => []);
        const masterOk = all.filter((n) => n.role === 'master' && !dead.has(n.port)).every((n) => !n.failed);
        // Every replica of a live master must be in sync: a failover needs one.
        const links = await Promise.all(
          all
            .filter((n) => n.role === 'replica' && !dead.has(n.port))
            .map((n) => cli(n.port, 'INFO', 'replication').catch(() => '')),
        );
        const synced = links.every((t) => t.includes('master_link_status:up'));
        const knowsDead = [...dead].every((p) => all.find((n) => n.port === p)?.failed ?? true);
        if (states.every((s) => s.includes('cluster_state:ok')) && masterOk && synced && knowsDead) return;
        if (Date.now() - started > timeoutMs) throw new Error(`Redis Cluster not healthy after ${timeoutMs} ms`);
        await sleep(50);
      }
    };
    await healthy();
    return {
      urls: ports.map((p) => `redis://127.0.0.1:${p}`),
      ports,
      cli,
      nodes,
      async masterOf(key) {
        const slot = keySlot(key);
        const owner = (await nodes()).find((n) => n.role === 'master' && !n.failed && holds(n, slot));
        if (!owner) throw new Error(`No master holds slot ${slot}`);
        return owner.port;
      },
      async kill(port) {
        dead.add(port);
        await servers.get(port)?.kill();
      },
      healthy,
      async replicated() {
        const started = Date.now();
        for (;;) {
          const masters = (await nodes()).filter((n) => n.role === 'master' && !n.failed && !dead.has(n.port));
          const infos = await Promise.all(masters.map((m) => cli(m.port, 'INFO', 'replication')));
          const behind = infos.some((info) => {
            const offset = /master_repl_offset:(\d+)/.exec(info)?.[1];
            return [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].some((m) => m[1] !== offset);
          });
          if (!behind) return;
          if (Date.now() - started > timeoutMs) throw new Error('replicas did not catch up');
          await sleep(20);
        }
      },
      async keysByMaster(pattern) {
        const masters = (await nodes()).filter((n) => n.role === 'master' && !n.failed && !dead.has(n.port));
        const out = new Map<number, string[]>();
        for (const m of masters)
          out.set(m.port, (await cli(m.port, '--scan', '--pattern', pattern)).split('\n').filter(Boolean));
        return out;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
