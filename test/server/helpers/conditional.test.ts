import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  checkPreconditions,
  evaluatePreconditions,
  setValidators,
  type Validators,
} from '../../../src/server/helpers/conditional.ts';
import { parseEntityTagList, strongMatch, weakMatch } from '../../../src/server/helpers/etag.ts';
import { formatHttpDate, parseHttpDate } from '../../../src/server/helpers/http-date.ts';
import { helperServer, type Listening, raw, wire } from '../../lab/support/http.ts';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const MODIFIED = Date.UTC(2026, 10, 23, 11, 0, 0, 750);
const V = { etag: '"v2"', lastModified: MODIFIED };
const outcome = (method: string, headers: Record<string, string>, v: Validators = V) =>
  evaluatePreconditions(method, headers, v, NOW).outcome;

describe('HTTP-date', () => {
  it('reads all three forms as UTC (RFC 9110 §5.6.7)', () => {
    const t = Date.UTC(1994, 10, 6, 8, 49, 37);
    assert.equal(parseHttpDate('Sun, 06 Nov 1994 08:49:37 GMT'), t);
    assert.equal(parseHttpDate('Sunday, 06-Nov-94 08:49:37 GMT', NOW), t);
    assert.equal(parseHttpDate('Sun Nov  6 08:49:37 1994'), t);
    assert.equal(formatHttpDate(t), 'Sun, 06 Nov 1994 08:49:37 GMT');
  });

  it('rejects what is not an HTTP-date', () => {
    for (const bad of [
      'yesterday',
      '2026-11-23T12:00:00Z',
      'Sun, 31 Feb 2026 00:00:00 GMT',
      'Sun, 06 Nov 1994 25:00:00 GMT',
    ]) {
      assert.equal(parseHttpDate(bad), undefined, bad);
    }
  });

  it('puts a two-digit year more than 50 years ahead in the past century', () => {
    assert.equal(new Date(parseHttpDate('Monday, 01-Jan-90 00:00:00 GMT', NOW) as number).getUTCFullYear(), 1990);
    assert.equal(new Date(parseHttpDate('Monday, 01-Jan-30 00:00:00 GMT', NOW) as number).getUTCFullYear(), 2030);
  });
});

describe('entity tags', () => {
  it('parses lists, * and weak tags; rejects malformed values', () => {
    assert.deepEqual(parseEntityTagList(' "a" , W/"b",, "c"'), [
      { weak: false, opaque: '"a"' },
      { weak: true, opaque: '"b"' },
      { weak: false, opaque: '"c"' },
    ]);
    assert.equal(parseEntityTagList('*'), '*');
    assert.equal(parseEntityTagList('a'), undefined);
    assert.equal(parseEntityTagList('"a" junk'), undefined);
  });

  it('compares strongly and weakly as RFC 9110 §8.8.3.2 tabulates', () => {
    const w1 = { weak: true, opaque: '"1"' };
    const w2 = { weak: true, opaque: '"2"' };
    const s1 = { weak: false, opaque: '"1"' };
    assert.deepEqual([strongMatch(w1, w1), weakMatch(w1, w1)], [false, true]);
    assert.deepEqual([strongMatch(w1, w2), weakMatch(w1, w2)], [false, false]);
    assert.deepEqual([strongMatch(w1, s1), weakMatch(w1, s1)], [false, true]);
    assert.deepEqual([strongMatch(s1, s1), weakMatch(s1, s1)], [true, true]);
  });
});

describe('evaluatePreconditions (RFC 9110 §13.2.2)', () => {
  it('If-Match: strong comparison, * needs a current representation', () => {
    assert.equal(outcome('PUT', { 'if-match': '"v2"' }), 'proceed');
    assert.equal(outcome('PUT', { 'if-match': '"v1", "v2"' }), 'proceed');
    assert.equal(outcome('PUT', { 'if-match': '"v1"' }), 'failed');
    assert.equal(outcome('PUT', { 'if-match': 'W/"v2"' }), 'failed');
    assert.equal(outcome('PUT', { 'if-match': '"v2"' }, { etag: 'W/"v2"', lastModified: MODIFIED }), 'failed');
    assert.equal(outcome('PUT', { 'if-match': '*' }), 'proceed');
    assert.equal(outcome('PUT', { 'if-match': '*' }, { ...V, exists: false }), 'failed');
    assert.equal(outcome('PUT', { 'if-match': 'garbage' }), 'failed');
  });

  it('If-Unmodified-Since: compared at one-second precision, ignored under If-Match or when invalid', () => {
    assert.equal(outcome('PUT', { 'if-unmodified-since': formatHttpDate(MODIFIED) }), 'proceed');
    assert.equal(outcome('PUT', { 'if-unmodified-since': formatHttpDate(MODIFIED - 1000) }), 'failed');
    assert.equal(
      outcome('PUT', { 'if-match': '"v2"', 'if-unmodified-since': formatHttpDate(MODIFIED - 5000) }),
      'proceed',
    );
    assert.equal(outcome('PUT', { 'if-unmodified-since': 'not a date' }), 'proceed');
  });

  it('If-None-Match: weak comparison; 304 for GET/HEAD, 412 otherwise', () => {
    assert.equal(outcome('GET', { 'if-none-match': 'W/"v2"' }), 'not-modified');
    assert.equal(outcome('HEAD', { 'if-none-match': '"v1", "v2"' }), 'not-modified');
    assert.equal(outcome('GET', { 'if-none-match': '"v1"' }), 'proceed');
    assert.equal(outcome('PUT', { 'if-none-match': '*' }), 'failed');
    assert.equal(outcome('PUT', { 'if-none-match': '*' }, { exists: false }), 'proceed');
  });

  it('If-None-Match wins over If-Modified-Since, which only GET/HEAD read', () => {
    const ims = formatHttpDate(MODIFIED + 1000);
    assert.equal(outcome('GET', { 'if-modified-since': ims }), 'not-modified');
    assert.equal(outcome('GET', { 'if-none-match': '"v1"', 'if-modified-since': ims }), 'proceed');
    assert.equal(outcome('POST', { 'if-modified-since': ims }), 'proceed');
    assert.equal(outcome('GET', { 'if-modified-since': formatHttpDate(MODIFIED - 1000) }), 'proceed');
  });

  it('ignores an If-Modified-Since later than the server clock (RFC 9110 §13.1.3)', () => {
    assert.equal(outcome('GET', { 'if-modified-since': formatHttpDate(NOW + 60_000) }), 'proceed');
  });

  it('checks If-Match before If-None-Match', () => {
    const d = evaluatePreconditions('GET', { 'if-match': '"v1"', 'if-none-match': '"v2"' }, V, NOW);
    assert.deepEqual(d, { outcome: 'failed', field: 'If-Match' });
  });
});

describe('checkPreconditions over a socket', () => {
  let srv: Listening;
  before(async () => {
    srv = await helperServer((ctx) => {
      const v = { etag: '"v2"', lastModified: MODIFIED };
      if (checkPreconditions(ctx, v, NOW)) return;
      setValidators(ctx.res, v);
      ctx.res.setHeader('Content-Type', 'text/plain');
      ctx.res.end('version 2');
    });
  });
  after(() => srv.close());

  it('answers 304 with ETag and no body when the copy is current', async () => {
    const r = await raw(srv.port, wire('GET', '/', { 'If-None-Match': '"v2"' }));
    assert.equal(r.status, 304);
    assert.equal(r.headers.etag, '"v2"');
    assert.equal(r.headers['content-length'], undefined);
    assert.equal(r.headers['transfer-encoding'], undefined);
    assert.equal(r.body.length, 0);
  });

  it('answers 200 with both validators otherwise', async () => {
    const r = await raw(srv.port, wire('GET', '/', { 'If-None-Match': '"v1"' }));
    assert.equal(r.status, 200);
    assert.equal(r.headers.etag, '"v2"');
    assert.equal(r.headers['last-modified'], formatHttpDate(MODIFIED));
    assert.equal(r.body.toString(), 'version 2');
  });

  it('answers 412 with the error body when If-Match is stale', async () => {
    const r = await raw(srv.port, wire('PUT', '/', { 'If-Match': '"v1"' }, 'x'));
    assert.equal(r.status, 412);
    const body = JSON.parse(r.body.toString());
    assert.equal(body.error_code, 'SVC.0412.PRECONDITION');
    assert.match(body.error_msg, /If-Match/);
  });
});
