import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { formatHttpDate } from '../../src/server/helpers/http-date.ts';
import { parseResponse, wire } from './support/http.ts';
import { assertContract, json, type TestLab, testLab } from './support/lab.ts';

const JSON_HEADERS = { 'Content-Type': 'application/json' };

describe('lab streams: versioned resources with ETags', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab({ bodyLimit: 512 });
  });
  after(() => lab.close());

  const create = (body: unknown) => lab.send('POST', '/streams', JSON_HEADERS, JSON.stringify(body));

  it('201 + Location + ETag when a stream is created; the Location reads it back', async () => {
    const r = await create({ name: 'orders', partitions: 3 });
    const body = assertContract(r, 201);
    assert.equal(r.headers.location, '/streams/orders');
    assert.match(r.headers.etag ?? '', /^"[\w-]+"$/);
    assert.equal(body.partitions, 3);
    const back = await lab.send('GET', r.headers.location as string);
    assertContract(back, 200);
    assert.equal(back.headers.etag, r.headers.etag);
    assert.deepEqual(json(back), body);
  });

  it('picks a name when the body has none, so the same body can create again', async () => {
    const a = await create({ partitions: 1 });
    const b = await create({ partitions: 1 });
    assertContract(a, 201);
    assertContract(b, 201);
    assert.notEqual(a.headers.location, b.headers.location);
  });

  it('409 when the stream exists', async () => {
    await create({ name: 'twice', partitions: 1 });
    const body = assertContract(await create({ name: 'twice', partitions: 1 }), 409);
    assert.equal(body.error_code, 'SVC.0409.EXISTS');
  });

  it('422 naming the failing fields when the body does not validate', async () => {
    const body = assertContract(await create({ name: 'Bad Name', partitions: 0, colour: 'red' }), 422);
    assert.deepEqual(
      (body.fields as { field: string }[]).map((f) => f.field),
      ['/name', '/partitions', '/colour'],
    );
  });

  it('304 with the ETag and no body for a conditional GET that still matches', async () => {
    const first = await lab.send('GET', '/streams/example');
    const etag = first.headers.etag as string;
    assertContract(await lab.send('GET', '/streams/example', { 'If-None-Match': etag }), 304);
    const since = await lab.send('GET', '/streams/example', {
      'If-Modified-Since': first.headers['last-modified'] as string,
    });
    assertContract(since, 304);
    assert.equal(since.headers.etag, etag);
  });

  it('412 for an update with a stale If-Match; the current If-Match wins', async () => {
    const created = await create({ name: 'race', partitions: 1 });
    const v1 = created.headers.etag as string;
    const update = (etag: string, partitions: number) =>
      lab.send('PUT', '/streams/race', { ...JSON_HEADERS, 'If-Match': etag }, JSON.stringify({ partitions }));
    const won = await update(v1, 2);
    assertContract(won, 200);
    assert.notEqual(won.headers.etag, v1);
    const lost = assertContract(await update(v1, 3), 412);
    assert.equal(lost.error_code, 'SVC.0412.PRECONDITION');
    assert.equal(json(await lab.send('GET', '/streams/race')).partitions, 2);
  });

  it('412 when another update lands while the body is still arriving (no lost update)', async () => {
    const etag = (await create({ name: 'slowpoke', partitions: 1 })).headers.etag as string;
    // Request A sends its headers and waits for 100 Continue: its handler has checked If-Match and is reading.
    const a = connect(lab.port, '127.0.0.1');
    await once(a, 'connect');
    const chunks: Buffer[] = [];
    a.on('data', (c: Buffer) => chunks.push(c));
    const body = '{"partitions":7}';
    a.write(
      wire('PUT', '/streams/slowpoke', {
        ...JSON_HEADERS,
        'If-Match': etag,
        Expect: '100-continue',
        'Content-Length': String(body.length),
      }),
    );
    await once(a, 'data');
    assert.match(Buffer.concat(chunks).toString(), /^HTTP\/1\.1 100 Continue/);
    // Request B, with the same If-Match, completes first.
    const b = await lab.send('PUT', '/streams/slowpoke', { ...JSON_HEADERS, 'If-Match': etag }, '{"partitions":5}');
    assertContract(b, 200);
    a.write(body);
    await once(a, 'close');
    assertContract(parseResponse(Buffer.concat(chunks)), 412);
    assert.equal(json(await lab.send('GET', '/streams/slowpoke')).partitions, 5);
  });

  it('412 for If-Unmodified-Since before the last change', async () => {
    await create({ name: 'dated', partitions: 1 });
    lab.clock.advance(5000);
    await lab.send('PUT', '/streams/dated', JSON_HEADERS, JSON.stringify({ partitions: 4 }));
    const before = formatHttpDate(lab.clock.now() - 3000);
    const r = await lab.send('DELETE', '/streams/dated', { 'If-Unmodified-Since': before });
    assertContract(r, 412);
  });

  it('PUT takes back the body GET gave', async () => {
    const got = await lab.send('GET', '/streams/example');
    const r = await lab.send(
      'PUT',
      '/streams/example',
      { ...JSON_HEADERS, 'If-Match': got.headers.etag as string },
      got.body.toString(),
    );
    assertContract(r, 200);
  });

  it('PUT creates a missing stream (201); with If-None-Match: * it will not overwrite (412)', async () => {
    const put = (h: Record<string, string>) =>
      lab.send('PUT', '/streams/by-put', { ...JSON_HEADERS, ...h }, '{"partitions":1}');
    const r = await put({ 'If-None-Match': '*' });
    assertContract(r, 201);
    assert.equal(r.headers.location, '/streams/by-put');
    assertContract(await put({ 'If-None-Match': '*' }), 412);
  });

  it('204 on delete, then 410 for good: GET, PUT, DELETE and re-creating the name', async () => {
    await create({ name: 'doomed', partitions: 1 });
    assertContract(await lab.send('DELETE', '/streams/doomed'), 204);
    assertContract(await lab.send('GET', '/streams/doomed'), 410);
    assertContract(await lab.send('PUT', '/streams/doomed', JSON_HEADERS, '{"partitions":1}'), 410);
    assertContract(await lab.send('DELETE', '/streams/doomed'), 410);
    assertContract(await create({ name: 'doomed', partitions: 1 }), 409);
  });

  it('404 for a stream never created', async () => {
    assertContract(await lab.send('GET', '/streams/never-was'), 404);
  });

  it('records append (200); reset answers 205 with no content and empties the stream', async () => {
    await create({ name: 'events', partitions: 1 });
    const appended = await lab.send(
      'POST',
      '/streams/events/records',
      JSON_HEADERS,
      JSON.stringify({ records: [{ data: 'a' }, { data: 'b' }] }),
    );
    assert.deepEqual(assertContract(appended, 200), { appended: 2, record_count: 2 });
    const reset = await lab.send('POST', '/streams/events/reset');
    assertContract(reset, 205);
    assert.equal(reset.headers['content-length'], '0');
    assert.equal(json(await lab.send('GET', '/streams/events')).record_count, 0);
  });

  it('400 for malformed JSON, 415 for another media type (with Accept-Post), 411 without Content-Length', async () => {
    assertContract(await lab.send('POST', '/streams', JSON_HEADERS, '{"partitions":'), 400);
    const r415 = await lab.send('POST', '/streams', { 'Content-Type': 'text/plain' }, 'partitions=1');
    assertContract(r415, 415);
    assert.match(r415.headers['accept-post'] ?? '', /application\/json/);
    const chunked = { ...JSON_HEADERS, 'Transfer-Encoding': 'chunked' };
    assertContract(await lab.send('POST', '/streams', chunked, '10\r\n{"partitions":1}\r\n0\r\n\r\n'), 411);
  });

  it('413 with Connection: close for a body over the limit, before reading it', async () => {
    const r = await lab.send('POST', '/streams', { ...JSON_HEADERS, 'Content-Length': '100000' });
    assertContract(r, 413);
    assert.equal(r.headers.connection, 'close');
  });

  it('406 when Accept excludes JSON', async () => {
    assertContract(await lab.send('GET', '/streams', { Accept: 'image/png' }), 406);
  });

  it('100 Continue before the body when the client expects it', async () => {
    const r = await lab.send('POST', '/streams', { ...JSON_HEADERS, Expect: '100-continue' }, '{"partitions":1}');
    assert.deepEqual(
      r.interim.map((i) => i.status),
      [100],
    );
    assertContract(r, 201);
  });
});
