/**
 * Issue 14's bypasses, as an attacker sends them, through a real `statuskit
 * serve` with an auth `protect` rule on /admin/* in front of upstreams that
 * read paths leniently: a Hono app (whose node adapter resolves dot segments
 * through WHATWG URL) and a plain node server that decodes everything, drops
 * path parameters, treats "\" as "/" and resolves dot segments. Without
 * credentials, none of them may ever yield the protected body.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { type ServeProcess, startServe } from './process.ts';
import { completeByLength, rawExchange, startUpstream, type Upstream } from './support.ts';

const SECRET = 'top-secret-payload';
const KEY = 'admin-key-0123456789';

/** What an upstream that forgives everything serves at a request target. */
function lenientPath(url: string): string {
  let path = url.replace(/^[a-z]+:\/\/[^/]*/i, '').split('?')[0] ?? '/';
  try {
    path = decodeURIComponent(path);
  } catch {}
  path = path.replace(/\\/g, '/').replace(/;[^/]*/g, '');
  return posix.normalize(path).replace(/\/{2,}/g, '/');
}

const BYPASSES = [
  '/admin/secret',
  '/x/../admin/secret',
  '/./admin/secret',
  '/admin/./secret',
  '//admin/secret',
  '///admin//secret',
  '/%61dmin/secret',
  '/%61%64%6D%69%6E/secret',
  '/admin%2fsecret',
  '/admin%2Fsecret',
  '/admin%5csecret',
  '/admin;x/secret',
  '/admin;/secret',
  '/public/..;/admin/secret',
  '/%2e/admin/secret',
  '/public/%2e%2e/admin/secret',
  '/public/..%2fadmin/secret',
  '/public/..%5cadmin/secret',
  '/admin\\secret',
  '/public\\..\\admin\\secret',
  'http://evil.example/admin/secret',
  'http://127.0.0.1/x/../admin/secret',
];

describe('a protect rule cannot be walked around through statuskit serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-canonical-'));
  let lenient: Upstream;
  let hono: Server;
  let honoUrl: string;
  let viaLenient: ServeProcess;
  let viaHono: ServeProcess;

  before(async () => {
    lenient = await startUpstream((req, res) => {
      const path = lenientPath(req.url ?? '/');
      res.setHeader('content-type', 'text/plain');
      res.end(path === '/admin/secret' ? SECRET : `public ${path}`);
    });
    const app = new Hono();
    app.get('/admin/secret', (c) => c.text(SECRET));
    app.get('*', (c) => c.text(`public ${c.req.path}`));
    hono = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((resolve) => hono.once('listening', resolve));
    honoUrl = `http://127.0.0.1:${(hono.address() as AddressInfo).port}`;
    const config = (target: string, name: string): string => {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(
        file,
        [
          'routes:',
          `  - { path: /api, targets: ["${lenient.url}/v1"], stripPrefix: true }`,
          `  - { path: /, targets: ["${target}"] }`,
          'policies:',
          '  auth:',
          `    apiKeys: [{ id: admin, key: ${KEY} }]`,
          '    protect: [{ path: /admin/* }]',
        ].join('\n'),
      );
      return file;
    };
    const args = (file: string) => ['--config', file, '--port', '0', '--admin-port', '0', '--log-level', 'warn'];
    [viaLenient, viaHono] = await Promise.all([
      startServe(args(config(lenient.url, 'lenient'))),
      startServe(args(config(honoUrl, 'hono'))),
    ]);
  });
  after(async () => {
    await Promise.all([viaLenient?.stop(), viaHono?.stop()]);
    await lenient.close();
    await new Promise((resolve) => hono.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const send = (gw: ServeProcess, target: string, headers: string[] = []) =>
    rawExchange(
      Number(new URL(gw.url).port),
      `GET ${target} HTTP/1.1\r\nHost: gw.test\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
      completeByLength,
    );

  for (const name of ['lenient', 'hono'] as const) {
    it(`every spelling of /admin/secret is 401 or 400 without credentials (${name} upstream)`, async () => {
      const gw = name === 'lenient' ? viaLenient : viaHono;
      for (const target of BYPASSES) {
        const res = await send(gw, target);
        assert.ok(res.status === 401 || res.status === 400, `${target}: ${res.status} ${res.body}`);
        assert.ok(!res.body.includes(SECRET), `${target} leaked the protected body`);
        const body = JSON.parse(res.body) as { error_code: string };
        assert.match(body.error_code, /^SVC\.040[01](\.|$)/, target);
      }
    });

    it(`with the key, the canonical spellings reach the protected resource (${name} upstream)`, async () => {
      const gw = name === 'lenient' ? viaLenient : viaHono;
      for (const target of ['/admin/secret', '/x/../admin/secret', '//admin/secret', '/%61dmin/secret']) {
        const res = await send(gw, target, [`X-Api-Key: ${KEY}`]);
        assert.equal(res.status, 200, `${target}: ${res.status} ${res.body}`);
        assert.equal(res.body, SECRET, target);
      }
    });
  }

  it('the path sent upstream never leaves the target base path, and is origin-form', async () => {
    const before = lenient.seen.length;
    for (const target of [
      '/api/../../etc/passwd',
      '/api/..%2F..%2Fetc/passwd',
      '/api/%2e%2e/%2e%2e/etc/passwd',
      '/api/x/../../../etc',
    ]) {
      const res = await send(viaLenient, target);
      assert.equal(res.status, 400, `${target}: ${res.status} ${res.body}`);
    }
    const ok = await send(viaLenient, '/api/a/../items?x=1');
    assert.equal(ok.status, 200);
    assert.equal(ok.body, 'public /v1/items');
    const abs = await send(viaLenient, `http://evil.example/api/items?q=1`);
    assert.equal(abs.status, 200);
    const seen = lenient.seen.slice(before);
    assert.deepEqual(
      seen.map((s) => s.url),
      ['/v1/items?x=1', '/v1/items?q=1'],
    );
    // Absolute-form: the upstream gets origin-form, its own Host, and the request's authority as X-Forwarded-Host.
    assert.equal(seen[1]?.headers.host, `127.0.0.1:${lenient.port}`);
    assert.equal(seen[1]?.headers['x-forwarded-host'], 'evil.example');
  });

  it('an absolute-form request on a plain route is forwarded in origin-form', async () => {
    const before = lenient.seen.length;
    const res = await send(viaLenient, 'http://evil.example/abs?x=1');
    assert.equal(res.status, 200);
    assert.equal(lenient.seen[before]?.url, '/abs?x=1');
  });
});
