/**
 * Pacing against the lab's /limited route, over real sockets: a burst with
 * pacing on collects no 429 (the client waits for the reset the RateLimit
 * fields give, in each generation), and with it off collects the 429s.
 * Nothing here asserts on time: only on what was answered and what was waited for.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createClient, type PacedEvent, Pacer } from '../../src/client/index.ts';
import { FIELD_GENERATIONS } from '../../src/gateway/policies/limits/fields.ts';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import { answerError, startServer, virtualClock } from './support.ts';

const LIMIT = 3;
const BURST = 7;

/** Sends BURST requests at once; the statuses, in order of sending. */
async function burst(client: ReturnType<typeof createClient>, path: string): Promise<number[]> {
  const answers = await Promise.all(Array.from({ length: BURST }, () => client.get(path)));
  return answers.map((r) => r.status);
}

describe('pacing against the lab /limited (3 requests per 1 s window)', () => {
  for (const fields of FIELD_GENERATIONS) {
    test(`a burst collects no 429 with pacing on (${fields})`, async (t) => {
      // A lab of its own: a new client knows nothing until its first answer, so the window must be whole.
      const lab = await startLab({ port: 0, rateLimit: LIMIT, rateWindow: 1_000 });
      t.after(() => lab.close());
      const waits: PacedEvent[] = [];
      // No retries and no thrown errors: a 429 would be seen as it is.
      const client = createClient({
        baseUrl: lab.url,
        retry: false,
        throwHttpErrors: false,
        hooks: { paced: [(e) => waits.push(e)] },
      });
      t.after(() => client.close());
      const statuses = await burst(client, `/limited?fields=${fields}`);
      assert.deepEqual(statuses, Array(BURST).fill(200));
      assert.ok(waits.length > 0, 'the client waited for the quota to reset');
      assert.ok(waits.every((w) => w.reason === 'quota' && w.wait > 0));
    });
  }
});

describe('without pacing (3 requests per 60 s window)', () => {
  let lab: RunningLab;
  before(async () => {
    lab = await startLab({ port: 0, rateLimit: LIMIT, rateWindow: 60_000 });
  });
  after(() => lab.close());

  test('the same burst collects the 429s pacing avoids', async (t) => {
    const client = createClient({ baseUrl: lab.url, retry: false, throwHttpErrors: false, pacing: false });
    t.after(() => client.close());
    const statuses = await burst(client, '/limited');
    assert.equal(statuses.filter((s) => s === 200).length, LIMIT);
    assert.equal(statuses.filter((s) => s === 429).length, BURST - LIMIT);
  });

  test('with pacing on, a wait longer than maxWait is not made: the request collects its 429', async (t) => {
    const client = createClient({ baseUrl: lab.url, retry: false, throwHttpErrors: false, pacing: { maxWait: 5_000 } });
    t.after(() => client.close());
    // The window was spent by the test before: the first answer says so, reset in ~60 s > maxWait.
    const statuses = await burst(client, '/limited');
    assert.deepEqual(statuses, Array(BURST).fill(429));
  });
});

test('one Pacer shared by two clients paces them together', async (t) => {
  const lab = await startLab({ port: 0, rateLimit: LIMIT, rateWindow: 1_000 });
  const pacer = new Pacer();
  const make = () => createClient({ baseUrl: lab.url, retry: false, throwHttpErrors: false, pacing: { pacer } });
  const a = make();
  const b = make();
  t.after(() => Promise.all([a.close(), b.close(), lab.close()]));
  const statuses = (await Promise.all([burst(a, '/limited'), burst(b, '/limited')])).flat();
  assert.deepEqual(statuses, Array(2 * BURST).fill(200));
  assert.equal(pacer.state(new URL(lab.url).origin)?.inFlight, 0);
});

test('a 429’s Retry-After takes precedence over the reset the fields give, for every request to the origin', async (t) => {
  // The first answer: 429, Retry-After 7 s, but RateLimit says the quota is back in 1 s.
  const server = await startServer((_req, res, n) =>
    n === 1
      ? answerError(res, 429, { 'retry-after': '7', ratelimit: '"default";r=0;t=1' })
      : res.writeHead(200, { ratelimit: '"default";r=5;t=1' }).end('ok'),
  );
  const clock = virtualClock();
  const waits: PacedEvent[] = [];
  const client = createClient({
    baseUrl: server.url,
    clock,
    retry: false,
    throwHttpErrors: false,
    hooks: { paced: [(e) => waits.push(e)] },
  });
  t.after(() => Promise.all([server.close(), client.close()]));
  assert.equal((await client.get('/a')).status, 429);
  assert.equal((await client.get('/b')).status, 200);
  assert.deepEqual(
    waits.map((w) => [w.reason, w.wait]),
    [['retry-after', 7_000]],
  );
  assert.deepEqual(clock.sleeps, [7_000]);
});

test('an origin whose answers carry no RateLimit fields is not paced, and concurrency is kept', async (t) => {
  // The server holds every answer of the burst until all five arrived (or 2 s passed, for a clear failure).
  const held: (() => void)[] = [];
  let allFive = false;
  let fallback: NodeJS.Timeout | undefined;
  const release = () => {
    clearTimeout(fallback);
    for (const answer of held.splice(0)) answer();
  };
  const server = await startServer((req, res) => {
    if (req.url === '/first') return void res.end('ok');
    held.push(() => res.end('ok'));
    if (held.length === 5) {
      allFive = true;
      release();
    } else fallback ??= setTimeout(release, 2_000);
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  await client.get('/first').text(); // Tells the pacer this origin has no fields.
  await Promise.all(Array.from({ length: 5 }, () => client.get('/').text()));
  assert.equal(server.seen.length, 6);
  assert.equal(allFive, true, 'all five were at the server at once');
});

test('a slow first request does not hold up the others for longer than probeWait', async (t) => {
  // The server holds /slow until /quick has been answered: if /quick waited for /slow, neither would end.
  let releaseSlow: () => void = () => {};
  let slowArrived: () => void = () => {};
  const arrived = new Promise<void>((resolve) => {
    slowArrived = resolve;
  });
  const server = await startServer((req, res) => {
    if (req.url !== '/slow') return void res.end('quick');
    releaseSlow = () => res.end('slow');
    slowArrived();
  });
  const client = createClient({ baseUrl: server.url, pacing: { probeWait: 50 } });
  t.after(() => Promise.all([server.close(), client.close()]));
  const slow = client.get('/slow').text();
  await arrived; // /slow is the request finding out the quota, still unanswered.
  assert.equal(await client.get('/quick').text(), 'quick');
  releaseSlow();
  assert.equal(await slow, 'slow');
});
