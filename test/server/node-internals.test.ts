// Each accessor of src/server/node-internals.ts over a real server on 127.0.0.1: these fail
// when node renames an undocumented field or stops honouring it.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import {
  advertiseKeepAlive,
  inFlightResponse,
  markDrained,
  overrideWriteHead,
} from '../../src/server/node-internals.ts';

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

/** A server answering with `handler`, and the raw answer to one GET on a kept-alive connection. */
async function exchange(t: import('node:test').TestContext, handler: Listener): Promise<string> {
  const server = createServer(handler);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  const { port } = server.address() as { port: number };
  const socket: Socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  let raw = '';
  return new Promise((ok) => {
    socket.on('data', (d) => {
      raw += d.toString('latin1');
      if (raw.includes('\r\n\r\n') && raw.endsWith('ok')) ok(raw);
    });
  });
}

const answer = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-length': '2' });
  res.end('ok');
};

test('advertiseKeepAlive: _keepAliveTimeout is a number node reads into Keep-Alive: timeout=N', async (t) => {
  const raw = await exchange(t, (_req, res) => {
    assert.equal(typeof (res as unknown as { _keepAliveTimeout: unknown })._keepAliveTimeout, 'number');
    advertiseKeepAlive(res, 7_000);
    answer(res);
  });
  assert.match(raw, /\r\nKeep-Alive: timeout=7\r\n/i);
});

test('inFlightResponse: the response under way while busy, null once the socket is idle', async (t) => {
  let busy: unknown;
  let idle: Promise<unknown> | undefined;
  await exchange(t, (req, res) => {
    busy = inFlightResponse(req.socket) === res;
    const socket = req.socket;
    idle = new Promise((ok) => res.once('finish', () => setImmediate(() => ok(inFlightResponse(socket)))));
    answer(res);
  });
  assert.equal(busy, true);
  assert.equal(await idle, null);
});

/** Whether the request emits 'end' within 100 ms of its answer: node drains an unread request. */
async function endsAfterAnswer(t: import('node:test').TestContext, mark: boolean): Promise<boolean> {
  let ended: Promise<boolean> | undefined;
  await exchange(t, (req, res) => {
    assert.equal(typeof (req as unknown as { _dumped: unknown })._dumped, 'boolean');
    if (mark) markDrained(req);
    ended = new Promise((ok) => {
      req.once('end', () => ok(true));
      setTimeout(() => ok(false), 100);
    });
    // Listening to 'end' must not start the stream itself: pause it, as an unread request is.
    req.pause();
    answer(res);
  });
  return ended as Promise<boolean>;
}

test('markDrained: _dumped=true stops node draining the request after the answer', async (t) => {
  assert.equal(await endsAfterAnswer(t, false), true, 'node drains an unmarked request');
  assert.equal(await endsAfterAnswer(t, true), false, 'a marked request is not drained');
});

test("overrideWriteHead: node's implicit head goes through the response's own writeHead", async (t) => {
  let calls = 0;
  const raw = await exchange(t, (_req, res) => {
    overrideWriteHead(res, function (this: ServerResponse, ...args: unknown[]) {
      calls++;
      this.appendHeader('x-added', 'yes');
      return (Object.getPrototypeOf(this).writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
    });
    res.setHeader('content-length', '2');
    res.end('ok'); // no writeHead: node writes the head implicitly
  });
  assert.equal(calls, 1);
  assert.match(raw, /\r\nx-added: yes\r\n/i);
});
