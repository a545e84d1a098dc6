import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import type { CheckProgress } from '../../src/check/types.ts';
import { startLab } from '../../src/lab/index.ts';

describe('runCheck reports progress through onProgress', () => {
  it('announces each probe that runs, then its verdict; n/a probes say nothing', async (t) => {
    const lab = await startLab({
      port: 0,
      server: { limits: { headersTimeout: 300, bodyTimeout: 300 }, timeoutCheckInterval: 100 },
    });
    t.after(() => lab.close());
    const events: CheckProgress[] = [];
    const result = await runCheck(lab.url, {
      only: ['408', '405-allow', '429'],
      slow: true,
      slowWait: 5000,
      onProgress: (e) => void events.push(e),
    });
    const ran = result.probes.filter((p) => p.verdict !== 'n/a').map((p) => p.id);
    assert.deepEqual(ran.sort(), ['405-allow', '408-body', '408-headers']);
    assert.deepEqual(result.probes.find((p) => p.id === '429-rate-limit')?.verdict, 'n/a');
    for (const id of ran) {
      const mine = events.filter((e) => e.id === id);
      assert.deepEqual(
        mine.map((e) => e.type),
        ['start', 'done'],
        `${id}: start, then done`,
      );
      const [start, done] = mine;
      const probe = result.probes.find((p) => p.id === id);
      assert.equal(start?.type === 'start' && start.title, probe?.title);
      assert.equal(done?.type === 'done' && done.verdict, probe?.verdict);
    }
    assert.equal(events.length, 6, 'nothing about the n/a 429 probe');
    const slowStart = events.find((e) => e.id === '408-headers' && e.type === 'start');
    assert.equal(slowStart?.type === 'start' && slowStart.waitsUpToMs, 5000);
    const quickStart = events.find((e) => e.id === '405-allow' && e.type === 'start');
    assert.equal(quickStart?.type === 'start' && quickStart.waitsUpToMs, undefined);
  });
});
