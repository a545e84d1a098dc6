import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

describe('statuskit serve (the gateway in front of the lab) under the checker', () => {
  let child: ChildProcess;
  let url: string;
  before(async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/entry.ts', 'serve', '--port', '0', '--admin-port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let banner = '';
    url = await new Promise<string>((resolve, reject) => {
      child.stderr?.on('data', (d: Buffer) => {
        banner += d;
        const m = /statuskit gateway on (http:\/\/[\d.:]+)/.exec(banner);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`statuskit serve exited with ${code}: ${banner}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('passes every applicable probe', async () => {
    const result = await runCheck(url, { load: 20 });
    assert.equal(result.targetSource, 'well-known');
    for (const p of result.probes) {
      if (p.verdict === 'n/a') continue;
      assert.equal(p.verdict, 'pass', `${p.id}: ${p.reason}`);
    }
    assert.deepEqual(
      result.probes.filter((p) => p.verdict === 'n/a').map((p) => p.id),
      ['408-headers', '408-body'],
    );
  });

  it('passes the lab’s WebSocket upgrade through with 101', async () => {
    const result = await runCheck(url, { only: ['101-websocket'] });
    assert.deepEqual(
      result.probes.map((p) => [p.id, p.verdict, p.reason]),
      [['101-websocket', 'pass', 'status, Upgrade, Connection, no content, Sec-WebSocket-Accept']],
    );
  });
});
