import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { closedPort, type RunningGateway, rawExchange, startGateway, startUpstream, type Upstream } from './support.ts';

describe('WebSocket through the gateway: 101 passed through, then bytes both ways', () => {
  let upstream: Upstream;
  let wss: WebSocketServer;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startUpstream((_req, res) => res.end('plain'));
    wss = new WebSocketServer({ noServer: true });
    upstream.server.on('upgrade', (req, socket, head) => {
      if (req.url === '/ws/forbidden') {
        socket.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n\r\nno way');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.send(`hello ${req.headers['x-request-id'] ? 'with id' : 'without id'}`);
        ws.on('message', (data) => ws.send(`echo: ${String(data)}`));
      });
    });
    const refused = await closedPort();
    gateway = await startGateway({
      routes: [
        { path: '/ws', targets: [upstream.url] },
        { path: '/down', targets: [`http://127.0.0.1:${refused}`], breaker: false },
        { path: '/nows', targets: [upstream.url], websocket: false },
      ],
    });
  });
  after(async () => {
    wss.close();
    await gateway.close();
    await upstream.close();
  });

  it('opens a WebSocket to the upstream and relays messages in both directions', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws/echo`);
    const messages: string[] = [];
    ws.on('message', (data) => messages.push(String(data)));
    // 'upgrade' and 'open' come in one tick: listen for both before waiting.
    const opened = once(ws, 'open');
    const [upgrade] = (await once(ws, 'upgrade')) as [{ statusCode: number; headers: Record<string, string> }];
    assert.equal(upgrade.statusCode, 101);
    assert.equal(upgrade.headers.via, '1.1 statuskit');
    await opened;
    ws.send('ping');
    while (messages.length < 2) await once(ws, 'message');
    assert.deepEqual(messages, ['hello with id', 'echo: ping']);
    ws.close();
    await once(ws, 'close');
  });

  it('relays the upstream refusing the upgrade as a complete answer', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${gateway.port}/ws/forbidden`);
    ws.on('error', () => {}); // terminate() below reports the unfinished handshake
    const [, res] = (await once(ws, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }];
    assert.equal(res.statusCode, 403);
    res.resume();
    ws.terminate();
  });

  it('502 with the error body on the raw socket when the upstream cannot be reached', async () => {
    const res = await rawExchange(
      gateway.port,
      'GET /down HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    assert.equal(res.status, 502);
    assert.equal(res.closed, true);
    assert.match((JSON.parse(res.body) as { error_code: string }).error_code, /^SVC\.0502/);
  });
});
