import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError, TimeoutError } from '../../src/client/index.ts';
import { startServer, virtualClock } from './support.ts';

test('waitFor polls a 202’s Location, honouring Retry-After, and follows the 303 to the result', async (t) => {
  let polls = 0;
  const server = await startServer((req, res) => {
    if (req.method === 'POST') {
      res.writeHead(202, { location: '/jobs/7', 'retry-after': '3' });
      return res.end('{"state":"queued"}');
    }
    if (req.url === '/jobs/7') {
      polls++;
      if (polls === 1) {
        res.writeHead(202, { 'retry-after': '5' });
        return res.end();
      }
      if (polls === 2) {
        // Still running, DLI style: 200 with Retry-After.
        res.writeHead(200, { 'retry-after': '2', 'content-type': 'application/json' });
        return res.end('{"state":"running"}');
      }
      res.writeHead(303, { location: '/jobs/7/result' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"sum":6}');
  });
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock });
  t.after(() => Promise.all([server.close(), client.close()]));
  const accepted = await client.post('/jobs', { json: { values: [1, 2, 3] } });
  assert.equal(accepted.status, 202);
  const result = await client.waitFor(accepted);
  assert.equal(result.status, 200);
  assert.equal(result.url, `${server.url}/jobs/7/result`);
  assert.deepEqual(await result.json(), { sum: 6 });
  assert.deepEqual(clock.sleeps, [3000, 5000, 2000]);
  assert.deepEqual(
    server.seen.map((s) => `${s.method} ${s.url}`),
    ['POST /jobs', 'GET /jobs/7', 'GET /jobs/7', 'GET /jobs/7', 'GET /jobs/7/result'],
  );
});

test('without Retry-After waitFor polls every poll.interval; a 200 without Retry-After is the result', async (t) => {
  let polls = 0;
  const server = await startServer((req, res) => {
    if (req.url === '/start') {
      res.writeHead(202, { location: `${'/status'}` });
      return res.end();
    }
    polls++;
    res.writeHead(polls < 3 ? 202 : 200);
    res.end(polls < 3 ? '' : 'finished');
  });
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock, poll: { interval: 250 } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const result = await client.waitFor(await client.put('/start', { body: 'go' }));
  assert.equal(await result.text(), 'finished');
  assert.deepEqual(clock.sleeps, [250, 250, 250]);
});

test('waitFor gives up with TimeoutError when the job outlasts poll.timeout', async (t) => {
  const server = await startServer((_req, res) => {
    res.writeHead(202, { location: '/job', 'retry-after': '4' });
    res.end();
  });
  const clock = virtualClock();
  const client = createClient({ baseUrl: server.url, clock, poll: { timeout: 10_000 } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const error = await client.waitFor(await client.post('/jobs')).catch((e: unknown) => e);
  assert.ok(error instanceof TimeoutError);
  assert.match(error.message, /\/job timed out: .* of 10000 ms passed\. The job was still running \(202\)/);
  assert.deepEqual(clock.sleeps, [4000, 4000]);
});

test('waitFor passes other answers through and refuses a 202 without Location', async (t) => {
  const server = await startServer((req, res) => {
    res.writeHead(req.url === '/ok' ? 200 : 202);
    res.end('body');
  });
  const client = createClient({ baseUrl: server.url, clock: virtualClock() });
  t.after(() => Promise.all([server.close(), client.close()]));
  const ok = await client.get('/ok');
  assert.equal(await client.waitFor(ok), ok);
  const error = await client.waitFor(await client.post('/nowhere')).catch((e: unknown) => e);
  assert.ok(error instanceof HttpError);
  assert.match(
    error.message,
    /^POST http:\/\/127\.0\.0\.1:\d+\/nowhere answered 202 Accepted\. The 202 names no status resource \(Location\) to poll/,
  );
});
