import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertContract, type TestLab, testLab } from './support/lab.ts';

describe('lab failure routes', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab({ rateLimit: 2, rateWindow: 10_000, maintenanceRetryAfter: 90 });
  });
  after(() => lab.close());

  it('500 without leaking the failure', async () => {
    const r = await lab.send('GET', '/fail');
    const body = assertContract(r, 500);
    const text = r.body.toString();
    for (const leak of ['hunter2', 'secret.db', '/var/lib', 'Error', '.ts:']) assert.ok(!text.includes(leak), leak);
    assert.deepEqual(Object.keys(body).sort(), ['error_code', 'error_msg', 'request_id']);
  });

  it('504 when X-Request-Timeout passes before the slow route answers', async () => {
    // The injected sleep only ends when the deadline aborts it: no timing race.
    assertContract(await lab.send('GET', '/slow', { 'X-Request-Timeout': '30' }), 504);
    assertContract(await lab.send('GET', '/slow?timeout=30'), 504);
  });

  it('400 for a slow delay that is not a whole number of ms', async () => {
    assertContract(await lab.send('GET', '/slow?ms=soon'), 400);
  });

  it('503 + Retry-After on the maintenance route', async () => {
    const r = await lab.send('GET', '/maintenance');
    assertContract(r, 503);
    assert.equal(r.headers['retry-after'], '90');
  });

  it('429 + Retry-After + RateLimit fields past the limit, and again after the window', async () => {
    const first = await lab.send('GET', '/limited');
    assertContract(first, 200);
    assert.equal(first.headers['ratelimit-policy'], '"lab";q=2;w=10');
    assert.equal(first.headers.ratelimit, '"lab";r=1;t=10');
    assertContract(await lab.send('GET', '/limited'), 200);
    lab.clock.advance(4000);
    const over = await lab.send('GET', '/limited');
    assertContract(over, 429);
    assert.equal(over.headers['retry-after'], '6');
    assert.equal(over.headers.ratelimit, '"lab";r=0;t=6');
    lab.clock.advance(6000);
    assertContract(await lab.send('GET', '/limited'), 200);
  });

  it('?fields= asks for an older generation; problem+json names the violated policy', async () => {
    lab.clock.advance(10_000);
    const x = await lab.send('GET', '/limited?fields=x-ratelimit');
    assertContract(x, 200);
    assert.equal(x.headers['x-ratelimit-remaining'], '1');
    assert.equal(x.headers.ratelimit, undefined);
    const d7 = await lab.send('GET', '/limited?fields=draft-07');
    assert.equal(d7.headers.ratelimit, 'limit=2, remaining=0, reset=10');
    // /limited produces JSON: a client that takes both gets its error as problem+json.
    const over = await lab.send('GET', '/limited', { Accept: 'application/json, application/problem+json' });
    assert.equal(over.status, 429);
    const problem = JSON.parse(over.body.toString()) as Record<string, unknown>;
    assert.equal(problem.type, 'https://iana.org/assignments/http-problem-types#quota-exceeded');
    assert.deepEqual(problem['violated-policies'], ['lab']);
    assertContract(await lab.send('GET', '/limited?fields=draft-99'), 400);
  });

  it('404 for a route that does not exist, 501 for a method nobody implements', async () => {
    assertContract(await lab.send('GET', '/no/such/route'), 404);
    assertContract(await lab.send('BREW', '/'), 501);
  });
});

describe('lab private note: 401, 403, 441', () => {
  let generic: TestLab;
  let dis: TestLab;
  before(async () => {
    generic = await testLab();
    dis = await testLab({ profile: 'dis' });
  });
  after(() => Promise.all([generic.close(), dis.close()]));

  const put = (lab: TestLab, token: string) =>
    lab.send(
      'PUT',
      '/private',
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      '{"text":"new"}',
    );

  it('401 + WWW-Authenticate without credentials or with malformed ones', async () => {
    const none = await generic.send('GET', '/private');
    assertContract(none, 401);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="statuskit-lab"');
    const malformed = await generic.send('GET', '/private', { Authorization: 'Basic' });
    assertContract(malformed, 401);
    assert.match(malformed.headers['www-authenticate'] ?? '', /error="invalid_request"/);
  });

  it('well-formed but unknown token: 401 under generic, 441 under dis', async () => {
    const r = await generic.send('GET', '/private', { Authorization: 'Bearer nobody' });
    assertContract(r, 401);
    assert.match(r.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    const d = await dis.send('GET', '/private', { Authorization: 'Bearer nobody' });
    assert.equal(assertContract(d, 441, 'dis').error_code, 'DIS.0441.TOKEN');
  });

  it('200 for a reader, 403 when a reader writes, 200 when a writer does', async () => {
    assertContract(await generic.send('GET', '/private', { Authorization: 'Bearer lab-reader' }), 200);
    assertContract(await put(generic, 'lab-reader'), 403);
    const ok = assertContract(await put(generic, 'lab-writer'), 200);
    assert.equal(ok.text, 'new');
  });
});
