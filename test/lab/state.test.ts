import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobQueue } from '../../src/lab/jobs.ts';
import { FixedWindow } from '../../src/lab/limiter.ts';
import { resolveLabOptions } from '../../src/lab/options.ts';
import { StreamStore } from '../../src/lab/streams.ts';
import { manualClock } from './support/lab.ts';

describe('lab state', () => {
  it('a fixed window counts per key, resets after the window, and keeps at most maxKeys', () => {
    const clock = manualClock();
    const w = new FixedWindow(2, 1000, clock.now, 3);
    assert.deepEqual(w.hit('a'), { allowed: true, remaining: 1, reset: 1 });
    assert.equal(w.hit('a').allowed, true);
    assert.deepEqual(w.hit('a'), { allowed: false, remaining: 0, reset: 1 });
    assert.equal(w.hit('b').allowed, true);
    clock.advance(1000);
    assert.equal(w.hit('a').allowed, true);
    for (const k of ['c', 'd', 'e', 'f']) w.hit(k);
    assert.ok(w.size <= 3, `size ${w.size}`);
  });

  it('a stream changes version and ETag on every change; its ETag is strong', () => {
    const clock = manualClock();
    const store = new StreamStore(clock.now, 10);
    const a = store.create({ name: 'abc', partitions: 1 });
    const b = store.replace('abc', { partitions: 2 });
    assert.match(a.etag, /^"[\w-]{22}"$/);
    assert.notEqual(a.etag, b.etag);
    assert.equal(b.version, 2);
    assert.equal(store.append('abc', [{ data: 'x' }]).view.record_count, 1);
    assert.equal(store.reset('abc').view.record_count, 0);
  });

  it('refuses a full store with 409 and a renamed PUT with 409', () => {
    const store = new StreamStore(manualClock().now, 1);
    store.create({ name: 'one', partitions: 1 });
    assert.throws(() => store.create({ partitions: 1 }), { status: 409, subcode: 'FULL' });
    assert.throws(() => store.replace('one', { name: 'two', partitions: 1 }), { status: 409, subcode: 'NAME' });
  });

  it('jobs finish on the clock and the oldest is forgotten past maxJobs', () => {
    const clock = manualClock();
    const jobs = new JobQueue(clock.now, 1000, 2);
    const first = jobs.submit({ operation: 'max', values: [3, 9, 4] });
    jobs.submit({ operation: 'min', values: [3] });
    assert.throws(() => jobs.result(first.id), { status: 404, subcode: 'RUNNING' });
    clock.advance(1000);
    assert.equal(jobs.result(first.id).value, 9);
    jobs.submit({ operation: 'sum', values: [1] });
    assert.throws(() => jobs.get(first.id), { status: 404 });
  });

  it('lab options: defaults, and a TypeError naming a bad one', () => {
    const o = resolveLabOptions();
    assert.equal(o.profile, 'generic');
    assert.equal(o.jobDuration, 2000);
    assert.throws(() => resolveLabOptions({ jobDuration: -1 }), /jobDuration must be a positive number/);
    assert.throws(() => resolveLabOptions({ profile: 'dsi' as never }), /Unknown profile "dsi"/);
  });
});
