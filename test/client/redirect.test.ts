import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError } from '../../src/client/index.ts';
import { startServer, virtualClock } from './support.ts';

function redirectTo(res: import('node:http').ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location, 'content-type': 'text/plain' });
  res.end(`see ${location}`);
}

for (const status of [307, 308]) {
  test(`${status} repeats the same method and body at the Location`, async (t) => {
    const server = await startServer((req, res) =>
      req.url === '/old' ? redirectTo(res, status, '/new') : res.end(`${req.method} ${req.body}`),
    );
    const client = createClient({ baseUrl: server.url });
    t.after(() => Promise.all([server.close(), client.close()]));
    const response = await client.put('/old', { body: 'payload' });
    assert.equal(await response.text(), 'PUT payload');
    assert.equal(response.url, `${server.url}/new`);
    assert.equal(response.redirected, true);
    assert.equal(server.seen[1]?.headers['content-type'], 'text/plain;charset=UTF-8');
  });
}

for (const status of [301, 302, 303]) {
  test(`${status} after a POST continues with a GET without the body`, async (t) => {
    const server = await startServer((req, res) =>
      req.url === '/submit' ? redirectTo(res, status, '/result') : res.end(`${req.method} [${req.body}]`),
    );
    const client = createClient({ baseUrl: server.url });
    t.after(() => Promise.all([server.close(), client.close()]));
    assert.equal(await client.post('/submit', { json: { a: 1 } }).text(), 'GET []');
    assert.equal(server.seen[1]?.headers['content-type'], undefined);
    assert.equal(server.seen[1]?.headers['content-length'], undefined);
  });
}

test('303 turns a DELETE into GET; 301 keeps a PUT a PUT', async (t) => {
  const server = await startServer((req, res) => {
    if (req.url === '/a') return redirectTo(res, 303, '/b');
    if (req.url === '/c') return redirectTo(res, 301, '/d');
    res.end(`${req.method} ${req.body}`);
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.delete('/a').text(), 'GET ');
  assert.equal(await client.put('/c', { body: 'v' }).text(), 'PUT v');
});

test('a redirect loop is caught without walking to the limit', async (t) => {
  const server = await startServer((req, res) => redirectTo(res, 302, req.url === '/ping' ? '/pong' : '/ping'));
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/ping').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.match(error.message, /Redirect loop: GET http:\/\/127\.0\.0\.1:\d+\/ping was already requested/);
  assert.equal(server.seen.length, 2);
});

test('maxRedirects bounds a chain of distinct Locations', async (t) => {
  const server = await startServer((req, res) => redirectTo(res, 307, `/hop${Number(req.url.slice(4) || 0) + 1}`));
  const client = createClient({ baseUrl: server.url, maxRedirects: 3 });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.get('/hop0').catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.match(error.message, /More than 3 redirects/);
  assert.deepEqual(
    server.seen.map((s) => s.url),
    ['/hop0', '/hop1', '/hop2', '/hop3'],
  );
});

test('a cross-origin redirect drops Authorization and Cookie; a same-origin one keeps them', async (t) => {
  const other = await startServer((req, res) => res.end(`${req.headers.authorization}|${req.headers.cookie}`));
  const server = await startServer((req, res) =>
    req.url === '/away' ? redirectTo(res, 302, `${other.url}/landing`) : redirectTo(res, 302, '/away'),
  );
  const client = createClient({ baseUrl: server.url, headers: { authorization: 'Bearer t', cookie: 's=1' } });
  t.after(() => Promise.all([server.close(), other.close(), client.close()]));
  assert.equal(await client.get('/start').text(), 'undefined|undefined');
  assert.equal(server.seen[1]?.headers.authorization, 'Bearer t');
  assert.equal(other.seen.length, 1);
});

test('a cross-origin 307 would resend the body elsewhere: refused, nothing sent there', async (t) => {
  const other = await startServer((_req, res) => res.end('took it'));
  const server = await startServer((_req, res) => redirectTo(res, 307, `${other.url}/x`));
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), other.close(), client.close()]));
  const error = await client.put('/x', { body: 'secret' }).catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.match(error.message, /redirect to another origin .* would resend the request body there; not followed/);
  assert.equal(other.seen.length, 0);
});

test('redirect: manual returns the 3xx; redirect: error throws', async (t) => {
  const server = await startServer((_req, res) => redirectTo(res, 301, '/elsewhere'));
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  const manual = await client.get('/', { redirect: 'manual' });
  assert.equal(manual.status, 301);
  assert.equal(manual.headers.get('location'), '/elsewhere');
  await assert.rejects(client.get('/', { redirect: 'error' }), /Redirects were refused/);
  assert.equal(server.seen.length, 2);
});

test('a redirect without Location, or to a non-http scheme, is an error', async (t) => {
  const server = await startServer((req, res) => {
    if (req.url === '/bare') {
      res.writeHead(302);
      res.end();
    } else redirectTo(res, 302, 'ftp://files.example/x');
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  await assert.rejects(client.get('/bare'), /must carry Location \(RFC 9110 §10\.2\.2\)/);
  await assert.rejects(client.get('/ftp'), /"ftp:\/\/files\.example\/x" is not an http\(s\) URI/);
});

test('a 300 naming a preferred choice in Location is followed (RFC 9110 §15.4.1)', async (t) => {
  const server = await startServer((req, res) =>
    req.url === '/report' ? redirectTo(res, 300, '/report.json') : res.end(`chose ${req.url}`),
  );
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal(await client.get('/report').text(), 'chose /report.json');
});
