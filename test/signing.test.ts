import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  DEFAULT_SKEW_MS,
  formatSdkDate,
  parseAuthorization,
  parseSdkDate,
  signRequest,
  type VerifyOptions,
  verifyRequest,
} from '../src/signing.ts';

const DATE = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
const AK = 'AK-test-0001';
const SK = 'SK-secret-0001';
const secretFor = (ak: string) => (ak === AK ? SK : undefined);
const BODY = '{"name":"a b"}';
const URL_ = 'https://api.example.com:8443/v1/items/a%20b?b=x%2By&empty=&a=1&a=0';

function signed(extra: Partial<Parameters<typeof signRequest>[0]> = {}) {
  const headers = { 'Content-Type': '  application/json ' };
  const added = signRequest({
    method: 'post',
    url: URL_,
    headers,
    body: BODY,
    accessKey: AK,
    secretKey: SK,
    date: DATE,
    signHeaders: ['Content-Type'],
    ...extra,
  });
  return { ...headers, ...added, host: 'api.example.com:8443' } as Record<string, string>;
}

function verify(headers: Record<string, string>, over: Partial<VerifyOptions> = {}) {
  return verifyRequest({
    method: 'POST',
    url: '/v1/items/a%20b?b=x%2By&empty=&a=1&a=0',
    headers,
    body: BODY,
    secretFor,
    now: DATE.getTime(),
    ...over,
  });
}

describe('SDK-HMAC-SHA256 known answers', () => {
  it('builds the canonical request and signature from the definition', () => {
    const bodyHash = createHash('sha256').update(BODY).digest('hex');
    const canonical = [
      'POST',
      '/v1/items/a%20b/',
      'a=0&a=1&b=x%2By&empty=',
      'content-type:application/json\nhost:api.example.com:8443\nx-sdk-date:20240102T030405Z\n',
      'content-type;host;x-sdk-date',
      bodyHash,
    ].join('\n');
    const toSign = `SDK-HMAC-SHA256\n20240102T030405Z\n${createHash('sha256').update(canonical).digest('hex')}`;
    const bySpec = createHmac('sha256', SK).update(toSign).digest('hex');
    // Computed independently (Python hashlib/hmac) from the same definition.
    assert.equal(bySpec, '5b49b2b0a9ea80e6a6f7d1ac58e69dfb668ba59afcf74b1d9c342e7d466632fb');
    const headers = signed();
    assert.equal(headers['X-Sdk-Date'], '20240102T030405Z');
    assert.equal(
      headers.Authorization,
      `SDK-HMAC-SHA256 Access=${AK}, SignedHeaders=content-type;host;x-sdk-date, Signature=${bySpec}`,
    );
  });

  it('signs a bare GET with host and x-sdk-date only', () => {
    const added = signRequest({ method: 'GET', url: 'http://h', accessKey: 'a', secretKey: 's', date: DATE });
    assert.deepEqual(added, {
      'X-Sdk-Date': '20240102T030405Z',
      Authorization:
        'SDK-HMAC-SHA256 Access=a, SignedHeaders=host;x-sdk-date, Signature=574110f071c87b88e7d1229453242399161366f348312e64197e2e47eeef9b01',
    });
  });

  it('encodes each path segment and always ends the URI in "/"', () => {
    assert.equal(canonicalUri(''), '/');
    assert.equal(canonicalUri('/'), '/');
    assert.equal(canonicalUri('/a/b'), '/a/b/');
    assert.equal(canonicalUri('/a/b/'), '/a/b/');
    assert.equal(canonicalUri("/x y/caf%C3%A9/(1)*!'"), '/x%20y/caf%C3%A9/%281%29%2A%21%27/');
    assert.equal(canonicalUri('/a%2Fb/100%'), '/a%2Fb/100%25/');
  });

  it('sorts the query by key then value, encoded', () => {
    assert.equal(canonicalQueryString(new URLSearchParams('b=2&a=z&a=y&c&a+b=%20')), 'a=y&a=z&a%20b=%20&b=2&c=');
  });

  it('formats and parses X-Sdk-Date strictly', () => {
    assert.equal(formatSdkDate(DATE), '20240102T030405Z');
    assert.equal(parseSdkDate('20240102T030405Z')?.getTime(), DATE.getTime());
    for (const bad of ['20240230T000000Z', '20240102T250000Z', '2024-01-02T03:04:05Z', '20240102T030405', ''])
      assert.equal(parseSdkDate(bad), undefined, bad);
  });

  it('returns undefined for a canonical request whose signed header is absent', () => {
    const input = { method: 'GET', url: '/', headers: {}, signedHeaders: ['host', 'x-sdk-date'], payloadHash: '' };
    assert.equal(canonicalRequest(input), undefined);
  });
});

describe('SDK-HMAC-SHA256 verification', () => {
  it('accepts its own signature (round trip)', () => {
    const r = verify(signed());
    assert.equal(r.ok, true);
    if (r.ok) assert.equal(r.credentials.accessKey, AK);
  });

  it('round-trips an unsigned payload and a body-less request', () => {
    const h = signed({ unsignedPayload: true, body: undefined });
    assert.equal(h['X-Sdk-Content-Sha256'], 'UNSIGNED-PAYLOAD');
    assert.equal(verify(h, { body: 'anything at all' }).ok, true);
    const get = signRequest({ method: 'GET', url: 'http://h/a?q=1', accessKey: AK, secretKey: SK, date: DATE });
    assert.equal(verify({ ...get, host: 'h' }, { method: 'GET', url: '/a?q=1', body: undefined }).ok, true);
  });

  const tampered: [string, (h: Record<string, string>) => Partial<VerifyOptions>][] = [
    ['body', () => ({ body: '{"name":"a c"}' })],
    ['method', () => ({ method: 'PUT' })],
    ['path', () => ({ url: '/v1/items/a%20c?b=x%2By&empty=&a=1&a=0' })],
    ['query', () => ({ url: '/v1/items/a%20b?b=x%2By&empty=&a=1&a=2' })],
    ['signed header', (h) => ({ headers: { ...h, 'Content-Type': 'text/plain' } })],
    ['host', (h) => ({ headers: { ...h, host: 'evil.example' } })],
    ['secret', () => ({ secretFor: () => 'other' })],
  ];
  for (const [what, change] of tampered) {
    it(`rejects a tampered ${what} as bad-signature`, () => {
      const h = signed();
      const r = verify(h, change(h));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.failure, 'bad-signature');
    });
  }

  it('rejects an unknown access key and a date outside the window', () => {
    const r1 = verify(signed(), { secretFor: () => undefined });
    assert.equal(!r1.ok && r1.failure, 'unknown-key');
    assert.equal(verify(signed(), { now: DATE.getTime() + DEFAULT_SKEW_MS }).ok, true);
    const r2 = verify(signed(), { now: DATE.getTime() + DEFAULT_SKEW_MS + 1000 });
    assert.equal(!r2.ok && r2.failure, 'date-skew');
    const r3 = verify(signed(), { now: DATE.getTime() - 61_000, skewMs: 60_000 });
    assert.equal(!r3.ok && r3.failure, 'date-skew');
  });

  it('tells missing from malformed credentials', () => {
    const h = signed();
    const cases: [Record<string, string>, string][] = [
      [{ ...h, Authorization: '' }, 'missing'],
      [{ ...h, Authorization: 'Bearer abc' }, 'missing'],
      [{ ...h, Authorization: 'SDK-HMAC-SHA256' }, 'malformed'],
      [{ ...h, Authorization: h.Authorization!.replace(/Signature=\w+/, 'Signature=zz') }, 'malformed'],
      [{ ...h, Authorization: h.Authorization!.replace('content-type;host', 'host;content-type') }, 'malformed'],
      [
        { ...h, Authorization: h.Authorization!.replace('content-type;host;x-sdk-date', 'content-type;host') },
        'malformed',
      ],
      [{ ...h, Authorization: `${h.Authorization}, Access=x` }, 'malformed'],
      [{ ...h, 'X-Sdk-Date': '2024-01-02' }, 'malformed'],
      [{ ...h, 'Content-Type': undefined as unknown as string }, 'malformed'],
    ];
    for (const [headers, failure] of cases) {
      const r = verify(headers);
      assert.equal(!r.ok && r.failure, failure, JSON.stringify(headers));
    }
    const { 'X-Sdk-Date': _, ...noDate } = h;
    const r = verify(noDate);
    assert.equal(!r.ok && r.failure, 'malformed');
  });

  it('parses scheme and parameter names case-insensitively', () => {
    const sig = 'a'.repeat(64);
    const r = parseAuthorization(
      `sdk-hmac-sha256 access=K,signedheaders=host;x-sdk-date,  SIGNATURE=${sig.toUpperCase()}`,
    );
    assert.deepEqual(r, {
      ok: true,
      credentials: { accessKey: 'K', signedHeaders: ['host', 'x-sdk-date'], signature: sig },
    });
    const tab = parseAuthorization(`SDK-HMAC-SHA256\tAccess=K, SignedHeaders=host;x-sdk-date, Signature=${sig}`);
    assert.equal(tab.ok, true, 'any whitespace after the scheme (RFC 9110 §11.6.2 allows 1*SP; be lenient on tabs)');
  });

  it('refuses to sign a header the request does not carry', () => {
    assert.throws(
      () => signRequest({ method: 'GET', url: 'http://h', accessKey: 'a', secretKey: 's', signHeaders: ['x-trace'] }),
      /x-trace/,
    );
  });
});
