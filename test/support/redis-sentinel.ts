/**
 * Starts a real Sentinel setup for a test: a master, one replica and one
 * sentinel (quorum 1) on free loopback ports; ready once the sentinel knows
 * the replica. The sentinel declares a silent master down after 500 ms.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, type RedisHandle, startRedis } from './redis.ts';

const run = promisify(execFile);
const REDIS_CLI = process.env.REDIS_CLI ?? 'redis-cli';

export interface SentinelHandle {
  /** The master's name the sentinel monitors. */
  name: string;
  /** `redis://127.0.0.1:PORT` of the sentinel. */
  sentinelUrl: string;
  master: RedisHandle;
  replica: RedisHandle;
  /** The port the sentinel says the master is on now. */
  masterPort(): Promise<number>;
  stop(): Promise<void>;
}

export async function startSentinel(name = 'statuskit'): Promise<SentinelHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-sentinel-'));
  // --dir: a full resync writes an RDB file, which belongs in the temporary folder.
  const master = await startRedis({ args: ['--dir', dir] });
  const replica = await startRedis({ args: ['--dir', dir, '--replicaof', '127.0.0.1', String(master.port)] });
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `sentinel monitor ${name} 127.0.0.1 ${master.port} 1`,
      `sentinel down-after-milliseconds ${name} 500`,
      `sentinel failover-timeout ${name} 5000`,
      '',
    ].join('\n'),
  );
  const sentinel = await startRedis({ port, configFile: conf, args: ['--sentinel'] });
  const ask = async (...args: string[]) =>
    (await run(REDIS_CLI, ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 5000 })).stdout;
  const stop = async () => {
    await Promise.all([sentinel.kill(), master.kill(), replica.kill()]);
    rmSync(dir, { recursive: true, force: true });
  };
  const linkUp = async () =>
    (await run(REDIS_CLI, ['-p', String(replica.port), 'INFO', 'replication'])).stdout.includes(
      'master_link_status:up',
    );
  const started = Date.now();
  while (
    !(await ask('SENTINEL', 'REPLICAS', name).catch(() => '')).includes(String(replica.port)) ||
    !(await linkUp())
  ) {
    if (Date.now() - started > 30_000) {
      await stop();
      throw new Error('The sentinel did not find the replica in 30 s.');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    name,
    sentinelUrl: `redis://127.0.0.1:${port}`,
    master,
    replica,
    async masterPort() {
      const out = await ask('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name);
      return Number(out.trim().split('\n')[1]);
    },
    stop,
  };
}
