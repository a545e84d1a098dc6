/**
 * Requests signed by the official Huawei Cloud Node SDK (`@huaweicloud/huaweicloud-sdk-core`,
 * AKSKSigner) through `statuskit serve` (a child process) with signature auth, profile dis,
 * in front of a real upstream: each is 200; a tampered one is 441 with the contract's body.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import { DefaultHttpClient } from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import { type SdkRequest, type SignedBySdk, signWithSdk } from '../../support/node-sdk.ts';
import { type ServeProcess, startServe } from '../process.ts';
import { startUpstream, type Upstream } from '../support.ts';

const KEYS = { accessKey: 'AK-node-sdk-01', secretKey: 'SK-node-sdk-secret-0001' };

interface Answer {
  status: number;
  body: string;
}

/** Sends exactly what was signed: the target, the headers and the body bytes. */
function send(base: string, r: SignedBySdk): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method: r.method, path: r.target, headers: r.headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(r.body);
  });
}

const CASES: Record<string, SdkRequest> = {
  'plain path': { method: 'GET', path: '/v1/items' },
  'repeated query keys': { method: 'GET', path: '/v1/items', query: { tag: ['b', 'a', 'c'], limit: '10' } },
  'reserved characters in the query': {
    method: 'GET',
    path: '/v1/search',
    query: { q: 'a b+c&d=e/f?g#h', 'x[y]': "it's (1)*", empty: '' },
  },
  'JSON body POST': { method: 'POST', path: '/v1/items', data: { name: 'a b', tags: ['x', 'y'], n: 1.5 } },
  'path with an escaped space (%20)': { method: 'GET', path: '/v1/items/a%20b' },
  'path with an escaped plus (%2B)': { method: 'GET', path: '/v1/items/a%2Bb' },
  'path with a raw space (the SDK escapes, then encodes again)': { method: 'GET', path: '/v1/items/x y' },
  'path with UTF-8 percent-encoded non-ASCII': { method: 'GET', path: '/v1/items/caf%C3%A9/%E4%B8%AD' },
  'path with raw non-ASCII': { method: 'PUT', path: '/v1/items/café', data: { v: 'ü' } },
  'path with a quote (url.parse escapes it)': { method: 'GET', path: "/v1/items/it's" },
  'trailing slash': { method: 'DELETE', path: '/v1/items/7/' },
};

describe('the official Node SDK signer through statuskit serve (dis)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'statuskit-node-sdk-'));
  let upstream: Upstream;
  let gw: ServeProcess;

  before(async () => {
    upstream = await startUpstream((req, res) => {
      const hash = createHash('sha256');
      req.on('data', (c) => hash.update(c));
      req.on('end', () => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ method: req.method, url: req.url, body: hash.digest('hex') }));
      });
    });
    const file = join(dir, 'gateway.yaml');
    writeFileSync(
      file,
      [
        'profile: dis',
        'routes:',
        `  - { path: /, targets: [${upstream.url}] }`,
        'policies:',
        '  auth:',
        `    accessKeys: [{ accessKey: ${KEYS.accessKey}, secretKey: ${KEYS.secretKey} }]`,
      ].join('\n'),
    );
    gw = await startServe(['--config', file, '--port', '0', '--admin-port', '0', '--log-level', 'warn']);
  });
  after(async () => {
    await gw?.stop();
    await upstream?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, c] of Object.entries(CASES)) {
    it(`200: ${name}`, async () => {
      const signed = await signWithSdk(gw.url, KEYS, c);
      const res = await send(gw.url, signed);
      assert.equal(res.status, 200, `${signed.method} ${signed.target}: ${res.body}`);
      const seen = JSON.parse(res.body) as { method: string; url: string; body: string };
      assert.equal(seen.method, c.method);
      const sha = createHash('sha256')
        .update(signed.body ?? '')
        .digest('hex');
      assert.equal(seen.body, sha, 'the signed body reaches the upstream intact');
    });
  }

  const tampered: Record<string, (s: SignedBySdk) => SignedBySdk> = {
    'a byte of the body changed': (s) => ({ ...s, body: (s.body as string).replace('a b', 'a c') }),
    'the path changed': (s) => ({ ...s, target: s.target.replace('/v1/items', '/v1/itemz') }),
    'the query changed': (s) => ({ ...s, target: s.target.replace('n=1', 'n=2') }),
    'the date changed': (s) => {
      const d = s.headers['X-Sdk-Date'] as string;
      const next = String((Number(d.slice(13, 15)) + 1) % 60).padStart(2, '0');
      return { ...s, headers: { ...s.headers, 'X-Sdk-Date': `${d.slice(0, 13)}${next}Z` } };
    },
    // Form 1 of a%2520b is the Node SDK's form of a%20b: refused, or one signature covers both.
    "the path's %20 re-sent as %2520": (s) => ({ ...s, target: s.target.replace('a%20b', 'a%2520b') }),
  };
  for (const [what, change] of Object.entries(tampered)) {
    it(`441 DIS.0441.SIGNATURE: ${what} after signing`, async () => {
      const signed = await signWithSdk(gw.url, KEYS, {
        method: 'POST',
        path: '/v1/items/a%20b',
        query: { n: '1' },
        data: { name: 'a b' },
      });
      const seen = upstream.seen.length;
      const res = await send(gw.url, change(signed));
      assert.equal(res.status, 441, res.body);
      const body = JSON.parse(res.body) as Record<string, unknown>;
      assert.equal(body.error_code, 'DIS.0441.SIGNATURE');
      assert.equal(typeof body.error_msg, 'string');
      assert.equal(typeof body.request_id, 'string');
      assert.equal(upstream.seen.length, seen, 'never forwarded');
    });
  }

  it("the SDK's own client (HcClient over axios) is answered 200", async () => {
    const cred = new BasicCredentials().withAk(KEYS.accessKey).withSk(KEYS.secretKey);
    const client = new HcClient(new DefaultHttpClient({}, [gw.url])).withCredential(cred).withEndpoints([gw.url]);
    const calls = [
      { method: 'GET', url: '/v2/items/{id}', pathParams: { id: 'a b' }, queryParams: { tag: ['y', 'x'] } },
      { method: 'GET', url: '/v2/items/{id}', pathParams: { id: 'caf%C3%A9' }, queryParams: {} },
      { method: 'POST', url: '/v2/items/{id}', pathParams: { id: 'café' }, queryParams: {}, data: { a: 1 } },
    ];
    for (const call of calls) {
      const res = (await client.sendRequest({ ...call, headers: {}, contentType: 'application/json' })) as {
        httpStatusCode: number;
        url: string;
      };
      assert.equal(res.httpStatusCode, 200, call.url);
    }
    assert.deepEqual(
      upstream.seen.slice(-3).map((s) => s.url),
      ['/v2/items/a%20b?tag=x&tag=y', '/v2/items/caf%C3%A9', '/v2/items/caf%C3%A9'],
    );
  });
});
