import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ErrorCode } from '../src/catalog/index.ts';
import { errorBody, problemDetails, renderError, StatusError, wantsProblem } from '../src/errors.ts';

describe('StatusError', () => {
  it('carries status, message, headers and sub-code', () => {
    const err = new StatusError(429, 'Rate limit exceeded: 100 requests per 60 s.', {
      headers: { 'Retry-After': 17 },
      subcode: 'RATE',
    });
    assert.equal(err.status, 429);
    assert.equal(err.message, 'Rate limit exceeded: 100 requests per 60 s.');
    assert.deepEqual(err.headers, { 'Retry-After': 17 });
    assert.ok(err instanceof Error);
  });

  it('refuses codes the contract never issues, successes and unknown codes', () => {
    for (const [code, why] of [
      [402, /never issues it/],
      [305, /never issues it/],
      [200, /not an error status/],
      [304, /not an error status/],
      [418, /not a code of the contract/],
      [431, /not a code of the contract/],
    ] as const) {
      assert.throws(() => new StatusError(code as unknown as ErrorCode, 'x'), { name: 'TypeError', message: why });
    }
  });

  it('rejects a non-error code at compile time', () => {
    // @ts-expect-error 200 is not an ErrorCode
    assert.throws(() => new StatusError(200, 'ok'));
    // @ts-expect-error 402 is never issued
    assert.throws(() => new StatusError(402, 'pay'));
  });
});

describe('error bodies (CONTRACT.md §3)', () => {
  const err = new StatusError(404, 'No stream named "orders".', { details: { error_code: 'X', resource: 'orders' } });

  it('renders error_code, error_msg and request_id with the profile prefix', () => {
    assert.deepEqual(errorBody(err, { profile: 'dis', requestId: 'r-1' }), {
      error_code: 'DIS.0404',
      error_msg: 'No stream named "orders".',
      request_id: 'r-1',
      resource: 'orders',
    });
    assert.equal(errorBody(err, { requestId: 'r-2' }).error_code, 'SVC.0404');
  });

  it('renders RFC 9457 problem details when asked', () => {
    const p = problemDetails(err, { profile: 'dli', requestId: 'r-3', instance: '/streams/orders' });
    assert.deepEqual(p, {
      type: 'about:blank',
      title: 'NotFound',
      status: 404,
      detail: 'No stream named "orders".',
      instance: '/streams/orders',
      error_code: 'DLI.0404',
      request_id: 'r-3',
      resource: 'orders',
    });
  });

  it('chooses the form from Accept', () => {
    assert.equal(wantsProblem('application/problem+json, application/json;q=0.5'), true);
    assert.equal(wantsProblem('application/json'), false);
    assert.equal(wantsProblem(undefined), false);
    const plain = renderError(err, { requestId: 'r', accept: '*/*' });
    assert.equal(plain.contentType, 'application/json; charset=utf-8');
    const problem = renderError(err, { requestId: 'r', accept: 'application/problem+json' });
    assert.equal(problem.contentType, 'application/problem+json; charset=utf-8');
    assert.equal(JSON.parse(problem.body).status, 404);
  });

  it('renders 441 only under the dis profile', () => {
    const e = new StatusError(441, 'Signature does not match.');
    assert.equal(errorBody(e, { profile: 'dis', requestId: 'r' }).error_code, 'DIS.0441');
    assert.throws(
      () => errorBody(e, { profile: 'dcs', requestId: 'r' }),
      /only in the dis profile; under "dcs" answer 401/,
    );
  });
});
