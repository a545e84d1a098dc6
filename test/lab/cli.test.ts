import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, describe, it } from 'node:test';
import { raw, wire } from './support/http.ts';
import { assertContract } from './support/lab.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const ENTRY = ['--import', 'tsx', 'src/cli/entry.ts'];

/** Starts `statuskit lab` as a process and resolves with the URL from its banner. */
async function spawnLab(...args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [...ENTRY, 'lab', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1] as string);
    });
    child.once('exit', (code) => reject(new Error(`lab exited with ${code} before listening: ${err}`)));
  });
  return { child, url, stderr: () => err };
}

describe('statuskit lab as a process', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });

  it('prints the bound URL, answers, and stops cleanly on SIGTERM', async () => {
    const lab = await spawnLab('--port', '0', '--profile', 'dis');
    children.push(lab.child);
    const port = Number(new URL(lab.url).port);
    assert.ok(port > 0);
    assertContract(await raw(port, wire('GET', '/status/441')), 441, 'dis');
    const index = await raw(port, wire('GET', '/'));
    assert.equal(JSON.parse(index.body.toString()).profile, 'dis');
    lab.child.kill('SIGTERM');
    const [code] = await once(lab.child, 'exit');
    assert.equal(code, 0);
    assert.match(lab.stderr(), /statuskit lab stopped \(SIGTERM\)/);
  });

  it('refuses a bad port or profile with a clear message and exit 2', () => {
    const port = spawnSync(process.execPath, [...ENTRY, 'lab', '--port', '70000'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(port.status, 2);
    assert.match(port.stderr, /Invalid --port 70000: expected a whole number from 0 to 65535/);
    const profile = spawnSync(process.execPath, [...ENTRY, 'lab', '--profile', 'dsi'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(profile.status, 2);
    assert.match(profile.stderr, /Invalid value "dsi" for --profile/);
  });

  it('says plainly when the port is taken', async () => {
    const first = await spawnLab('--port', '0');
    children.push(first.child);
    const port = new URL(first.url).port;
    const second = spawnSync(process.execPath, [...ENTRY, 'lab', '--port', port], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(second.status, 2);
    assert.match(second.stderr, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is in use`));
    first.child.kill('SIGTERM');
    await once(first.child, 'exit');
  });
});
