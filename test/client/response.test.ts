import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createClient } from '../../src/client/index.ts';
import { startServer } from './support.ts';

test('the answer behaves as a standard Response: bodyUsed, single read, clone, blob, formData, BOM', async (t) => {
  const server = await startServer((req, res) => {
    if (req.url === '/bom') return res.end(Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]));
    if (req.url === '/form') {
      res.writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' });
      return res.end('a=1&b=two');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"n":1}');
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));

  const once = await client.get('/json');
  assert.ok(once instanceof Response);
  assert.equal(once.bodyUsed, false);
  assert.deepEqual(await once.json(), { n: 1 });
  assert.equal(once.bodyUsed, true);
  await assert.rejects(once.text(), TypeError);

  const original = await client.get('/json');
  const copy = original.clone();
  assert.equal(copy.url, original.url);
  assert.equal(copy.headers.get('content-type'), 'application/json');
  assert.equal(await copy.text(), '{"n":1}');
  assert.equal(await original.text(), '{"n":1}');

  const blob = await (await client.get('/json')).blob();
  assert.equal(blob.type, 'application/json');
  assert.equal(await blob.text(), '{"n":1}');

  const form = await (await client.get('/form')).formData();
  assert.equal(form.get('b'), 'two');

  assert.equal(await (await client.get('/bom')).text(), 'hi');
  const raw = new Uint8Array(await (await client.get('/bom')).arrayBuffer());
  assert.deepEqual([...raw], [0xef, 0xbb, 0xbf, 0x68, 0x69]);
});

test('response.body streams a large answer chunk by chunk; reading it marks the body used', async (t) => {
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const server = await startServer((_req, res) => {
    let left = 32; // 2 MiB in all
    const write = (): void => {
      while (left > 0) {
        left--;
        if (!res.write(chunk)) return void res.once('drain', write);
      }
      res.end();
    };
    write();
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  const response = await client.get('/big');
  const body = response.body;
  assert.ok(body);
  let size = 0;
  let reads = 0;
  for await (const part of body) {
    size += part.byteLength;
    reads++;
  }
  assert.equal(size, 32 * chunk.length);
  assert.ok(reads > 1, 'more than one chunk');
  assert.equal(response.bodyUsed, true);
  await assert.rejects(response.arrayBuffer(), TypeError);

  // Read whole after the socket was paused (more than 64 KiB arrived unread): text() resumes it.
  const later = await client.get('/big');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal((await later.text()).length, 32 * chunk.length);
});

test('an unread small answer does not hold its connection: the next request on it goes through', async (t) => {
  const server = await startServer((_req, res) => res.end('x'.repeat(1000)));
  const { Agent } = await import('undici');
  const agent = new Agent({ connections: 1 });
  const client = createClient({ baseUrl: server.url, dispatcher: agent });
  t.after(async () => {
    await agent.destroy();
    await server.close();
  });
  for (let i = 0; i < 5; i++) await client.get(`/${i}`); // bodies never read
  assert.equal(await client.get('/last').text(), 'x'.repeat(1000));
  assert.equal(server.seen.length, 6);
});

test('cancelling a body mid-way frees the client for the next request', async (t) => {
  const server = await startServer((req, res) => {
    if (req.url === '/small') return res.end('small');
    res.write(Buffer.alloc(256 * 1024));
    // Never ends: only the client's cancel stops it.
  });
  const client = createClient({ baseUrl: server.url });
  t.after(() => Promise.all([server.close(), client.close()]));
  const response = await client.get('/endless');
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  await reader.read();
  await reader.cancel();
  assert.equal(await client.get('/small').text(), 'small');
});
