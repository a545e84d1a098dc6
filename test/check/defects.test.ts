import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import { type Defect, startConformant, TARGET } from './support/conformant.ts';

/** One defect each, the probe that must catch it, and what its reason must say. */
const CASES: readonly (readonly [Defect, string, RegExp])[] = [
  ['no-allow-405', '405-allow', /Allow missing/],
  ['no-allow-options', '204-options', /Allow missing/],
  ['leak-500', '500-no-leak', /leaks a stack trace/],
  ['late-413', '413-declared', /no answer/],
  ['head-body', '200-head-parity', /13 bytes of content after a 200 to HEAD/],
  ['head-no-etag', '200-head-parity', /HEAD lacks etag; etag differ/],
  ['wrong-error-code', '404-unknown-path', /error_code "ERR404" is not SVC\.0404/],
  ['no-request-id-echo', '404-request-id', /does not echo the id sent/],
  ['no-continue', '100-continue', /no 100 Continue/],
  ['bad-content-range', '206-range', /Content-Range: 0-3 is not of the form "bytes FIRST-LAST\/LENGTH"/],
  ['no-location-201', '201-location', /Location missing/],
  ['no-etag-304', '304-if-none-match', /ETag missing/],
  ['no-retry-after', '429-rate-limit', /Retry-After missing/],
  ['no-problem-json', '404-problem-json', /expected application\/problem\+json/],
  ['http2-as-400', '505-http2', /expected 505 HTTP Version not supported, got 400 BadRequest/],
  ['bad-retry-after', '429-rate-limit', /Retry-After: in a minute is neither delay-seconds nor an HTTP-date/],
  ['bad-location', '3xx-location', /Location: \/g<script> is not a URI reference/],
  ['bad-websocket-accept', '101-websocket', /Sec-WebSocket-Accept \S+, expected \S+/],
  ['payment-for-500', '500-no-leak', /got 402 Payment Required \(the contract never issues it\)/],
  ['no-challenge', '401-challenge', /WWW-Authenticate missing/],
  ['bad-retry-after', '503-unavailable', /Retry-After: in a minute is neither delay-seconds nor an HTTP-date/],
];

describe('each break of the contract fails the probe that covers it', () => {
  for (const [defect, probe, reason] of CASES) {
    it(`${defect} fails ${probe}`, async (t) => {
      const { url, server } = await startConformant([defect]);
      t.after(() => {
        server.closeAllConnections();
        server.close();
      });
      const result = await runCheck(url, { target: TARGET, only: [probe], timeout: 500, load: 10 });
      assert.equal(result.probes.length, 1);
      const [p] = result.probes;
      assert.equal(p?.verdict, 'fail', `${probe} should fail: ${p?.reason}`);
      assert.match(p?.reason ?? '', reason);
      assert.equal(result.summary.failed, 1);
    });
  }
});
