import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError } from '../../src/client/index.ts';
import { verifyRequest } from '../../src/signing.ts';
import { answerError, type Seen, startServer, virtualClock } from './support.ts';

const KEYS: Record<string, string> = { AK1: 'the-secret' };

/** The gateway's verification of a request the test server received, against KEYS. */
const verify = (req: Seen, now?: number) =>
  verifyRequest({
    method: req.method,
    url: req.url,
    headers: req.headers,
    body: req.body,
    secretFor: (k) => KEYS[k],
    ...(now === undefined ? {} : { now }),
  });

test('every attempt is signed afresh (new X-Sdk-Date) and verifies on the server', async (t) => {
  const clock = virtualClock(Date.UTC(2026, 4, 1, 8, 0, 0));
  const verdicts: string[] = [];
  const server = await startServer((req, res, n) => {
    const result = verify(req, clock.now());
    verdicts.push(result.ok ? 'ok' : result.failure);
    if (n === 1) return answerError(res, 503, { 'retry-after': '20' });
    res.end('signed');
  });
  const client = createClient({
    baseUrl: server.url,
    clock,
    credentials: { accessKey: 'AK1', secretKey: 'the-secret' },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.put('/streams/s1?b=2&a=1', { json: { partitions: 1 } }).text(), 'signed');
  assert.deepEqual(verdicts, ['ok', 'ok']);
  assert.deepEqual(
    server.seen.map((s) => s.headers['x-sdk-date']),
    ['20260501T080000Z', '20260501T080020Z'],
  );
  assert.match(
    server.seen[0]?.headers.authorization ?? '',
    /^SDK-HMAC-SHA256 Access=AK1, SignedHeaders=host;x-sdk-date;x-sdk-nonce, /,
  );
  // Attempts in the same second still differ: each carries its own signed nonce.
  assert.notEqual(server.seen[0]?.headers['x-sdk-nonce'], server.seen[1]?.headers['x-sdk-nonce']);
});

test('a wrong secret is refused by the verifier; the client reports it as a credentials fix', async (t) => {
  const server = await startServer((req, res) => {
    const result = verify(req);
    if (result.ok) return res.end('in');
    answerError(res, 441, {}, { error_code: 'DIS.0441', error_msg: result.message, request_id: 'q' });
  });
  const client = createClient({
    baseUrl: server.url,
    profile: 'dis',
    credentials: { accessKey: 'AK1', secretKey: 'not-the-secret' },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/private').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 441);
  assert.equal(error.errorMsg, 'The signature does not match the request.');
  assert.equal(server.seen.length, 1);
});

test('a streamed body is signed as UNSIGNED-PAYLOAD', async (t) => {
  let verdict = '';
  const server = await startServer((req, res) => {
    const result = verify(req);
    verdict = result.ok ? 'ok' : result.message;
    res.end();
  });
  const client = createClient({ baseUrl: server.url, credentials: { accessKey: 'AK1', secretKey: 'the-secret' } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(new TextEncoder().encode('streamed'));
      c.close();
    },
  });
  await client.post('/upload', { body });
  assert.equal(verdict, 'ok');
  assert.equal(server.seen[0]?.headers['x-sdk-content-sha256'], 'UNSIGNED-PAYLOAD');
  assert.equal(server.seen[0]?.body, 'streamed');
});
