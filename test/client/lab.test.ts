import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { guidanceFor, profileEntries } from '../../src/catalog/index.ts';
import { type AttemptEvent, type Client, createClient, HttpError } from '../../src/client/index.ts';
import { type RunningLab, startLab } from '../../src/lab/index.ts';
import { type VirtualClock, virtualClock } from './support.ts';

describe('the client against the lab (dis profile)', () => {
  let lab: RunningLab;
  let client: Client;
  let clock: VirtualClock;
  const events: AttemptEvent[] = [];

  before(async () => {
    clock = virtualClock();
    lab = await startLab({ port: 0, profile: 'dis', now: clock.now, jobDuration: 2_000 });
    client = createClient({
      baseUrl: lab.url,
      profile: 'dis',
      clock,
      random: () => 0.5,
      retry: { budget: false },
      // Each test asserts one answer's waits; a 429's Retry-After would hold back the next test's request.
      pacing: false,
      hooks: { afterAttempt: [(e) => events.push(e)] },
    });
  });
  after(() => Promise.all([lab.close(), client.close()]));

  // 1xx never reach a fetch caller as final answers; never-issued codes are not served by the lab.
  const served = profileEntries('dis').filter((e) => e.code >= 200 && e.guidance !== 'never-issued');
  for (const entry of served) {
    const guidance = guidanceFor(entry.code);
    test(`/status/${entry.code}: ${guidance}`, async () => {
      events.length = 0;
      clock.sleeps.length = 0;
      const outcome = await client.get(`/status/${entry.code}`).catch((e: unknown) => e);
      const statuses = events.map((e) => e.status);
      if (guidance === 'done' || entry.code === 300) {
        assert.ok(outcome instanceof Response, String(outcome));
        assert.equal(outcome.status, entry.code);
        assert.deepEqual(statuses, [entry.code]);
      } else if (guidance === 'follow') {
        assert.ok(outcome instanceof Response, String(outcome));
        assert.deepEqual(await outcome.json(), { method: 'GET', path: '/redirected', body_bytes: 0 });
        assert.deepEqual(statuses, [entry.code, 200]);
      } else if (guidance === 'fix') {
        assert.ok(outcome instanceof HttpError, String(outcome));
        assert.equal(outcome.errorCode?.startsWith(`DIS.${String(entry.code).padStart(4, '0')}`), true);
        assert.ok(outcome.requestId);
        assert.deepEqual(statuses, [entry.code]);
      } else {
        assert.ok(outcome instanceof HttpError, String(outcome));
        assert.deepEqual(statuses, [entry.code, entry.code, entry.code]);
        assert.deepEqual(clock.sleeps, guidance === 'retry-after' ? [1000, 1000] : [50, 100]);
      }
    });
  }

  test('413 and 503 with Retry-After (asked for with ?retry_after=) are repeated after it', async () => {
    for (const code of [413, 503]) {
      events.length = 0;
      clock.sleeps.length = 0;
      const error = await client.put(`/status/${code}?retry_after=3`, { json: {} }).catch((e: unknown) => e);
      assert.ok(error instanceof HttpError);
      assert.equal(error.guidance, 'retry-after');
      assert.equal(events.length, 3);
      assert.deepEqual(clock.sleeps, [3000, 3000]);
    }
  });

  test('a job: 202, then waitFor polls the status resource and follows its 303 to the result', async () => {
    clock.sleeps.length = 0;
    const accepted = await client.post('/jobs', { json: { operation: 'sum', values: [1, 2, 3.5] } });
    assert.equal(accepted.status, 202);
    const result = await client.waitFor(accepted);
    assert.equal(result.status, 200);
    assert.match(result.url, /\/jobs\/job-\d+\/result$/);
    const body = (await result.json()) as { operation: string; count: number; value: number };
    assert.deepEqual([body.operation, body.count, body.value], ['sum', 3, 6.5]);
    // No Retry-After on the 202: poll.interval; then the running job's own Retry-After (1 s).
    assert.deepEqual(clock.sleeps, [1000, 1000]);
  });

  test('a POST redirected with 303 arrives as GET; with 307 as POST with its body', async () => {
    const seeOther = (await client.post('/redirect/303', { json: { a: 1 } }).json()) as { method: string };
    assert.equal(seeOther.method, 'GET');
    const temporary = (await client.post('/redirect/307', { json: { a: 1 } }).json()) as {
      method: string;
      body_bytes: number;
    };
    assert.deepEqual(temporary, { method: 'POST', path: '/redirected', body_bytes: 7 });
  });
});
