import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AttemptEvent, createClient, HttpError } from '../../src/client/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

test('shortcuts send their method; .json() asks for JSON and parses it', async (t) => {
  const server = await startServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        method: req.method,
        accept: req.headers.accept,
        body: req.body,
        ct: req.headers['content-type'],
      }),
    );
  });
  const client = createClient({ baseUrl: server.url, headers: { 'x-team': 'a' } });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.deepEqual(await client.get('/').json(), { method: 'GET', accept: 'application/json', body: '' });
  assert.deepEqual(await client.put('/', { json: [1] }).json(), {
    method: 'PUT',
    accept: 'application/json',
    body: '[1]',
    ct: 'application/json',
  });
  for (const method of ['post', 'patch', 'delete'] as const) {
    assert.equal(((await client[method]('/').json()) as { method: string }).method, method.toUpperCase());
  }
  assert.equal(
    server.seen.every((s) => s.headers['x-team'] === 'a'),
    true,
  );
  // A form body gets the Fetch standard's content type.
  await client.post('/', { body: new URLSearchParams({ q: 'a b' }) }).text();
  assert.equal(server.seen.at(-1)?.headers['content-type'], 'application/x-www-form-urlencoded;charset=UTF-8');
  assert.equal(server.seen.at(-1)?.body, 'q=a+b');
});

test('client.fetch takes a Request, keeps its method, headers and body, and answers a standard Response', async (t) => {
  const server = await startServer((req, res) => res.end(`${req.method} ${req.headers['x-a']} ${req.body}`));
  const client = createClient();
  t.after(() => Promise.all([server.close(), client.close()]));
  const request = new Request(`${server.url}/r`, { method: 'PUT', headers: { 'x-a': '1' }, body: 'data' });
  const response = await client.fetch(request);
  assert.ok(response instanceof Response);
  assert.equal(response.ok, true);
  assert.equal(response.url, `${server.url}/r`);
  assert.equal(await response.text(), 'PUT 1 data');
});

test('HEAD and 204 answers have no body; a large body streams through', async (t) => {
  const big = 'x'.repeat(1 << 20);
  const server = await startServer((req, res) => {
    if (req.url === '/empty') {
      res.writeHead(204);
      return res.end();
    }
    res.end(big);
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  const head = await client.fetch('/big', { method: 'HEAD' });
  assert.equal(head.body, null);
  assert.equal((await client.fetch('/empty')).body, null);
  assert.equal((await client.get('/big').text()).length, big.length);
});

test('hooks see each attempt: beforeAttempt may add headers, afterAttempt gets decision, delay and reason', async (t) => {
  const server = await startServer((_req, res, n) =>
    n === 1 ? answerError(res, 429, { 'retry-after': '2' }) : res.end(),
  );
  const events: AttemptEvent[] = [];
  const client = createClient({
    baseUrl: server.url,
    clock: virtualClock(),
    hooks: {
      beforeAttempt: [({ attempt, headers }) => (headers['x-attempt'] = String(attempt))],
      afterAttempt: [(e) => events.push(e)],
    },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  await client.get('/h');
  assert.deepEqual(
    server.seen.map((s) => s.headers['x-attempt']),
    ['1', '2'],
  );
  assert.deepEqual(
    events.map(({ attempt, status, guidance, decision, delay, reason }) => ({
      attempt,
      status,
      guidance,
      decision,
      delay,
      reason,
    })),
    [
      {
        attempt: 1,
        status: 429,
        guidance: 'retry-after',
        decision: 'retry',
        delay: 2000,
        reason: 'Retry 1/2: waiting 2000 ms as Retry-After asks.',
      },
      { attempt: 2, status: 200, guidance: 'done', decision: 'return', delay: 0, reason: 'Done.' },
    ],
  );
});

test('an injected fetch carries the same policy: retries, redirects, errors', async (t) => {
  const server = await startServer((req, res, n) => {
    if (n === 1) return answerError(res, 502);
    if (req.url === '/a') {
      res.writeHead(308, { location: '/b' });
      return res.end();
    }
    if (req.url === '/gone') return answerError(res, 410);
    res.end(`at ${req.url}`);
  });
  const calls: string[] = [];
  const client = createClient({
    baseUrl: server.url,
    clock: virtualClock(),
    fetch: (input, init) => {
      calls.push(`${init.method} ${String(input)} ${init.redirect}`);
      return fetch(input, init);
    },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  const response = await client.get('/a');
  assert.equal(await response.text(), 'at /b');
  assert.equal(response.url, `${server.url}/b`);
  assert.deepEqual(calls, [`GET ${server.url}/a manual`, `GET ${server.url}/a manual`, `GET ${server.url}/b manual`]);
  const error = await client.get('/gone').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.equal(error.status, 410);
});

test('baseUrl keeps its path for relative inputs; absolute URLs are used as they are', async (t) => {
  const server = await startServer((req, res) => res.end(req.url));
  const client = createClient({ baseUrl: `${server.url}/v1` });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('items?x=1').text(), '/v1/items?x=1');
  assert.equal(await client.get('/items').text(), '/v1/items');
  assert.equal(await client.get(`${server.url}/root`).text(), '/root');
});
