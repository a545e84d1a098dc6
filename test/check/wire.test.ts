import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';

/** A raw TCP server that does `onData` with every connection's first bytes. */
async function raw(t: { after: (fn: () => void) => void }, onData: (socket: Socket) => void): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => onData(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('the checker against servers that misbehave on the wire', () => {
  it('reports bytes that are not HTTP', async (t) => {
    const url = await raw(t, (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n'));
    const [probe] = (await runCheck(url, { only: ['404-unknown-path'], timeout: 500 })).probes;
    assert.equal(probe?.verdict, 'fail');
    assert.match(probe?.reason ?? '', /^malformed status line "SSH-2\.0-OpenSSH_9\.6" \(expected 404 NotFound\)$/);
    assert.match(probe?.exchanges[0]?.error ?? '', /malformed status line/);
  });

  it('gives up on a server that never answers, after the timeout', async (t) => {
    const url = await raw(t, () => undefined);
    const result = await runCheck(url, { only: ['505'], timeout: 300 });
    assert.deepEqual(
      result.probes.map((p) => [p.id, p.verdict, p.reason]),
      [
        ['505-http2', 'fail', 'no answer within 300 ms (expected 505 HTTP Version not supported)'],
        ['505-http3', 'fail', 'no answer within 300 ms (expected 505 HTTP Version not supported)'],
      ],
    );
  });

  it('stops reading past its byte bound instead of buffering an endless body', async (t) => {
    const url = await raw(t, (s) => {
      s.write('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n');
      const chunk = Buffer.alloc(64 * 1024, 0x61);
      const pump = () => {
        while (!s.destroyed && s.write(chunk));
        if (!s.destroyed) s.once('drain', pump);
      };
      pump();
    });
    const [probe] = (await runCheck(url, { only: ['404-unknown-path'], maxBytes: 256 * 1024 })).probes;
    assert.equal(probe?.verdict, 'fail');
    const response = probe?.exchanges[0]?.response;
    assert.ok(response && response.bodyBytes <= 256 * 1024, `kept ${response?.bodyBytes} bytes`);
    assert.match(probe?.reason ?? '', /body is not JSON/);
  });
});
