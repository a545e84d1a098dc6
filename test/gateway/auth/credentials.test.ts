import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Profile } from '../../../src/catalog/index.ts';
import { SIGNED_BODY_STATE } from '../../../src/gateway/policies/auth/principal.ts';
import { type AuthOptions, createAuthGuard } from '../../../src/gateway/policies/guards/auth.ts';
import { signRequest } from '../../../src/signing.ts';
import { manualClock, type Served, send, serve } from '../limits/harness.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const AK = 'AKIDEXAMPLE01';
const SK = 'secret-key-of-sixteen+';

const BOTH = 'Bearer realm="statuskit", SDK-HMAC-SHA256 realm="statuskit"';

function options(clock: () => number): AuthOptions {
  return {
    apiKeys: [
      { key: 'key-admin-0001', id: 'admin' },
      { key: 'key-reader-0001', id: 'reader', allow: [{ path: '/items/:id', methods: ['GET'] }] },
    ],
    accessKeys: [{ accessKey: AK, secretKey: SK }],
    // These tests fail on purpose many times from one address; the failure limit has tests of its own (key-abuse).
    failureLimit: false,
    clock,
  };
}

async function withServer(profile: Profile) {
  const clock = manualClock(T0);
  const guard = createAuthGuard(options(clock));
  const server = await serve([guard], { profile });
  return { clock, guard, server };
}

function signed(port: number, init: { method?: string; path?: string; body?: string; secret?: string; date?: Date }) {
  const method = init.method ?? 'GET';
  const path = init.path ?? '/items/1';
  const headers: Record<string, string> = init.body === undefined ? {} : { 'Content-Type': 'application/json' };
  Object.assign(
    headers,
    signRequest({
      method,
      url: `http://127.0.0.1:${port}${path}`,
      headers,
      body: init.body,
      accessKey: AK,
      secretKey: init.secret ?? SK,
      date: init.date ?? new Date(T0),
    }),
  );
  return { method, path, headers, body: init.body };
}

for (const profile of ['generic', 'dis'] as const) {
  const verifyFail = profile === 'dis' ? 441 : 401;
  const prefix = profile === 'dis' ? 'DIS' : 'SVC';

  describe(`auth under the ${profile} profile`, () => {
    let s: Awaited<ReturnType<typeof withServer>>;
    let server: Served;
    before(async () => {
      s = await withServer(profile);
      server = s.server;
    });
    after(() => server.close());

    it('401 + WWW-Authenticate naming both schemes when credentials are missing', async () => {
      const r = await send(server.port, { path: '/items/1' });
      assert.equal(r.status, 401);
      assert.equal(r.headers['www-authenticate'], BOTH);
      assert.equal(r.json().error_code, `${prefix}.0401.MISSING`);
      const other = await send(server.port, { headers: { Authorization: 'Basic dXNlcjpwdw==' } });
      assert.equal(other.status, 401);
      assert.equal(other.headers['www-authenticate'], BOTH);
    });

    it('401 for malformed credentials, whatever the profile', async () => {
      const sig = signed(server.port, {});
      const cases: Record<string, string>[] = [
        { Authorization: 'SDK-HMAC-SHA256 Access=AK' },
        { ...sig.headers, Authorization: sig.headers.Authorization!.replace(/Signature=\w+/, 'Signature=nothex') },
        { ...sig.headers, 'X-Sdk-Date': 'yesterday' },
        { 'X-Api-Key': 'has spaces in it' },
        { 'X-Api-Key': 'key-admin-0001', Authorization: 'Bearer key-reader-0001' },
      ];
      for (const headers of cases) {
        const r = await send(server.port, { path: '/items/1', headers });
        assert.equal(r.status, 401, JSON.stringify(headers));
        assert.match(r.headers['www-authenticate'] as string, /^Bearer realm="statuskit"/);
        assert.equal(r.json().error_code, `${prefix}.0401.MALFORMED`);
      }
    });

    it('accepts an API key in X-Api-Key or as a Bearer token', async () => {
      const ways: Record<string, string>[] = [
        { 'X-Api-Key': 'key-admin-0001' },
        { Authorization: 'bearer key-admin-0001' },
      ];
      for (const headers of ways) {
        const r = await send(server.port, { path: '/items/1', headers });
        assert.equal(r.status, 200);
        assert.equal(r.json().principal, 'admin');
      }
    });

    it(`${verifyFail} for an unknown API key`, async () => {
      const r = await send(server.port, { headers: { 'X-Api-Key': 'key-nobody-0001' } });
      assert.equal(r.status, verifyFail);
      assert.equal(r.json().error_code, `${prefix}.0${verifyFail}.API_KEY`);
      if (verifyFail === 401) {
        assert.equal(
          r.headers['www-authenticate'],
          'Bearer realm="statuskit", error="invalid_token", SDK-HMAC-SHA256 realm="statuskit"',
        );
      }
    });

    it('accepts a valid signature, body included', async () => {
      const get = await send(server.port, signed(server.port, { path: '/items/7?b=2&a=1' }));
      assert.equal(get.status, 200);
      assert.equal(get.json().principal, AK);
      const post = await send(server.port, signed(server.port, { method: 'POST', path: '/upload', body: '{"a":1}' }));
      assert.equal(post.status, 200);
    });

    it(`${verifyFail} for a forged signature, a tampered body, an unknown access key, a stale date`, async () => {
      const forged = await send(server.port, signed(server.port, { secret: 'not-the-secret-key!!' }));
      assert.equal(forged.status, verifyFail);
      assert.equal(forged.json().error_code, `${prefix}.0${verifyFail}.SIGNATURE`);
      if (verifyFail === 401)
        assert.equal(
          forged.headers['www-authenticate'],
          BOTH,
          'a failed signature is no reason to call a Bearer token invalid',
        );

      const tampered = signed(server.port, { method: 'POST', path: '/upload', body: '{"a":1}' });
      const t = await send(server.port, { ...tampered, body: '{"a":2}' });
      assert.equal(t.status, verifyFail);
      assert.equal(t.json().error_code, `${prefix}.0${verifyFail}.SIGNATURE`);

      const unknown = signed(server.port, {});
      unknown.headers.Authorization = unknown.headers.Authorization!.replace(AK, 'AKIDUNKNOWN');
      assert.equal((await send(server.port, unknown)).json().error_code, `${prefix}.0${verifyFail}.ACCESS_KEY`);

      const stale = await send(server.port, signed(server.port, { date: new Date(T0 - 15 * 60_000 - 1000) }));
      assert.equal(stale.status, verifyFail);
      assert.equal(stale.json().error_code, `${prefix}.0${verifyFail}.DATE`);
      const edge = await send(server.port, signed(server.port, { date: new Date(T0 + 15 * 60_000) }));
      assert.equal(edge.status, 200, 'exactly 15 min of skew is still inside the window');
    });

    it(`${verifyFail} for a replayed signature`, async () => {
      const req = signed(server.port, { path: '/items/replay' });
      assert.equal((await send(server.port, req)).status, 200);
      const again = await send(server.port, req);
      assert.equal(again.status, verifyFail);
      assert.equal(again.json().error_code, `${prefix}.0${verifyFail}.REPLAY`);
    });

    it('403 when the key may not use this route or method', async () => {
      const reader = { 'X-Api-Key': 'key-reader-0001' };
      assert.equal((await send(server.port, { path: '/items/3', headers: reader })).status, 200);
      const del = await send(server.port, { method: 'DELETE', path: '/items/3', headers: reader });
      assert.equal(del.status, 403);
      assert.equal(del.json().error_code, `${prefix}.0403`);
      assert.equal(del.headers['www-authenticate'], undefined);
      assert.equal((await send(server.port, { path: '/elsewhere', headers: reader })).status, 403);
    });
  });
}

describe('signed bodies', () => {
  it('reads a signed body once and leaves the bytes for the handler', async () => {
    const seen: unknown[] = [];
    const guard = createAuthGuard({ accessKeys: [{ accessKey: AK, secretKey: SK }], clock: () => T0 });
    const server = await serve([guard], {
      onRequest: (ctx) => void seen.push((ctx.state[SIGNED_BODY_STATE] as Buffer | undefined)?.toString()),
    });
    try {
      const post = signed(server.port, { method: 'POST', path: '/upload', body: '{"n":42}' });
      assert.equal((await send(server.port, post)).status, 200);
      assert.equal((await send(server.port, signed(server.port, { path: '/items/2' }))).status, 200);
      assert.deepEqual(seen, ['{"n":42}', undefined]);
    } finally {
      await server.close();
    }
  });

  it('is synchronous for API keys', () => {
    const guard = createAuthGuard({ apiKeys: [{ key: 'key-admin-0001', id: 'admin' }] });
    const state: Record<string, unknown> = {};
    const ctx = { method: 'GET', path: '/x', req: { headers: { 'x-api-key': 'key-admin-0001' } }, state };
    assert.equal(guard(ctx as never), undefined);
    assert.deepEqual(state.principal, { scheme: 'api-key', id: 'admin' });
  });
});

describe('auth route rules', () => {
  it('leaves unprotected routes open and names only the schemes a route accepts', async () => {
    const guard = createAuthGuard({
      apiKeys: [{ key: 'key-admin-0001', id: 'admin' }],
      accessKeys: [{ accessKey: AK, secretKey: SK }],
      protect: [
        { path: '/items/:id', schemes: ['signature'] },
        { path: '/admin/*', methods: ['POST'] },
      ],
    });
    const server = await serve([guard]);
    try {
      assert.equal((await send(server.port, { path: '/open' })).status, 200);
      assert.equal((await send(server.port, { path: '/admin/x' })).status, 200, 'GET is not protected there');
      const post = await send(server.port, { method: 'POST', path: '/admin/x' });
      assert.equal(post.headers['www-authenticate'], BOTH);
      const item = await send(server.port, { path: '/items/1', headers: { 'X-Api-Key': 'key-admin-0001' } });
      assert.equal(item.status, 401, 'an API key is not accepted where only signatures are');
      assert.equal(item.headers['www-authenticate'], 'SDK-HMAC-SHA256 realm="statuskit"');
    } finally {
      await server.close();
    }
  });

  it('refuses a configuration it cannot enforce, naming the field', () => {
    assert.throws(() => createAuthGuard({}), /apiKeys \/ accessKeys/);
    assert.throws(() => createAuthGuard({ apiKeys: [{ key: 'a b', id: 'x' }] }), /apiKeys\[0\]\.key/);
    assert.throws(
      () =>
        createAuthGuard({
          apiKeys: [
            { key: 'k1', id: 'x' },
            { key: 'k2', id: 'x' },
          ],
        }),
      /apiKeys\[1\]\.id/,
    );
    assert.throws(() => createAuthGuard({ accessKeys: [{ accessKey: AK, secretKey: 'short' }] }), /secretKey/);
    assert.throws(
      () => createAuthGuard({ apiKeys: [{ key: 'k1', id: 'x' }], protect: [{ path: '/a', schemes: ['signature'] }] }),
      /protect\[0\]\.schemes/,
    );
    assert.throws(
      () => createAuthGuard({ apiKeys: [{ key: 'k1', id: 'x', allow: [{ path: 'nope' }] }] }),
      /apiKeys\[0\]\.allow\[0\]\.path/,
    );
  });
});
