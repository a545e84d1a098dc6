import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorCodeFor, isErrorCode, lookup, nearestCodes, parseProfile } from '../../src/catalog/index.ts';

describe('lookup', () => {
  it('finds a code by number, as number or text', () => {
    assert.equal(lookup(429)?.code, 429);
    assert.equal(lookup(' 504 ')?.code, 504);
    assert.equal(lookup(418), undefined);
  });

  it('finds a code by any spelling people use', () => {
    const cases: [string, number][] = [
      ['TooManyRequests', 429],
      ['too many requests', 429],
      ['Request Time-out', 408],
      ['request timeout', 408],
      ['ServerTimeout', 504],
      ['Gateway Timeout', 504],
      ['payload too large', 413],
      ['Content Too Large', 413],
      ['Request Entity Too Large', 413],
      ['URI too long', 414],
      ['Success', 200],
      ['unprocessable entity', 422],
      ['Authentication Error', 441],
      ['NoContent', 204],
      ['http version not supported', 505],
    ];
    for (const [name, code] of cases) assert.equal(lookup(name)?.code, code, name);
    assert.equal(lookup("I'm a teapot"), undefined);
  });

  it('names the nearest contract codes for a code outside it', () => {
    assert.deepEqual(
      nearestCodes(418).map((e) => e.code),
      [417, 416, 415],
    );
    assert.deepEqual(
      nearestCodes(431, 2).map((e) => e.code),
      [429, 422],
    );
  });
});

describe('profiles and error codes', () => {
  it('prefixes error_code per profile with four digits', () => {
    assert.equal(errorCodeFor(404), 'SVC.0404');
    assert.equal(errorCodeFor(429, 'dis'), 'DIS.0429');
    assert.equal(errorCodeFor(503, 'dcs'), 'DCS.0503');
    assert.equal(errorCodeFor(400, 'dli', 'JSON'), 'DLI.0400.JSON');
  });

  it('knows which codes can be an error answer under each profile', () => {
    assert.equal(isErrorCode(441, 'dis'), true);
    assert.equal(isErrorCode(441, 'generic'), false);
    assert.equal(isErrorCode(402), false);
    assert.equal(isErrorCode(200), false);
    assert.equal(isErrorCode(418), false);
  });

  it('parses profile names and refuses others clearly', () => {
    assert.equal(parseProfile('DIS'), 'dis');
    assert.throws(() => parseProfile('aws'), /Unknown profile "aws": expected one of dis, dcs, dli, generic/);
  });
});
