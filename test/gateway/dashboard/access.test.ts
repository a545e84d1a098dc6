import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readGatewayConfig } from '../../../src/gateway/config/index.ts';
import { type RunningGateway, startGateway, startUpstream, type Upstream } from '../support.ts';
import { openEvents } from './sse.ts';

const TOKEN = 'dashboard-token-0123456789';

describe('admin.token in the configuration', () => {
  it('is read with the admin endpoint, and checked', () => {
    const ok = readGatewayConfig({ admin: { host: '0.0.0.0', port: 9091, token: TOKEN } });
    assert.deepEqual(ok.issues, []);
    assert.deepEqual(ok.config.admin, { host: '0.0.0.0', port: 9091, token: TOKEN });
    assert.deepEqual(readGatewayConfig({}).config.admin, { host: '127.0.0.1', port: 9090 }, 'no token by default');
    const short = readGatewayConfig({ admin: { token: 'abc' } });
    assert.deepEqual(short.issues, [
      { path: ['admin', 'token'], message: 'must be at least 16 characters long, got 3.' },
    ]);
    const spaced = readGatewayConfig({ admin: { token: 'has spaces in it, sixteen+' } });
    assert.match(spaced.issues[0]?.message ?? '', /bearer token/);
    assert.equal(readGatewayConfig({ admin: { token: 42 } }).issues[0]?.message, 'must be a non-empty string, got 42.');
    assert.match(readGatewayConfig({ admin: { tokn: TOKEN } }).issues[0]?.message ?? '', /Did you mean "token"/);
  });
});

describe('who may open the dashboard', () => {
  let upstream: Upstream;
  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('ok'));
  });
  after(() => upstream.close());

  const gateway = (admin: Record<string, unknown>): Promise<RunningGateway> =>
    startGateway({ routes: [{ path: '/', targets: [upstream.url] }], admin: { port: 0, ...admin } });
  // The admin port bound to every interface is reached here through loopback all the same.
  const local = (g: RunningGateway, path: string): string =>
    `http://127.0.0.1:${new URL(g.adminUrl ?? '').port}${path}`;

  it('on loopback without a token: open, as /metrics is', async (t) => {
    const g = await gateway({ host: '127.0.0.1' });
    t.after(() => g.close());
    for (const path of ['/', '/dashboard', '/dashboard/app.js', '/dashboard/app.css']) {
      const res = await fetch(local(g, path));
      assert.equal(res.status, 200, path);
      await res.arrayBuffer();
    }
    // HEAD of the stream: the head, then the end (it never joins the ticks).
    const head = await fetch(local(g, '/dashboard/events'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.match(head.headers.get('content-type') ?? '', /^text\/event-stream/);
    const page = await fetch(local(g, '/dashboard'));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
    assert.doesNotMatch(await page.text(), /https?:\/\/(?!www\.w3\.org)/, 'nothing loaded from elsewhere');
  });

  it('elsewhere without a token: 401 + WWW-Authenticate: Bearer with the error body; /metrics unchanged', async (t) => {
    const g = await gateway({ host: '0.0.0.0' });
    t.after(() => g.close());
    for (const path of ['/dashboard', '/dashboard/events']) {
      const res = await fetch(local(g, path));
      assert.equal(res.status, 401, path);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="statuskit-admin"/);
      const body = (await res.json()) as { error_code: string; error_msg: string };
      assert.equal(body.error_code, 'SVC.0401.ADMIN_TOKEN');
      assert.match(body.error_msg, /admin\.token/);
    }
    assert.equal((await fetch(local(g, '/metrics'))).status, 200);
  });

  it('with admin.token: the token as Bearer, as ?token= (kept in a cookie for the stream), or 401', async (t) => {
    const g = await gateway({ host: '0.0.0.0', token: TOKEN });
    t.after(() => g.close());
    assert.equal((await fetch(local(g, '/dashboard'))).status, 401);
    const wrong = await fetch(local(g, '/dashboard'), { headers: { authorization: 'Bearer not-the-token-at-all' } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.headers.get('www-authenticate') ?? '', /error="invalid_token"/);
    const bearer = await fetch(local(g, '/dashboard'), { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(bearer.status, 200);
    assert.equal(bearer.headers.get('set-cookie'), null);
    const query = await fetch(local(g, `/dashboard?token=${TOKEN}`));
    assert.equal(query.status, 200);
    const cookie = (query.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(query.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    const stream = await openEvents(local(g, '/dashboard/events'), { headers: { cookie } });
    t.after(() => stream.close());
    assert.equal(stream.res.status, 200);
    assert.equal((await stream.next()).retry, 2000);
  });
});
