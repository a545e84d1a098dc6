import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError, NetworkError, parseServerError } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('the server’s error is read from either body shape, problem details, or X-Request-Id', () => {
  const none = new Headers();
  assert.deepEqual(parseServerError({ error_code: 'DCS.0404', error_msg: 'No such cache.', request_id: 'a' }, none), {
    errorCode: 'DCS.0404',
    errorMsg: 'No such cache.',
    requestId: 'a',
  });
  assert.deepEqual(
    parseServerError({ errorCode: 'DLI.0409', message: 'Queue exists.' }, new Headers({ 'x-request-id': 'h' })),
    {
      errorCode: 'DLI.0409',
      errorMsg: 'Queue exists.',
      requestId: 'h',
    },
  );
  assert.deepEqual(parseServerError({ title: 'Gone', detail: 'Deleted.', error_code: 'SVC.0410' }, none), {
    errorCode: 'SVC.0410',
    errorMsg: 'Deleted.',
    requestId: undefined,
  });
  assert.deepEqual(parseServerError('plain text', none), {
    errorCode: undefined,
    errorMsg: undefined,
    requestId: undefined,
  });
});

test('HttpError names status, table name, method, URL, the server’s words and what to do', async (t) => {
  const server = await startServer((_req, res) =>
    answerError(res, 409, { 'x-request-id': 'hdr-id' }, { errorCode: 'DCS.0409', message: 'Instance name taken.' }),
  );
  const client = createClient({ baseUrl: `${server.url}/v2`, profile: 'dcs' });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.post('instances', { json: { name: 'x' } }).catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.name, 'HttpError');
  assert.equal(error.method, 'POST');
  assert.equal(error.url, `${server.url}/v2/instances`);
  assert.equal(error.status, 409);
  assert.equal(error.entry?.code, 409);
  assert.equal(error.guidance, 'fix');
  assert.equal(error.errorCode, 'DCS.0409');
  assert.equal(error.errorMsg, 'Instance name taken.');
  assert.equal(error.requestId, 'hdr-id');
  assert.deepEqual(error.body, { errorCode: 'DCS.0409', message: 'Instance name taken.' });
  assert.equal(
    error.message,
    `POST ${server.url}/v2/instances answered 409 Conflict [DCS.0409]: Instance name taken. ` +
      `Not retried: repeating this request unchanged is wrong. ${error.entry?.action} (request id hdr-id)`,
  );
});

test('throwHttpErrors: false hands back the answer, body unread, after the same retries', async (t) => {
  const server = await startServer((req, res, n) =>
    req.url === '/missing' ? answerError(res, 404) : n < 5 ? answerError(res, 500) : res.end(),
  );
  const client = createClient({ baseUrl: server.url, clock: virtualClock(), throwHttpErrors: false });
  t.after(() => Promise.all([server.close(), client.close()]));
  const missing = await client.get('/missing');
  assert.equal(missing.status, 404);
  assert.equal(((await missing.json()) as { error_code: string }).error_code, 'SVC.0404');
  const failing = await client.get('/flaky');
  assert.equal(failing.status, 500);
  assert.equal(server.seen.length, 4);
});

test('a non-HTTP answer is a NetworkError that says so', async (t) => {
  const net = await import('node:net');
  const raw = net.createServer((socket) => socket.end('SSH-2.0-OpenSSH\r\n'));
  raw.listen(0, '127.0.0.1');
  await new Promise((r) => raw.once('listening', r));
  const { port } = raw.address() as import('node:net').AddressInfo;
  const client = createClient({ retry: false });
  t.after(async () => {
    raw.close();
    await client.close();
  });
  const error = await client.get(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
  assert.ok(error instanceof NetworkError, String(error));
  assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/ got no answer: /);
  assert.equal(error.attempts, 1);
});

test('bad options and inputs are refused with errors that name them', async () => {
  assert.throws(() => createClient({ baseUrl: 'api.example' }), /baseUrl "api\.example" is not an absolute URL/);
  assert.throws(() => createClient({ baseUrl: 'ftp://x/' }), /must use http: or https:/);
  assert.throws(() => createClient({ retry: { limit: -1 } }), /retry\.limit must be a whole number ≥ 0, got -1/);
  assert.throws(() => createClient({ timeout: 0 }), /timeout\.total must be a positive number/);
  assert.throws(() => createClient({ profile: 'aws' as 'dis' }), /Unknown profile "aws"/);
  assert.throws(
    () => createClient({ credentials: { accessKey: 'a', secretKey: '' } }),
    /need both accessKey and secretKey/,
  );
  const client = createClient();
  await assert.rejects(client.fetch('/relative'), /relative URL and the client has no baseUrl/);
  await assert.rejects(
    client.fetch('http://127.0.0.1:1/', { method: 'GET', body: 'x' }),
    /a GET request cannot carry a body/,
  );
  await assert.rejects(
    client.fetch('http://127.0.0.1:1/', { method: 'PUT', body: 'x', json: {} }),
    /either as `json` or as `body`, not both/,
  );
  await client.close();
});
