import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { blobContent } from '../../src/lab/routes/blob.ts';
import { assertContract, json, type TestLab, testLab } from './support/lab.ts';

describe('lab blob: byte ranges', () => {
  let lab: TestLab;
  const content = blobContent();
  before(async () => {
    lab = await testLab();
  });
  after(() => lab.close());

  it('200 with Accept-Ranges and validators without a Range', async () => {
    const r = await lab.send('GET', '/blob');
    assertContract(r, 200);
    assert.equal(r.headers['accept-ranges'], 'bytes');
    assert.ok(r.headers.etag && r.headers['last-modified']);
    assert.deepEqual(r.body, content);
  });

  it('206 with Content-Range and Accept-Ranges for a satisfiable Range', async () => {
    const r = await lab.send('GET', '/blob', { Range: 'bytes=64-127' });
    assertContract(r, 206);
    assert.equal(r.headers['content-range'], `bytes 64-127/${content.length}`);
    assert.deepEqual(r.body, content.subarray(64, 128));
    assert.match(r.body.toString(), /^line 01 of the statuskit lab blob/);
  });

  it('416 with Content-Range: bytes */LENGTH for a Range outside it', async () => {
    const r = await lab.send('GET', '/blob', { Range: `bytes=${content.length}-` });
    assertContract(r, 416);
    assert.equal(r.headers['content-range'], `bytes */${content.length}`);
  });

  it('304 for a conditional GET; a Range with a stale If-Range gets the whole', async () => {
    const etag = (await lab.send('GET', '/blob')).headers.etag as string;
    assertContract(await lab.send('GET', '/blob', { 'If-None-Match': etag }), 304);
    const r = await lab.send('GET', '/blob', { Range: 'bytes=0-9', 'If-Range': '"old"' });
    assertContract(r, 200);
    assert.equal(r.body.length, content.length);
  });

  it('405 with Allow for a method the route lacks; OPTIONS answers 204 with Allow', async () => {
    const r = await lab.send('POST', '/blob', { 'Content-Type': 'text/plain' }, 'x');
    assertContract(r, 405);
    assert.equal(r.headers.allow, 'GET, HEAD, OPTIONS');
    const o = await lab.send('OPTIONS', '/blob');
    assertContract(o, 204);
    assert.equal(o.headers.allow, 'GET, HEAD, OPTIONS');
  });
});

describe('lab jobs: 202, poll, 303', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab({ jobDuration: 2000 });
  });
  after(() => lab.close());

  const submit = (body: unknown) =>
    lab.send('POST', '/jobs', { 'Content-Type': 'application/json' }, JSON.stringify(body));

  it('202 + Location, 200 while running, 303 to the result once done', async () => {
    const accepted = await submit({ operation: 'mean', values: [1, 2, 3, 6] });
    const body = assertContract(accepted, 202);
    const status = accepted.headers.location as string;
    assert.match(status, /^\/jobs\/job-\d+$/);
    assert.equal(body.state, 'running');

    lab.clock.advance(500);
    const running = await lab.send('GET', status);
    assert.equal(assertContract(running, 200).progress, 25);
    assert.equal(running.headers['retry-after'], '2');
    assert.equal(running.headers['cache-control'], 'no-store');
    assertContract(await lab.send('GET', `${status}/result`), 404);

    lab.clock.advance(1500);
    const done = await lab.send('GET', status);
    assert.equal(assertContract(done, 303).state, 'succeeded');
    assert.equal(done.headers.location, `${status}/result`);
    const result = await lab.send('GET', done.headers.location as string);
    assert.deepEqual(json(result), { id: status.slice(6), operation: 'mean', count: 4, value: 3 });
  });

  it('422 for a job it cannot run; 404 for an unknown job', async () => {
    const body = assertContract(await submit({ operation: 'median', values: [] }), 422);
    assert.deepEqual(
      (body.fields as { field: string }[]).map((f) => f.field),
      ['/operation', '/values'],
    );
    assertContract(await lab.send('GET', '/jobs/job-999'), 404);
  });
});
