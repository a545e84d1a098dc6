import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { after, describe, it } from 'node:test';
import { listenOn, urlOf } from '../../src/gateway/listener.ts';

describe('the listening server (src/gateway/listener.ts)', () => {
  it('writes an IPv6 literal in brackets, IPv4 and names as they are (RFC 3986 §3.2.2)', () => {
    assert.equal(urlOf('http', { address: '127.0.0.1', port: 80 }), 'http://127.0.0.1:80');
    assert.equal(urlOf('https', { address: '::1', port: 8443 }), 'https://[::1]:8443');
    assert.equal(urlOf('http', { address: 'fe80::1%eth0', port: 1 }), 'http://[fe80::1%eth0]:1');
    assert.equal(urlOf('http', { address: 'localhost', port: 9090 }), 'http://localhost:9090');
  });

  const servers: ReturnType<typeof createServer>[] = [];
  after(() => {
    for (const s of servers) s.close();
  });
  for (const host of ['127.0.0.1', '::1']) {
    it(`listenOn(${host}, 0) resolves with a URL a client can reach`, async (t) => {
      const s = createServer((_req, res) => res.end('here'));
      servers.push(s);
      let url: string;
      try {
        url = await listenOn(s, host, 0);
      } catch (err) {
        // A machine without IPv6 on loopback: nothing to check here.
        if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') return t.skip('no ::1 on this machine');
        throw err;
      }
      assert.match(url, host.includes(':') ? /^http:\/\/\[::1\]:\d+$/ : /^http:\/\/127\.0\.0\.1:\d+$/);
      const body = await new Promise<string>((resolve, reject) => {
        request(new URL(url), (res) => {
          let text = '';
          res.on('data', (c: Buffer) => {
            text += c;
          });
          res.on('end', () => resolve(text));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(body, 'here');
    });
  }
});
