import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENTRIES, guidanceFor } from '../../src/catalog/index.ts';
import { type Client, createClient, HttpError } from '../../src/client/index.ts';
import { startServer, type TestServer, type VirtualClock, virtualClock } from './support.ts';

/** A value for each header the contract requires with a code. */
const HEADER_VALUES: Record<string, string> = {
  Location: '/done',
  Allow: 'GET, HEAD',
  'WWW-Authenticate': 'SDK-HMAC-SHA256',
  'Proxy-Authenticate': 'Basic realm="gw"',
  'Content-Range': 'bytes 0-0/10',
  'Accept-Ranges': 'bytes',
  ETag: '"v1"',
  Link: '</a>; rel="alternate"',
  'Retry-After': '1',
  RateLimit: '"default";r=0;t=1',
  'RateLimit-Policy': '"default";q=100;w=60',
  'Accept-Post': 'application/json',
  'Accept-Patch': 'application/json',
  Connection: 'close',
};

// 1xx codes never reach a fetch caller as a final answer (100 is interim, 101 needs an Upgrade request).
const FINAL = ENTRIES.filter((e) => e.code >= 200);

describe('every contract code gets the catalog’s guidance', () => {
  let server: TestServer;
  let client: Client;
  let clock: VirtualClock;

  before(async () => {
    server = await startServer((req, res) => {
      const code = Number(req.url.split('/')[2]);
      if (req.url === '/done') {
        res.end('landed');
        return;
      }
      const entry = FINAL.find((e) => e.code === code);
      const headers: Record<string, string> = {};
      // Only unconditional headers: 413/503 are tested bare here (their Retry-After form is in retry-after tests).
      for (const h of entry?.headers ?? [])
        if (h.required === 'always') headers[h.field] = HEADER_VALUES[h.field] ?? 'x';
      if (code === 300) delete headers.Location;
      const bodyless = code === 204 || code === 205 || code === 304;
      if (!bodyless) headers['content-type'] = 'application/json';
      res.writeHead(code, headers);
      res.end(
        bodyless
          ? undefined
          : JSON.stringify({ error_code: `DIS.${String(code).padStart(4, '0')}`, error_msg: 'as asked' }),
      );
    });
    clock = virtualClock();
    // pacing: false: each code's waits are its own, not a 429's Retry-After holding back the next code.
    client = createClient({
      baseUrl: server.url,
      profile: 'dis',
      clock,
      random: () => 0.5,
      retry: { budget: false },
      pacing: false,
    });
  });
  after(() => Promise.all([server.close(), client.close()]));

  for (const entry of FINAL) {
    const code = entry.code;
    const guidance = guidanceFor(code, false);
    test(`${code} ${entry.name}: ${guidance}`, async () => {
      server.seen.length = 0;
      clock.sleeps.length = 0;
      const outcome = await client.get(`/status/${code}`).catch((e: unknown) => e);
      const paths = server.seen.map((s) => s.url);
      switch (guidance) {
        case 'done':
          assert.ok(outcome instanceof Response);
          assert.equal(outcome.status, code);
          assert.deepEqual(paths, [`/status/${code}`]);
          break;
        case 'follow':
          assert.ok(outcome instanceof Response);
          if (code === 300) {
            // RFC 9110 §15.4.1: no preferred choice, so the caller picks.
            assert.equal(outcome.status, 300);
            assert.deepEqual(paths, ['/status/300']);
          } else {
            assert.equal(outcome.status, 200);
            assert.equal(outcome.redirected, true);
            assert.equal(await outcome.text(), 'landed');
            assert.deepEqual(paths, [`/status/${code}`, '/done']);
          }
          break;
        case 'fix':
        case 'never-issued':
          assert.ok(outcome instanceof HttpError, String(outcome));
          assert.equal(outcome.status, code);
          assert.equal(outcome.guidance, guidance);
          assert.equal(outcome.errorCode, `DIS.${String(code).padStart(4, '0')}`);
          assert.match(outcome.message, new RegExp(`GET ${server.url}/status/${code} answered ${code}`));
          assert.deepEqual(paths, [`/status/${code}`]);
          assert.deepEqual(clock.sleeps, []);
          break;
        default: {
          // retry-later, retry-after, retry-idempotent: the first attempt and `limit` (2) retries.
          assert.ok(outcome instanceof HttpError, String(outcome));
          assert.equal(outcome.status, code);
          assert.equal(outcome.attempts, 3);
          assert.match(outcome.message, /Gave up after 3 attempts/);
          assert.equal(server.seen.length, 3);
          // Retry-After: 1 s on 429; else full jitter at random() = 0.5 over 100 ms, 200 ms.
          assert.deepEqual(clock.sleeps, guidance === 'retry-after' ? [1000, 1000] : [50, 100]);
        }
      }
    });
  }

  test('441 carries the dis table’s name in the message', async () => {
    const error = await client.get('/status/441').catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.match(error.message, /answered 441 Authentication Error \[DIS\.0441\]: as asked\. .*credentials/i);
  });

  test('a status outside the contract falls back to its class', async () => {
    server.seen.length = 0;
    const error = await client.get('/status/418').catch((e: unknown) => e);
    assert.ok(error instanceof HttpError);
    assert.equal(error.entry, undefined);
    assert.equal(error.guidance, 'fix');
    assert.equal(server.seen.length, 1);
  });
});
