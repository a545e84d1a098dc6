import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { parseResponse } from './support/http.ts';
import { assertContract, type TestLab, testLab } from './support/lab.ts';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
// RFC 6455 §1.3: the accept value is base64(SHA-1(key + GUID)).
const ACCEPT = createHash('sha1').update(`${KEY}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');

/** Sends an opening handshake and returns the parsed head of the answer (the socket stays open for 101). */
async function handshake(port: number, path: string, extra: Record<string, string> = {}) {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const headers = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': KEY,
    'Sec-WebSocket-Version': '13',
    ...extra,
  };
  const lines = Object.entries(headers).filter(([, v]) => v !== '');
  socket.write(`GET ${path} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  let data = Buffer.alloc(0);
  for (;;) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    data = Buffer.concat([data, chunk]);
    const end = data.indexOf('\r\n\r\n');
    if (end === -1) continue;
    const head = parseResponse(data.subarray(0, end + 4), 'HEAD');
    if (head.status === 101) {
      socket.destroy();
      return head;
    }
    // A refusal carries a body and closes: read it all.
    if (!socket.readableEnded) await once(socket, 'end').catch(() => undefined);
    socket.destroy();
    return parseResponse(data);
  }
}

describe('lab WebSocket echo through a real 101 upgrade', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab();
  });
  after(() => lab.close());

  for (const path of ['/ws/echo', '/status/101']) {
    it(`101 with Upgrade, Connection and Sec-WebSocket-Accept on ${path}`, async () => {
      const r = await handshake(lab.port, path);
      assertContract(r, 101);
      assert.equal(r.headers.upgrade, 'websocket');
      assert.equal(r.headers['sec-websocket-accept'], ACCEPT);
    });
  }

  it('echoes text and binary messages', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${lab.port}/ws/echo`);
    await once(ws, 'open');
    const next = () => once(ws, 'message') as Promise<[Buffer, boolean]>;
    let reply = next();
    ws.send('hello lab');
    const [text, textIsBinary] = await reply;
    assert.equal(text.toString(), 'hello lab');
    assert.equal(textIsBinary, false);
    reply = next();
    ws.send(Buffer.from([0, 1, 2, 255]));
    const [bin, binIsBinary] = await reply;
    assert.deepEqual([...bin], [0, 1, 2, 255]);
    assert.equal(binIsBinary, true);
    ws.close();
    await once(ws, 'close');
  });

  it('400 with the contract body for a broken handshake', async () => {
    const noKey = await handshake(lab.port, '/ws/echo', { 'Sec-WebSocket-Key': '' });
    assert.match(assertContract(noKey, 400).error_msg as string, /Sec-WebSocket-Key/);
    const oldVersion = await handshake(lab.port, '/ws/echo', { 'Sec-WebSocket-Version': '8' });
    assertContract(oldVersion, 400);
    assert.equal(oldVersion.headers['sec-websocket-version'], '13');
    const h2c = await handshake(lab.port, '/ws/echo', { Upgrade: 'h2c' });
    assert.match(assertContract(h2c, 400).error_msg as string, /websocket/);
  });

  it('a plain GET on the echo route says how to use it', async () => {
    assertContract(await lab.send('GET', '/ws/echo'), 200);
  });
});
