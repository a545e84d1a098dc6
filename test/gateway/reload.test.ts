/**
 * Reload in place (src/gateway/reload.ts): under a bounded loop of requests,
 * some slow, none is dropped; in-flight ones finish on the old routes, later
 * ones — kept-alive connections included — get the new ones; unchanged
 * policies keep their counts; a listener change is refused and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { checkGatewayConfig } from '../../src/gateway/config/index.ts';
import type { Gateway } from '../../src/gateway/gateway.ts';
import { ReloadError, reloadGateway } from '../../src/gateway/reload.ts';
import { type RunningGateway, startGateway, startUpstream, type Upstream } from './support.ts';

describe('reload without dropping a request', () => {
  let a: Upstream;
  let b: Upstream;
  let running: RunningGateway;
  let current: Gateway;
  const agent = new Agent({ connections: 4 });
  before(async () => {
    a = await startUpstream((req, res) => {
      if (req.url?.startsWith('/slow')) setTimeout(() => res.end('A-slow'), 400);
      else res.end('A');
    });
    b = await startUpstream((_req, res) => res.end('B'));
    running = await startGateway({
      routes: [{ path: '/', targets: [a.url] }],
      policies: {
        rateLimit: {
          limit: 1000,
          window: '60s',
          key: 'ip',
          limits: [{ name: 'few', limit: 5, window: '60s', routes: [{ path: '/few' }] }],
        },
      },
    });
    current = running.gw;
  });
  after(async () => {
    await current.shutdown(0);
    await agent.close();
    await a.close();
    await b.close();
  });
  const get = async (path: string) => {
    const res = await request(`${running.url}${path}`, { dispatcher: agent });
    return { status: res.statusCode, body: await res.body.text() };
  };
  const config = (raw: Record<string, unknown>) =>
    checkGatewayConfig({ listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 }, ...raw });

  it('swaps the routes under load: in-flight on the old, the rest on the new, nothing lost', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await get('/few')).status, 200);
    const slow = [get('/slow/1'), get('/slow/2')];
    const loop = (async () => {
      const out: { status: number; body: string }[] = [];
      for (let i = 0; i < 40; i++) out.push(await get(`/n/${i}`));
      return out;
    })();
    await new Promise((resolve) => setTimeout(resolve, 50));
    current = await reloadGateway(
      current,
      config({
        routes: [
          { path: '/', targets: [b.url] },
          { path: '/new', targets: [b.url] },
        ],
        policies: {
          rateLimit: {
            limit: 1000,
            window: '60s',
            key: 'ip',
            limits: [{ name: 'few', limit: 5, window: '60s', routes: [{ path: '/few' }] }],
          },
        },
      }),
    );
    const answers = [...(await Promise.all(slow)), ...(await loop)];
    assert.ok(
      answers.every((r) => r.status === 200),
      JSON.stringify(answers.filter((r) => r.status !== 200)),
    );
    assert.deepEqual(
      (await Promise.all(slow)).map((r) => r.body),
      ['A-slow', 'A-slow'],
    );
    // On the same kept-alive connections, after the swap: the new routes.
    assert.equal((await get('/n/after')).body, 'B');
    assert.equal((await get('/new/x')).status, 200);
    // The unchanged policies kept their counts: 3 used before, 2 left.
    assert.deepEqual(
      [(await get('/few')).status, (await get('/few')).status, (await get('/few')).status],
      [200, 200, 429],
    );
    // Metrics kept counting across the swap.
    const text = await (await fetch(`${running.adminUrl}/metrics`)).text();
    const total = [...text.matchAll(/^statuskit_gateway_requests_total\{route="\/",code="200"\} (\d+)$/gm)].map((m) =>
      Number(m[1]),
    );
    assert.ok((total[0] ?? 0) >= 45, text.slice(0, 400));
  });

  it('refuses a change of the listener and keeps serving as before', async () => {
    await assert.rejects(
      reloadGateway(
        current,
        checkGatewayConfig({ listen: { host: '127.0.0.1', port: 1 }, routes: [{ path: '/', targets: [a.url] }] }),
      ),
      (err: Error) => err instanceof ReloadError && /listen changed/.test(err.message),
    );
    assert.equal((await get('/n/still')).body, 'B');
  });
});

describe('reload re-reads the certificates', () => {
  it('new handshakes get the certificate the files hold now', async (t) => {
    const { copyFileSync, rmSync } = await import('node:fs');
    const { connect } = await import('node:tls');
    const { X509Certificate } = await import('node:crypto');
    const { makeCert } = await import('./tls-support.ts');
    const first = makeCert();
    const second = makeCert();
    t.after(() => {
      rmSync(first.dir, { recursive: true, force: true });
      rmSync(second.dir, { recursive: true, force: true });
    });
    const upstream = await startUpstream((_req, res) => res.end('ok'));
    t.after(() => upstream.close());
    const raw = {
      listen: { host: '127.0.0.1', port: 0, tls: { cert: first.cert, key: first.key } },
      admin: false,
      routes: [{ path: '/', targets: [upstream.url] }],
    };
    const running = await startGateway(raw);
    let gw: Gateway = running.gw;
    t.after(() => gw.shutdown(0));
    const served = () =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(
          { host: '127.0.0.1', port: running.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] },
          () => {
            const fp = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
            socket.destroy();
            resolve(fp);
          },
        );
        socket.on('error', reject);
      });
    const fingerprint = (pem: Buffer) => new X509Certificate(pem).fingerprint256;
    assert.equal(await served(), fingerprint(first.pem));
    copyFileSync(second.cert, first.cert);
    copyFileSync(second.key, first.key);
    gw = await reloadGateway(gw, checkGatewayConfig(raw));
    assert.equal(await served(), fingerprint(second.pem));
  });
});
