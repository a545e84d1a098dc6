/**
 * trustProxy (src/gateway/proxy/client-address.ts): the client address comes from
 * Forwarded / X-Forwarded-For only through trusted hops, and that address is
 * the one the `ip` rate-limit key, the access log and the X-Forwarded-For sent
 * upstream use. A client spoofing the headers from an untrusted peer changes
 * nothing.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { checkGatewayConfig } from '../../src/gateway/config/index.ts';
import { resolveClient, trustedProxies } from '../../src/gateway/proxy/client-address.ts';
import {
  completeByLength,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

const at = (peer: string, headers: Record<string, string>) =>
  ({ socket: { remoteAddress: peer }, headers }) as unknown as IncomingMessage;

describe('the client address through trusted proxies', () => {
  it('compiles addresses and CIDR blocks, and refuses what is neither', () => {
    const t = trustedProxies(['10.0.0.0/8', '127.0.0.1', 'fd00::/8', '::1']);
    for (const a of ['10.1.2.3', '127.0.0.1', '::ffff:127.0.0.1', 'fd12::1', '::1']) assert.ok(t.trusts(a), a);
    for (const a of ['11.0.0.1', '127.0.0.2', 'fe80::1', 'unknown']) assert.ok(!t.trusts(a), a);
    for (const bad of ['10.0.0.0/33', 'fd00::/129', 'localhost', '10.0.0.0/', '1.2.3.4/8/1', ''])
      assert.throws(() => trustedProxies([bad]), /an IP address or CIDR block/, bad);
    assert.throws(
      () => checkGatewayConfig({ trustProxy: ['10.0.0.0/8', 'nope'] }),
      /trustProxy\[1\]: an IP address or CIDR block/,
    );
  });

  it('walks the hops right to left, stopping at the first untrusted one', () => {
    const t = trustedProxies(['127.0.0.1', '10.0.0.0/8']);
    const cases: [string, Record<string, string>, string][] = [
      ['127.0.0.1', {}, '127.0.0.1'],
      ['127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, '203.0.113.9'],
      ['127.0.0.1', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.1.1.1' }, '203.0.113.9'],
      ['127.0.0.1', { 'x-forwarded-for': 'not-an-ip, 10.1.1.1' }, '10.1.1.1'],
      ['127.0.0.1', { 'x-forwarded-for': '10.2.2.2, 10.1.1.1' }, '10.2.2.2'],
      ['127.0.0.1', { forwarded: 'for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"' }, '2001:db8:cafe::17'],
      ['127.0.0.1', { forwarded: 'for=unknown', 'x-forwarded-for': '203.0.113.9' }, '127.0.0.1'],
      ['127.0.0.1', { forwarded: 'for="192.0.2.43:47011"' }, '192.0.2.43'],
      ['::ffff:127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }, '203.0.113.9'],
      ['192.0.2.1', { 'x-forwarded-for': '203.0.113.9' }, '192.0.2.1'],
      ['192.0.2.1', { forwarded: 'for=203.0.113.9' }, '192.0.2.1'],
    ];
    for (const [peer, headers, client] of cases)
      assert.equal(resolveClient(at(peer, headers), t), client, JSON.stringify(headers));
  });
});

for (const trusted of [true, false]) {
  describe(`through a gateway whose peer is ${trusted ? '' : 'not '}a trusted proxy`, () => {
    let upstream: Upstream;
    let gateway: RunningGateway;
    before(async () => {
      upstream = await startUpstream((_req, res) => res.end('ok'));
      gateway = await startGateway({
        trustProxy: trusted ? ['127.0.0.0/8'] : ['10.0.0.0/8'],
        routes: [{ path: '/', targets: [upstream.url] }],
        policies: { rateLimit: { limit: 2, window: '60s', key: 'ip' } },
      });
    });
    after(async () => {
      await gateway.close();
      await upstream.close();
    });
    const send = (headers: string[]) =>
      rawExchange(
        gateway.port,
        `GET /x HTTP/1.1\r\nHost: gw\r\n${headers.map((h) => `${h}\r\n`).join('')}\r\n`,
        completeByLength,
      );

    it(
      trusted
        ? 'each forwarded client has its own bucket, log line and X-Forwarded-For'
        : 'spoofed headers choose no bucket, no log address, nothing upstream',
      async () => {
        const statuses: number[] = [];
        for (const xff of ['198.51.100.1', '198.51.100.1', '198.51.100.1', '198.51.100.2', '198.51.100.3']) {
          statuses.push(
            (await send([`X-Forwarded-For: ${xff}`, 'Forwarded: for=192.0.2.99', 'X-Real-IP: 192.0.2.98'])).status,
          );
        }
        // Forwarded wins over X-Forwarded-For when both are present (RFC 7239): with trust, every request is 192.0.2.99.
        assert.deepEqual(statuses, [200, 200, 429, 429, 429]);
        const clients = trusted ? ['198.51.100.7', '198.51.100.8'] : ['127.0.0.1'];
        if (trusted) {
          assert.equal((await send(['X-Forwarded-For: 198.51.100.7'])).status, 200);
          assert.equal((await send(['X-Forwarded-For: 198.51.100.8'])).status, 200);
        }
        const seen = upstream.seen.at(-1)?.headers;
        if (trusted) {
          assert.equal(seen?.['x-forwarded-for'], '198.51.100.8, 127.0.0.1');
        } else {
          assert.equal(seen?.['x-forwarded-for'], '127.0.0.1');
          assert.equal(seen?.forwarded, undefined);
          assert.equal(seen?.['x-real-ip'], undefined);
        }
        await waitFor(
          'access lines',
          () => gateway.logs.filter((l) => l.msg === 'request').length >= statuses.length + (trusted ? 2 : 0),
        );
        const logged = new Set(gateway.logs.filter((l) => l.msg === 'request').map((l) => l.client));
        assert.deepEqual([...logged].sort(), trusted ? ['192.0.2.99', ...clients].sort() : clients);
      },
    );
  });
}
