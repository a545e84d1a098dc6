import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient, HttpError } from '../../src/client/index.ts';
import { startGateway } from '../gateway/support.ts';
import { answerError, startServer, virtualClock } from './support.ts';

const ACCESS_KEY = 'AKCLIENT01';
const SECRET = 'client-secret-of-16+';

async function setup(t: import('node:test').TestContext, profile: 'generic' | 'dis') {
  const clock = virtualClock();
  const upstream = await startServer((req, res, n) =>
    req.url === '/flaky' && n === 1 ? answerError(res, 500) : res.end(`${req.method} ${req.url} ${req.body}`),
  );
  const gateway = await startGateway(
    {
      profile,
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: { auth: { accessKeys: [{ accessKey: ACCESS_KEY, secretKey: SECRET }] } },
    },
    { clock: clock.now },
  );
  t.after(() => Promise.all([gateway.close(), upstream.close()]));
  return { clock, upstream, gateway };
}

for (const profile of ['generic', 'dis'] as const) {
  test(`through the gateway (${profile}): the client signs, the gateway accepts, retries included`, async (t) => {
    const { clock, upstream, gateway } = await setup(t, profile);
    const client = createClient({
      baseUrl: gateway.url,
      profile,
      clock,
      random: () => 0,
      credentials: { accessKey: ACCESS_KEY, secretKey: SECRET },
    });
    t.after(() => client.close());
    assert.equal(await client.put('/flaky', { json: { v: 1 } }).text(), 'PUT /flaky {"v":1}');
    // The 500 was retried at once (jitter 0): same second, yet no replay refusal.
    assert.equal(upstream.seen.length, 2);
    assert.deepEqual(clock.sleeps, [0]);
  });

  const refused = profile === 'dis' ? 441 : 401;
  test(`through the gateway (${profile}): a wrong secret is answered ${refused} and not repeated`, async (t) => {
    const { clock, upstream, gateway } = await setup(t, profile);
    const client = createClient({
      baseUrl: gateway.url,
      profile,
      clock,
      credentials: { accessKey: ACCESS_KEY, secretKey: 'not-the-right-secret' },
    });
    t.after(() => client.close());
    const error = await client.get('/anything').catch((e: unknown) => e);
    assert.ok(error instanceof HttpError, String(error));
    assert.equal(error.status, refused);
    assert.equal(error.guidance, 'fix');
    assert.match(error.errorCode ?? '', new RegExp(`^${profile === 'dis' ? 'DIS' : 'SVC'}\\.0${refused}\\.SIGNATURE`));
    assert.ok(error.requestId);
    assert.equal(upstream.seen.length, 0);
    assert.deepEqual(clock.sleeps, []);
  });
}

test('through the gateway: X-Request-Timeout makes it answer 504 in time, and the GET is retried with more', async (t) => {
  const clock = virtualClock();
  const upstream = await startServer((_req, res, n) => {
    if (n > 1) res.end('second time');
    // The first request is never answered: only the gateway's deadline ends it.
  });
  const gateway = await startGateway({ routes: [{ path: '/', targets: [upstream.url] }] });
  const statuses: (number | undefined)[] = [];
  const client = createClient({
    baseUrl: gateway.url,
    clock,
    random: () => 0,
    // 1 800 ms are announced, 200 ms kept back: the gateway's 504 comes well before the client would give up.
    timeout: { attempt: 2_000, total: 60_000 },
    hooks: { afterAttempt: [(e) => statuses.push(e.status)] },
  });
  t.after(() => Promise.all([client.close(), gateway.close(), upstream.close()]));
  assert.equal(await client.get('/report').text(), 'second time');
  assert.deepEqual(statuses, [504, 200]);
  assert.equal(upstream.seen.length, 2);
});
