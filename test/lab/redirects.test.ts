import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertContract, json, type TestLab, testLab } from './support/lab.ts';

describe('lab redirects', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab();
  });
  after(() => lab.close());

  for (const code of [301, 302, 303]) {
    it(`${code} with Location to /redirected`, async () => {
      const r = await lab.send('GET', `/redirect/${code}`);
      assert.equal(assertContract(r, code).status, code);
      assert.equal(r.headers.location, '/redirected');
    });
  }

  for (const code of [307, 308]) {
    it(`${code} (outside the contract's tables) with Location, for any method`, async () => {
      const r = await lab.send('POST', `/redirect/${code}`, { 'Content-Type': 'text/plain' }, 'keep me');
      assert.equal(r.status, code);
      assert.equal(r.headers.location, '/redirected');
      assert.ok(r.headers['x-request-id']);
      assert.match(json(r).meaning as string, /same method and body/);
    });
  }

  it('follows to a chosen local path, and refuses an absolute or protocol-relative one (400)', async () => {
    assert.equal((await lab.send('GET', '/redirect/307?to=/streams')).headers.location, '/streams');
    assertContract(await lab.send('GET', '/redirect/302?to=//evil.example/'), 400);
    assertContract(await lab.send('GET', '/redirect/302?to=https://evil.example/'), 400);
    assertContract(await lab.send('GET', '/redirect/302?to=/%5Cevil.example'), 400);
    assertContract(await lab.send('GET', '/redirect/302?to=/a%0D%0ASet-Cookie:%20x=1'), 400);
    assertContract(await lab.send('GET', '/redirect/302?to=/%01'), 400);
  });

  it('404 for a redirect code it does not have', async () => {
    assertContract(await lab.send('GET', '/redirect/305'), 404);
  });

  it('the target shows what a client did with the method and body', async () => {
    const r = await lab.send('POST', '/redirected', { 'Content-Type': 'text/plain' }, 'hello');
    assert.deepEqual(assertContract(r, 200), { method: 'POST', path: '/redirected', body_bytes: 5 });
  });

  it('300 listing the choices in Link rel=alternate and in the body, without Location', async () => {
    const r = await lab.send('GET', '/report');
    const body = assertContract(r, 300);
    assert.equal(r.headers.location, undefined);
    assert.match(r.headers.link ?? '', /<\/report\.json>; rel="alternate"; type="application\/json"/);
    assert.match(r.headers.link ?? '', /<\/report\.csv>; rel="alternate"; type="text\/csv"/);
    assert.equal((body.choices as unknown[]).length, 2);
    const rows = json(await lab.send('GET', '/report.json')).codes as { code: number }[];
    assert.ok(rows.some((row) => row.code === 441));
    const csv = await lab.send('GET', '/report.csv');
    assert.match(csv.headers['content-type'] ?? '', /^text\/csv/);
    assert.match(csv.body.toString(), /^code,name,guidance\n100,Continue,done\n/);
  });
});
