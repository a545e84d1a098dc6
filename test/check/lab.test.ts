import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import { startLab } from '../../src/lab/index.ts';

const failures = (probes: readonly { verdict: string; id: string; reason: string }[]) =>
  probes.filter((p) => p.verdict === 'fail').map((p) => `${p.id}: ${p.reason}`);

describe('statuskit lab under the checker', () => {
  it('describes itself, and passes every probe that runs without --slow/--load', async (t) => {
    const lab = await startLab({ port: 0 });
    t.after(() => lab.close());
    const result = await runCheck(lab.url);
    assert.equal(result.targetSource, 'well-known');
    assert.deepEqual(failures(result.probes), []);
    const notApplicable = result.probes.filter((p) => p.verdict === 'n/a').map((p) => p.id);
    assert.deepEqual(notApplicable.sort(), ['408-body', '408-headers', '429-rate-limit']);
    assert.equal(result.probes.find((p) => p.id === '101-websocket')?.verdict, 'pass');
  });

  it('upgrades its WebSocket echo with 101, named in its own target', async (t) => {
    const lab = await startLab({ port: 0 });
    t.after(() => lab.close());
    assert.equal(lab.lab.target.websocket, '/ws/echo');
    const result = await runCheck(lab.url, { only: ['101'] });
    assert.deepEqual(failures(result.probes), []);
    assert.equal(result.summary.passed, 1);
  });

  it('answers 429 with Retry-After and RateLimit fields under --load', async (t) => {
    const lab = await startLab({ port: 0, rateLimit: 3 });
    t.after(() => lab.close());
    const result = await runCheck(lab.url, { only: ['429'], load: 20 });
    assert.deepEqual(failures(result.probes), []);
    assert.equal(result.summary.passed, 1);
  });

  it('answers 408 and closes when a request stalls (--slow, short server timeouts)', async (t) => {
    const lab = await startLab({
      port: 0,
      server: { limits: { headersTimeout: 300, bodyTimeout: 300 }, timeoutCheckInterval: 100 },
    });
    t.after(() => lab.close());
    const result = await runCheck(lab.url, { only: ['408'], slow: true, slowWait: 5000 });
    assert.deepEqual(failures(result.probes), []);
    assert.equal(result.summary.passed, 2);
  });

  it('reads the profile from the description: error_code carries the DIS prefix', async (t) => {
    const lab = await startLab({ port: 0, profile: 'dis' });
    t.after(() => lab.close());
    const result = await runCheck(lab.url, { only: ['404-unknown-path', '405-allow'] });
    assert.equal(result.profile, 'dis');
    assert.deepEqual(failures(result.probes), []);
    assert.match(result.probes[0]?.exchanges[0]?.response?.bodyPreview ?? '', /"error_code":"DIS\.0404"/);
    const wrong = await runCheck(lab.url, { only: ['404-unknown-path'], profile: 'dcs' });
    assert.match(wrong.probes[0]?.reason ?? '', /error_code "DIS\.0404" is not DCS\.0404/);
  });
});
