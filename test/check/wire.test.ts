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

  it('sends malformed requests byte for byte: no Host, Host twice, raw bytes outside ASCII', async (t) => {
    const seen: Buffer[] = [];
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      let got = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        got = Buffer.concat([got, chunk]);
        if (!got.includes('\r\n\r\n')) return;
        seen.push(got);
        socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    await runCheck(url, { only: ['400-host-missing', '400-host-repeated', '400-target-bytes'], concurrency: 1 });
    const heads = seen.map((b) => b.toString('latin1'));
    const port = new URL(url).port;
    assert.ok(heads.includes('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'), 'no Host line at all');
    const twice = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    assert.ok(heads.includes(twice), 'the same Host line twice');
    const bytes = seen.find((b) => b.includes(Buffer.from('caf')));
    assert.deepEqual(
      bytes?.subarray(0, 14),
      Buffer.from([...Buffer.from('GET /caf'), 0xc3, 0xa9, ...Buffer.from(' HTT')]),
    );
  });
});
