import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { progressLine, type Terminal } from '../../src/cli/progress.ts';

/** A terminal as the shell would pass process.stderr: isTTY true, a width, and what was written. */
function fakeTerminal(isTTY: boolean, columns = 160): Terminal & { text: string; written(): string } {
  return {
    isTTY,
    columns,
    text: '',
    written() {
      return this.text;
    },
    write(chunk: string) {
      this.text += chunk;
      return true;
    },
  };
}

const CLEAR = '\r\x1b[2K';
const slow = {
  type: 'start',
  id: '408-headers',
  code: 408,
  title: 'a header section never finished is answered 408 with Connection: close',
  waitsUpToMs: 70_000,
} as const;
const quick = { type: 'start', id: '405-allow', code: 405, title: 'a wrong method is answered 405' } as const;

describe('statuskit check: the progress line on a terminal', () => {
  it('says which probe is waiting and for how long, on one redrawn line', () => {
    let now = 0;
    const term = fakeTerminal(true);
    const p = progressLine(term, { now: () => now, interval: 0 });
    p.onProgress(slow);
    p.onProgress(quick);
    now = 500;
    p.tick();
    assert.equal(term.text, '', 'nothing before a probe has waited 1 s');
    p.onProgress({ type: 'done', id: '405-allow', code: 405, verdict: 'pass' });
    now = 12_400;
    p.tick();
    assert.equal(
      term.text,
      `${CLEAR}waiting 12 s of up to 70 s: 408-headers, a header section never finished is answered 408 with Connection: close`,
    );
    now = 13_000;
    p.tick();
    assert.ok(
      term
        .written()
        .endsWith(
          `${CLEAR}waiting 13 s of up to 70 s: 408-headers, a header section never finished is answered 408 with Connection: close`,
        ),
    );
    assert.doesNotMatch(term.written(), /\n/, 'one line, redrawn with \\r');
    p.onProgress({ type: 'done', id: '408-headers', code: 408, verdict: 'pass' });
    assert.ok(term.written().endsWith(CLEAR), 'the line is erased once nothing waits');
    p.stop();
  });

  it('names the longest wait, counts the others, and fits the width', () => {
    let now = 0;
    const term = fakeTerminal(true, 40);
    const p = progressLine(term, { now: () => now, interval: 0 });
    p.onProgress(slow);
    now = 100;
    p.onProgress(quick);
    now = 2_000;
    p.tick();
    assert.equal(term.text, `${CLEAR}waiting 2 s of up to 70 s: 408-headers…`);
    const wide = fakeTerminal(true, 200);
    const q = progressLine(wide, { now: () => now, interval: 0 });
    q.onProgress(slow);
    q.onProgress(quick);
    now = 4_000;
    q.tick();
    assert.match(wide.written(), /: 408-headers \(\+1 more running\), a header section never finished/);
    p.stop();
    q.stop();
  });

  it('erases the line on stop, before the report is written', () => {
    let now = 0;
    const term = fakeTerminal(true);
    const p = progressLine(term, { now: () => now, interval: 0 });
    p.onProgress(slow);
    now = 5_000;
    p.tick();
    p.stop();
    assert.ok(term.written().endsWith(CLEAR));
  });

  it('writes nothing at all when the stream is not a terminal (JSON, JUnit, pipes stay clean)', () => {
    let now = 0;
    const term = fakeTerminal(false);
    const p = progressLine(term, { now: () => now, interval: 0 });
    p.onProgress(slow);
    now = 30_000;
    p.tick();
    p.stop();
    assert.equal(term.text, '');
    progressLine(undefined).stop();
  });
});
