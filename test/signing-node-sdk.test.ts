/**
 * statuskit's signer and verifier against the official Huawei Cloud Node SDK signer
 * (`@huaweicloud/huaweicloud-sdk-core` AKSKSigner), and the two canonical forms of a path.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  canonicalUri,
  nodeSdkCanonicalUri,
  signRequest,
  type VerifyOptions,
  verifiableUris,
  verifyRequest,
} from '../src/signing.ts';
import { type SdkRequest, signWithSdk } from './support/node-sdk.ts';

const KEYS = { accessKey: 'AK-node-sdk-01', secretKey: 'SK-node-sdk-secret-0001' };
const BASE = 'https://api.example.com:8443';
const SDK_DATE = '20240102T030405Z';
const DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));

/** Signed by the SDK at SDK_DATE (it keeps an X-Sdk-Date the request carries). */
const bySdk = (r: SdkRequest) => signWithSdk(BASE, KEYS, { ...r, headers: { 'X-Sdk-Date': SDK_DATE, ...r.headers } });

function verify(method: string, target: string, headers: Record<string, string>, body?: string, over?: object) {
  const options: VerifyOptions = {
    method,
    url: target,
    headers,
    body,
    secretFor: (ak) => (ak === KEYS.accessKey ? KEYS.secretKey : undefined),
    now: DATE.getTime(),
    ...over,
  };
  return verifyRequest(options);
}

/** Where the two signers compute the same canonical request. */
const AGREE: Record<string, SdkRequest> = {
  'plain path': { method: 'GET', path: '/v1/items' },
  root: { method: 'GET', path: '/' },
  'repeated query keys': { method: 'GET', path: '/v1/items', query: { tag: ['b', 'a'], limit: '10', empty: '' } },
  'reserved characters in the query': {
    method: 'GET',
    path: '/v1/s',
    query: { q: "a b+c&d=e/f?g#h'(*)!", 'x[y]': '~' },
  },
  'JSON body POST': { method: 'POST', path: '/v1/items', data: { name: 'a b', n: [1, 2] } },
  'raw non-ASCII path': { method: 'GET', path: '/v1/items/café/中' },
  'reserved characters in the path': { method: 'GET', path: '/v1/a+b/c=d;e,f:g@h!*()~-_.' },
  'trailing slash': { method: 'DELETE', path: '/v1/items/7/' },
  'another signed header': { method: 'GET', path: '/v1/items', headers: { 'X-Project-Id': 'p-1' } },
};

describe('statuskit signer = official Node SDK signer where they agree', () => {
  for (const [name, r] of Object.entries(AGREE)) {
    it(name, async () => {
      const sdk = await bySdk(r);
      const signHeaders = Object.keys(sdk.headers).filter((h) => !['host', 'X-Sdk-Date', 'Authorization'].includes(h));
      const mine = signRequest({
        method: r.method,
        url: `${BASE}${sdk.target}`,
        headers: sdk.headers,
        body: sdk.body,
        signHeaders,
        date: DATE,
        ...KEYS,
      });
      assert.equal(mine.Authorization, sdk.headers.Authorization);
      assert.equal(verify(r.method, sdk.target, sdk.headers, sdk.body).ok, true);
    });
  }
});

describe('a path with escapes: the SDK encodes it again, the verifier takes both forms', () => {
  it('signs %20 as %2520 (form 2); statuskit signs %20 (form 1); both verify', async () => {
    const sdk = await bySdk({ method: 'GET', path: '/v1/items/a%20b' });
    const mine = signRequest({ method: 'GET', url: `${BASE}/v1/items/a%20b`, date: DATE, ...KEYS });
    assert.notEqual(mine.Authorization, sdk.headers.Authorization);
    assert.equal(verify('GET', '/v1/items/a%20b', sdk.headers).ok, true);
    assert.equal(verify('GET', '/v1/items/a%20b', { ...mine, host: 'api.example.com:8443' }).ok, true);
  });

  it('the two forms', () => {
    assert.equal(canonicalUri('/v1/a%20b/caf%C3%A9'), '/v1/a%20b/caf%C3%A9/');
    assert.equal(nodeSdkCanonicalUri('/v1/a%20b/caf%C3%A9'), '/v1/a%2520b/caf%25C3%25A9/');
    // url.parse escapes ' ^ | before the SDK encodes; a backslash stays one segment.
    assert.equal(nodeSdkCanonicalUri("/it's/a\\b"), '/it%2527s/a%255Cb/');
    assert.deepEqual(verifiableUris('/v1/items'), ['/v1/items/']);
    assert.deepEqual(verifiableUris('/v1/a%2Bb'), ['/v1/a%2Bb/', '/v1/a%252Bb/']);
  });

  it('never lets one signature cover two requests', async () => {
    // Form 2 of a%20b is form 1 of a%2520b (a resource literally named "a%20b"): the latter is refused.
    assert.deepEqual(verifiableUris('/v1/a%2520b'), ['/v1/a%252520b/']);
    const sdk = await bySdk({ method: 'GET', path: '/v1/a%20b' });
    const replayed = verify('GET', '/v1/a%2520b', sdk.headers);
    assert.equal(replayed.ok, false);
    assert.equal(replayed.ok || replayed.failure, 'bad-signature');
    assert.match(replayed.ok ? '' : replayed.message, /verified only as the Node SDK signs it/);
    // Form 2 needs valid percent-encoded UTF-8: a stray '%' or a lone %C3 is form 1 only.
    assert.deepEqual(verifiableUris('/v1/100%/a'), ['/v1/100%25/a/']);
    assert.deepEqual(verifiableUris('/v1/%C3'), ['/v1/%25C3/']);
    assert.deepEqual(verifiableUris('/v1/a%2520b/%zz'), []);
  });
});

describe('the verifier reads the request target as sent', () => {
  const signedFor = (path: string) => ({
    ...signRequest({ method: 'GET', url: `${BASE}${path}`, date: DATE, ...KEYS }),
    host: 'api.example.com:8443',
  });

  it('a signature for /x does not verify for //evil/x, /a/../x, /./x or \\x', () => {
    const headers = signedFor('/x');
    assert.equal(verify('GET', '/x', headers).ok, true);
    for (const target of ['//evil/x', '/a/../x', '/./x', '\\x']) {
      const r = verify('GET', target, headers);
      assert.equal(r.ok || r.failure, 'bad-signature', target);
    }
  });
});
