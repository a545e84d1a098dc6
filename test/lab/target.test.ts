import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TargetDescription, WELL_KNOWN_TARGET } from '../../src/check/target.ts';
import { assertContract, json, type TestLab, testLab } from './support/lab.ts';

/** The lab's self-description must be true: every path in it does what the field promises. */
describe('lab target description', () => {
  let lab: TestLab;
  let target: TargetDescription;
  before(async () => {
    lab = await testLab({ profile: 'dli', rateLimit: 3 });
    target = json(await lab.send('GET', WELL_KNOWN_TARGET)) as TargetDescription;
  });
  after(() => lab.close());
  const path = (p: string | undefined) => {
    assert.ok(p, 'the lab describes this probe');
    return p;
  };
  const post = (body: string, headers: Record<string, string> = {}) =>
    lab.send('POST', path(target.collection), { 'Content-Type': 'application/json', ...headers }, body);

  it('is served at the well-known path with the lab’s profile', () => {
    assert.equal(target.profile, 'dli');
    assert.deepEqual(target, JSON.parse(JSON.stringify(lab.lab.target)));
  });

  it('resource: GET with ETag and Last-Modified, PUT with If-Match', async () => {
    const got = await lab.send('GET', path(target.resource));
    assertContract(got, 200, 'dli');
    assert.ok(got.headers.etag && got.headers['last-modified']);
    const put = await lab.send(
      'PUT',
      path(target.resource),
      { 'Content-Type': 'application/json', 'If-Match': got.headers.etag as string },
      got.body.toString(),
    );
    assertContract(put, 200, 'dli');
    const stale = await lab.send(
      'PUT',
      path(target.resource),
      { 'Content-Type': 'application/json', 'If-Match': got.headers.etag as string },
      got.body.toString(),
    );
    assertContract(stale, 412, 'dli');
  });

  it('collection: validBody 201 every time, invalidBody 422, over bodyLimit 413, no length 411', async () => {
    assertContract(await post(JSON.stringify(target.validBody)), 201, 'dli');
    assertContract(await post(JSON.stringify(target.validBody)), 201, 'dli');
    assertContract(await post(JSON.stringify(target.invalidBody)), 422, 'dli');
    assertContract(await post('', { 'Content-Length': String((target.bodyLimit as number) + 1) }), 413, 'dli');
    assert.equal(target.requiresLength, true);
    assertContract(await post('0\r\n\r\n', { 'Transfer-Encoding': 'chunked' }), 411, 'dli');
  });

  it('getOnly, blob, redirect, error, jsonOnly, slow, limited', async () => {
    assertContract(await lab.send('DELETE', path(target.getOnly)), 405, 'dli');
    assertContract(await lab.send('GET', path(target.blob), { Range: 'bytes=0-0' }), 206, 'dli');
    const redirect = await lab.send('GET', path(target.redirect));
    assert.ok(redirect.status >= 300 && redirect.status < 400 && redirect.headers.location);
    assertContract(await lab.send('GET', path(target.error)), 500, 'dli');
    assertContract(await lab.send('GET', path(target.jsonOnly), { Accept: 'image/png' }), 406, 'dli');
    assertContract(await lab.send('GET', path(target.slow), { 'X-Request-Timeout': '20' }), 504, 'dli');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await lab.send('GET', path(target.limited))).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
  });
});
