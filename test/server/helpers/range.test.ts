import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatHttpDate } from '../../../src/server/helpers/http-date.ts';
import { evaluateRange, parseByteRanges, sendBytes } from '../../../src/server/helpers/range.ts';
import { helperServer, type Listening, raw, wire } from '../../lab/support/http.ts';

const CONTENT = Buffer.from('0123456789abcdefghij'); // 20 bytes
const MODIFIED = Date.UTC(2026, 0, 1);
const TARGET = { size: CONTENT.length, etag: '"blob"', lastModified: MODIFIED };

describe('parseByteRanges (RFC 9110 §14.1.2)', () => {
  it('reads first-last, first- and -suffix, clamping to the length', () => {
    assert.deepEqual(parseByteRanges('bytes=0-4', 20), [{ start: 0, end: 4 }]);
    assert.deepEqual(parseByteRanges('bytes=15-', 20), [{ start: 15, end: 19 }]);
    assert.deepEqual(parseByteRanges('bytes=-5', 20), [{ start: 15, end: 19 }]);
    assert.deepEqual(parseByteRanges('bytes=-50', 20), [{ start: 0, end: 19 }]);
    assert.deepEqual(parseByteRanges('bytes=10-99', 20), [{ start: 10, end: 19 }]);
    assert.deepEqual(parseByteRanges('BYTES = 0-0, 2-3', 20), [
      { start: 0, end: 0 },
      { start: 2, end: 3 },
    ]);
  });

  it('keeps the satisfiable ranges of a set; all outside is unsatisfiable', () => {
    assert.deepEqual(parseByteRanges('bytes=30-40, 0-1', 20), [{ start: 0, end: 1 }]);
    assert.equal(parseByteRanges('bytes=20-', 20), 'unsatisfiable');
    assert.equal(parseByteRanges('bytes=-0', 20), 'unsatisfiable');
  });

  it('ignores other units and invalid specifiers', () => {
    for (const bad of ['items=0-1', 'bytes=5-2', 'bytes=a-b', 'bytes=', 'bytes=1', '0-1']) {
      assert.equal(parseByteRanges(bad, 20), undefined, bad);
    }
  });
});

describe('evaluateRange', () => {
  it('applies Range to GET only', () => {
    assert.equal(evaluateRange('HEAD', { range: 'bytes=0-1' }, TARGET).kind, 'full');
    assert.equal(evaluateRange('GET', { range: 'bytes=0-1' }, TARGET).kind, 'partial');
  });

  it('honours If-Range only on a strong ETag match or the exact Last-Modified (RFC 9110 §13.1.5)', () => {
    const ranged = (ifRange: string) => evaluateRange('GET', { range: 'bytes=0-1', 'if-range': ifRange }, TARGET).kind;
    assert.equal(ranged('"blob"'), 'partial');
    assert.equal(ranged('"old"'), 'full');
    assert.equal(ranged('W/"blob"'), 'full');
    assert.equal(ranged(formatHttpDate(MODIFIED)), 'partial');
    assert.equal(ranged(formatHttpDate(MODIFIED + 1000)), 'full');
  });

  it('ignores too many ranges and overlapping sets', () => {
    assert.equal(evaluateRange('GET', { range: 'bytes=0-1,2-3,4-5' }, TARGET, { maxRanges: 2 }).kind, 'full');
    assert.equal(evaluateRange('GET', { range: 'bytes=0-15,5-19' }, TARGET).kind, 'full');
  });

  it('serves a zero-length representation whole', () => {
    assert.equal(evaluateRange('GET', { range: 'bytes=-5' }, { size: 0 }).kind, 'full');
  });
});

describe('sendBytes over a socket', () => {
  let srv: Listening;
  before(async () => {
    srv = await helperServer((ctx) => sendBytes(ctx, CONTENT, TARGET, { contentType: 'text/plain' }));
  });
  after(() => srv.close());

  it('answers 200 with Accept-Ranges without a Range', async () => {
    const r = await raw(srv.port, wire('GET', '/'));
    assert.equal(r.status, 200);
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.body.toString(), CONTENT.toString());
  });

  it('answers 206 with Content-Range and the bytes asked for', async () => {
    const r = await raw(srv.port, wire('GET', '/', { Range: 'bytes=5-9' }));
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], 'bytes 5-9/20');
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.equal(r.headers['content-length'], '5');
    assert.equal(r.body.toString(), '56789');
  });

  it('answers several ranges as multipart/byteranges, in request order', async () => {
    const r = await raw(srv.port, wire('GET', '/', { Range: 'bytes=-2, 0-1' }));
    assert.equal(r.status, 206);
    const boundary = /^multipart\/byteranges; boundary=(\w+)$/.exec(r.headers['content-type'] ?? '')?.[1];
    assert.ok(boundary, r.headers['content-type']);
    assert.equal(r.headers['content-range'], undefined);
    assert.equal(
      r.body.toString(),
      `\r\n--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 18-19/20\r\n\r\nij` +
        `\r\n--${boundary}\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/20\r\n\r\n01` +
        `\r\n--${boundary}--\r\n`,
    );
  });

  it('answers 416 with Content-Range: bytes */LENGTH and the error body', async () => {
    const r = await raw(srv.port, wire('GET', '/', { Range: 'bytes=20-30' }));
    assert.equal(r.status, 416);
    assert.equal(r.headers['content-range'], 'bytes */20');
    assert.equal(JSON.parse(r.body.toString()).error_code, 'SVC.0416');
  });

  it('sends the whole when If-Range no longer holds', async () => {
    const r = await raw(srv.port, wire('GET', '/', { Range: 'bytes=0-1', 'If-Range': '"stale"' }));
    assert.equal(r.status, 200);
    assert.equal(r.body.length, 20);
  });
});
