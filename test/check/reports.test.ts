import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHtml, formatJunit, formatText } from '../../src/check/report/index.ts';
import type { CheckResult } from '../../src/check/types.ts';

const nasty = 'got <b>"400"</b> & \u0001 \'x\'';
const RESULT: CheckResult = {
  url: 'http://127.0.0.1:1',
  profile: 'generic',
  targetSource: 'none',
  target: {},
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1234,
  probes: [
    {
      id: '505-http2',
      code: 505,
      title: 'version',
      verdict: 'fail',
      reason: `${nasty} ${'long '.repeat(60)}`,
      checks: [{ name: 'status', ok: false, detail: nasty }],
      exchanges: [
        {
          request: 'GET / HTTP/2.0\r\nHost: x\r\n\r\n',
          interim: [],
          response: {
            statusLine: 'HTTP/1.1 200 OK',
            status: 200,
            headers: [['X-A', '<1>']],
            bodyBytes: 3,
            bodyPreview: '<p>',
          },
          extraBytes: 0,
          closed: true,
        },
      ],
    },
    {
      id: '405-allow',
      code: 405,
      title: 't',
      verdict: 'n/a',
      reason: 'the target names no "getOnly"',
      checks: [],
      exchanges: [],
    },
    { id: '404-unknown-path', code: 404, title: 't', verdict: 'pass', reason: 'status', checks: [], exchanges: [] },
  ],
  contract: [{ code: 505, name: 'HTTP Version not supported', verdict: 'fail', probes: ['505-http2'] }],
  summary: { passed: 1, failed: 1, notApplicable: 1 },
};

describe('reports', () => {
  it('text: one row per probe, reasons on one clipped line, the summary line last', () => {
    const lines = formatText(RESULT, 100).trimEnd().split('\n');
    assert.equal(lines.at(-1), '1 passed, 1 failed, 1 not applicable');
    const row = lines.find((l) => l.startsWith('505-http2')) ?? '';
    assert.ok(row.length <= 100, `row is ${row.length} wide`);
    assert.match(row, /^505-http2\s+505\s+FAIL\s+got <b>.*…$/);
    assert.match(formatText(RESULT), /^405-allow\s+405\s+n\/a\s+the target names no "getOnly"$/m);
  });

  it('JUnit: escaped, control characters replaced, n/a as skipped, exchanges in the failure', () => {
    const xml = formatJunit(RESULT);
    assert.doesNotMatch(xml, /\u0001/);
    assert.match(xml, /message="got &lt;b&gt;&quot;400&quot;&lt;\/b&gt; &amp; \ufffd &apos;x&apos;/);
    assert.match(xml, /<skipped message="the target names no &quot;getOnly&quot;"\/>/);
    assert.match(xml, /&gt; request\nGET \/ HTTP\/2\.0\r\nHost: x/);
    assert.match(xml, /X-A: &lt;1&gt;/);
    assert.match(xml, /tests="3" failures="1" skipped="1" time="1\.234"/);
  });

  it('HTML: escaped, self-contained, with the contract read line by line', () => {
    const page = formatHtml(RESULT);
    assert.doesNotMatch(page, /<b>"400"/);
    assert.match(page, /got &lt;b&gt;&quot;400&quot;/);
    assert.match(page, /<h2>The contract, line by line<\/h2>/);
    assert.match(page, /<td>505<\/td><td>HTTP Version not supported<\/td><td class="fail">fail<\/td>/);
    assert.doesNotMatch(page, /<script|<link|https?:\/\/(?!127)/);
  });
});
