import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { startLab } from '../../src/lab/index.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Runs the built binary (npm test builds first) as `statuskit … | head`
 * would: the read end of its stdout is closed early, after the first chunk or
 * before any. Resolves with the exit code and everything on stderr.
 */
function closedEarly(
  when: 'at-once' | 'first-chunk',
  ...args: string[]
): Promise<{ code: number | null; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/statuskit.js', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d));
    if (when === 'at-once') child.stdout.destroy();
    else child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, err }));
  });
}

describe('statuskit with its stdout closed early (… | head -1)', () => {
  let lab: Awaited<ReturnType<typeof startLab>>;
  before(async () => {
    lab = await startLab({ port: 0 });
  });
  after(() => lab.close());

  it('exits with the check’s own status 0, without an EPIPE stack trace', async () => {
    // The report is written after every probe ran, to a pipe nobody reads: EPIPE for sure.
    const r = await closedEarly('at-once', 'check', lab.url, '--format', 'json');
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
  });

  it('exits 1 when a probe failed, reader gone after the first chunk of a long JSON report', async () => {
    // The lab follows the generic profile; under dis its error_code prefixes are wrong (exit 1).
    const r = await closedEarly('first-chunk', 'check', lab.url, '--format', 'json', '--profile', 'dis');
    assert.equal(r.err, '');
    assert.equal(r.code, 1);
  });

  it('a usage error into a closed stderr still exits 2', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['bin/statuskit.js', 'check', 'not-a-url'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.destroy();
      child.stderr.destroy();
      child.on('close', resolve);
    });
    assert.equal(code, 2);
  });

  it('--version into a closed pipe exits 0', async () => {
    const r = await closedEarly('at-once', '--version');
    assert.doesNotMatch(r.err, /EPIPE|Error/);
    assert.equal(r.code, 0);
  });
});
