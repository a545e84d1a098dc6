import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PROFILE_IDS, type Profile, profileEntries } from '../../src/catalog/index.ts';
import { assertContract, json, type TestLab, testLab } from './support/lab.ts';

const labs = new Map<Profile, TestLab>();
before(async () => {
  for (const p of PROFILE_IDS) labs.set(p, await testLab({ profile: p }));
});
after(() => Promise.all([...labs.values()].map((l) => l.close())));
const lab = (p: Profile) => labs.get(p) as TestLab;

for (const profile of PROFILE_IDS) {
  describe(`/status/{code} under ${profile}`, () => {
    for (const entry of profileEntries(profile)) {
      const code = entry.code;
      if (code === 100 || code === 101) continue; // interim codes: below
      if (entry.guidance === 'never-issued') {
        it(`${code}: 404 saying the contract never issues it`, async () => {
          const body = assertContract(await lab(profile).send('GET', `/status/${code}`), 404, profile);
          assert.match(body.error_msg as string, new RegExp(`^${code} .* never issued`));
        });
        continue;
      }
      it(`${code}: the status with the headers the catalog requires`, async () => {
        // 415's Accept-Post applies to POST: ask for it with one.
        const method = code === 415 ? 'POST' : 'GET';
        const r = await lab(profile).send(method, `/status/${code}`);
        const body = assertContract(r, code, profile);
        if (code === 415) assert.equal(r.headers['accept-post'], 'application/json');
        if (code === 206) assert.equal(r.body.toString(), 'abcdefghij');
        if (code >= 200 && code < 400 && entry.body && code !== 206) assert.equal(body.status, code);
        if (code === 503 || code === 413) assert.equal(r.headers['retry-after'], undefined, 'permanent unless asked');
      });
    }
  });
}

describe('/status/{code}: profiles, conditional headers, refusals', () => {
  it('441 only under dis; elsewhere 404 saying so', async () => {
    assertContract(await lab('dis').send('GET', '/status/441'), 441, 'dis');
    const body = assertContract(await lab('dcs').send('GET', '/status/441'), 404, 'dcs');
    assert.match(body.error_msg as string, /listed only by the dis table/);
    assert.equal(body.error_code, 'DCS.0404.NOT_ISSUED');
  });

  it('codes outside the contract and non-codes: 404 saying why', async () => {
    const teapot = assertContract(await lab('generic').send('GET', '/status/418'), 404);
    assert.match(
      teapot.error_msg as string,
      /418 is not a code of the statuskit contract.*nearest contract codes: 417/,
    );
    const word = assertContract(await lab('generic').send('GET', '/status/ok'), 404);
    assert.match(word.error_msg as string, /is not a status code/);
  });

  it('Retry-After on 503, 413 and 429 when asked with ?retry_after=', async () => {
    for (const code of [503, 413, 429]) {
      const r = await lab('generic').send('GET', `/status/${code}?retry_after=30`);
      assertContract(r, code);
      assert.equal(r.headers['retry-after'], '30', String(code));
    }
    assertContract(await lab('generic').send('GET', '/status/503?retry_after=-1'), 400);
  });

  it('405 names the route’s methods in Allow; 415 on PATCH names Accept-Patch', async () => {
    const r = await lab('generic').send('DELETE', '/status/405');
    assertContract(r, 405);
    assert.equal(r.headers.allow, 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS');
    // The same list the front gives OPTIONS on that route.
    assert.equal((await lab('generic').send('OPTIONS', '/status/405')).headers.allow, r.headers.allow);
    const p = await lab('generic').send('PATCH', '/status/415', { 'Content-Type': 'text/plain' }, 'x');
    assertContract(p, 415);
    assert.equal(p.headers['accept-patch'], 'application/json');
  });

  it('problem+json when the client asks for it; no body for HEAD', async () => {
    const r = await lab('dli').send('GET', '/status/409', { Accept: 'application/problem+json' });
    assert.equal(r.status, 409);
    const p = json(r);
    assert.equal(p.status, 409);
    assert.equal(p.error_code, 'DLI.0409');
    const head = await lab('generic').send('HEAD', '/status/404');
    assert.equal(head.status, 404);
    assert.equal(head.body.length, 0);
  });

  it('100: the interim 100 before the final 200 when the request expects it, none otherwise', async () => {
    const r = await lab('generic').send('POST', '/status/100', { Expect: '100-continue' }, 'body');
    assert.deepEqual(
      r.interim.map((i) => i.status),
      [100],
    );
    assert.deepEqual(assertContract(r, 200).interim, [100]);
    const plain = await lab('generic').send('GET', '/status/100');
    assert.equal(plain.interim.length, 0);
    assert.deepEqual(assertContract(plain, 200).interim, []);
  });

  it('101 without an Upgrade request: 400 saying how to ask', async () => {
    const body = assertContract(await lab('generic').send('GET', '/status/101'), 400);
    assert.match(body.error_msg as string, /Upgrade: websocket/);
  });
});
