/**
 * The lab's memory is bounded whatever is sent: records per stream and over
 * all streams are capped (409 RECORDS_FULL), appends never copy what a
 * stream holds, deleted names are remembered up to a bound; and a job whose
 * result is not a finite number is refused (422).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { StreamStore } from '../../src/lab/streams.ts';
import { assertContract, json, manualClock, type TestLab, testLab } from './support/lab.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('lab bounds over real sockets', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab({ maxRecords: 3, maxRecordsTotal: 5 });
  });
  after(() => lab.close());

  const create = (name: string) => lab.send('POST', '/streams', JSON_HEADERS, JSON.stringify({ name, partitions: 1 }));
  const append = (name: string, n: number) =>
    lab.send(
      'POST',
      `/streams/${name}/records`,
      JSON_HEADERS,
      JSON.stringify({ records: Array.from({ length: n }, (_, i) => ({ data: `r${i}` })) }),
    );

  it('a stream takes records up to its maximum, then 409 RECORDS_FULL with nothing appended', async () => {
    assertContract(await create('alpha'), 201);
    assert.equal(json(await append('alpha', 2)).record_count, 2);
    const full = await append('alpha', 2);
    const body = assertContract(full, 409);
    assert.match(String(body.error_code), /RECORDS_FULL$/);
    assert.equal(json(await lab.send('GET', '/streams/alpha')).record_count, 2);
    assert.equal(json(await append('alpha', 1)).record_count, 3);
  });

  it('the lab-wide maximum holds over streams; a reset frees its records', async () => {
    assertContract(await create('bravo'), 201);
    assert.equal(json(await append('bravo', 2)).record_count, 2);
    assertContract(await append('bravo', 1), 409); // 3 + 2 + 1 > 5
    assert.equal((await lab.send('POST', '/streams/alpha/reset')).status, 205);
    assert.equal(json(await append('bravo', 1)).record_count, 3);
  });

  it('a job whose result is not finite is 422, not a result of null', async () => {
    const r = await lab.send(
      'POST',
      '/jobs',
      JSON_HEADERS,
      JSON.stringify({ operation: 'sum', values: [1e308, 1e308] }),
    );
    const body = assertContract(r, 422);
    assert.deepEqual(body.fields, [{ field: '/values', problem: 'has no finite sum' }]);
    assertContract(
      await lab.send('POST', '/jobs', JSON_HEADERS, JSON.stringify({ operation: 'sum', values: [1, 2] })),
      202,
    );
  });
});

describe('StreamStore internals', () => {
  it('appends in place: every version shares the one record list (no copy per append)', () => {
    const store = new StreamStore(manualClock().now, 10, 1000, 1000);
    const first = store.create({ name: 'abc', partitions: 1 });
    const a = store.append('abc', [{ data: 'x' }]);
    const b = store.append('abc', [{ data: 'y' }]);
    assert.equal(a.records, b.records);
    assert.equal(first.records, b.records);
    assert.equal(a.view.record_count, 1, 'each version keeps its own count');
    assert.equal(b.view.record_count, 2);
  });

  it('remembers at most `max` deleted names: the oldest is forgotten (404 instead of 410)', () => {
    const store = new StreamStore(manualClock().now, 2);
    for (const name of ['one', 'two', 'three']) {
      store.create({ name, partitions: 1 });
      store.delete(name);
    }
    assert.equal(store.find('one'), undefined);
    assert.equal(store.find('two'), 'gone');
    assert.equal(store.find('three'), 'gone');
  });
});
