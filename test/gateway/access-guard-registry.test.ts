/**
 * The access guards' registry (src/gateway/policies/registry.ts), like the
 * front's (test/server/guard-registry.test.ts): every code an access guard
 * issues has one owner, the owners run in contract order, and what each
 * guard answers over a real socket is a code and sub-code it owns, with the
 * decision it records in the access log.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { getCode } from '../../src/catalog/index.ts';
import { ConfigReader } from '../../src/gateway/config/reader.ts';
import { ACCESS_GUARDS, type AccessGuardName, createPolicies, readPolicies } from '../../src/gateway/policies/index.ts';
import { GUARDS } from '../../src/server/index.ts';
import {
  completeByLength,
  parseRaw,
  type RunningGateway,
  rawExchange,
  startGateway,
  startUpstream,
  type Upstream,
  waitFor,
} from './support.ts';

const owner = (code: number, subcode: string): AccessGuardName | undefined =>
  ACCESS_GUARDS.find((g) => g.owns.some((o) => o.code === code && (o.subcodes as readonly string[]).includes(subcode)))
    ?.name;

describe('the access-guard registry', () => {
  it('runs drain, proxy auth, auth, rate, shed, budget: the contract order', () => {
    assert.deepEqual(
      ACCESS_GUARDS.map((g) => g.name),
      ['drain', 'proxy-auth', 'auth', 'rate', 'shed', 'budget'],
    );
  });

  it('gives every (code, sub-code) one owner, and none a front guard owns without a sub-code', () => {
    const seen = new Map<string, string>();
    for (const g of ACCESS_GUARDS) {
      for (const o of g.owns) {
        assert.ok(o.subcodes.length > 0, `${g.name}: ${o.code} lists its sub-codes`);
        for (const s of o.subcodes) {
          const k = `${o.code}.${s}`;
          assert.equal(seen.get(k), undefined, `${k} is owned by ${seen.get(k)} and ${g.name}`);
          seen.set(k, g.name);
          const front = GUARDS.find((f) => (f.owns as readonly number[]).includes(o.code));
          if (front) assert.notEqual(s, '', `${g.name} and the front's ${front.name} both answer ${o.code} bare`);
        }
      }
    }
    assert.ok(seen.size >= 15);
  });

  it('owns only codes the catalog lets the gateway issue', () => {
    for (const g of ACCESS_GUARDS) {
      for (const o of g.owns) {
        const entry = getCode(o.code);
        assert.ok(entry, `${g.name}: ${o.code} is not in the catalog`);
        assert.ok(
          (entry.issuedBy as readonly string[]).some((i) => i === 'gateway' || i === 'front'),
          `${g.name}: the catalog does not let the gateway issue ${o.code}`,
        );
      }
    }
  });

  it('createPolicies builds the configured guards in the registry order', () => {
    const r = new ConfigReader();
    const config = readPolicies(r, {
      bodyBudget: { maxBytes: 1000 },
      shed: { maxInFlight: 10 },
      rateLimit: { limit: 5, window: '60s' },
      auth: { apiKeys: [{ id: 'a', key: 'a-key-0001' }] },
      proxyAuth: { users: [{ user: 'u', password: 'p' }] },
    });
    assert.deepEqual(r.issues, []);
    const policies = createPolicies(config);
    assert.deepEqual(policies.names, ['proxy-auth', 'auth', 'rate', 'shed', 'budget']);
    assert.equal(policies.guards.length, 5);
    const some = createPolicies(
      readPolicies(new ConfigReader(), { bodyBudget: { maxBytes: 10 }, shed: { maxInFlight: 1 } }),
    );
    assert.deepEqual(some.names, ['shed', 'budget']);
  });
});

describe('each access guard answers with what it owns (real gateway)', () => {
  let upstream: Upstream;
  let gateway: RunningGateway;
  const held: ServerResponse[] = [];
  const proxy = `Proxy-Authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n`;
  const send = (head: string, body = '') =>
    rawExchange(gateway.port, `${head}Host: h\r\n\r\n${body}`, completeByLength);

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url === '/hold') held.push(res);
      else res.end('ok');
    });
    gateway = await startGateway({
      routes: [{ path: '/', targets: [upstream.url] }],
      policies: {
        proxyAuth: { users: [{ user: 'u', password: 'p' }] },
        auth: {
          apiKeys: [
            { id: 'alice', key: 'alice-key-1' },
            { id: 'bob', key: 'bob-key-01' },
            { id: 'carol', key: 'carol-key-1' },
          ],
        },
        rateLimit: { limit: 2, window: '60s', key: 'principal' },
        shed: { maxInFlight: 1 },
        bodyBudget: { maxBytes: 100 },
      },
    });
  });
  let closed = false;
  after(async () => {
    for (const res of held) res.end();
    if (!closed) await gateway.close();
    await upstream.close();
  });

  const check = async (res: Awaited<ReturnType<typeof send>>, name: AccessGuardName, status: number) => {
    assert.equal(res.status, status, res.text);
    const code = (JSON.parse(res.body) as { error_code: string }).error_code;
    const subcode = code.split('.')[2] ?? '';
    assert.equal(owner(status, subcode), name, `${code} belongs to ${name}`);
  };

  it('407 first, then 401: proxy auth runs before auth', async () => {
    await check(await send('GET /x HTTP/1.1\r\n'), 'proxy-auth', 407);
    await check(await send(`GET /x HTTP/1.1\r\n${proxy}`), 'auth', 401);
    await check(await send(`GET /x HTTP/1.1\r\n${proxy}X-Api-Key: nobody-key1\r\n`), 'auth', 401);
  });

  it('429 of the rate guard past the limit, its decision in the log', async () => {
    const alice = `GET /x HTTP/1.1\r\n${proxy}X-Api-Key: alice-key-1\r\n`;
    assert.equal((await send(alice)).status, 200);
    assert.equal((await send(alice)).status, 200);
    await check(await send(alice), 'rate', 429);
    const limits = () => gateway.logs.filter((l) => l.path === '/x' && l.limit !== undefined).map((l) => l.limit);
    await waitFor('three access lines with a decision', () => limits().length >= 3);
    assert.deepEqual(limits().slice(-3), ['allowed', 'allowed', 'limited']);
  });

  it('429 of the shedder while one request is in flight, recorded as shed', async () => {
    const bob = `${proxy}X-Api-Key: bob-key-01\r\n`;
    const first = rawExchange(gateway.port, `GET /hold HTTP/1.1\r\n${bob}Host: h\r\n\r\n`, completeByLength);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    await check(await send(`GET /x HTTP/1.1\r\n${bob}`), 'shed', 429);
    held.shift()!.end('done');
    assert.equal((await first).status, 200);
    await waitFor('the shed decision in the access log', () =>
      gateway.logs.some((l) => l.path === '/x' && l.limit === 'shed'),
    );
  });

  it('413 of the body budget for a body it can never hold', async () => {
    const res = await send(`POST /x HTTP/1.1\r\n${proxy}X-Api-Key: carol-key-1\r\nContent-Length: 200\r\n`);
    await check(res, 'budget', 413);
  });

  it('503 of drain before any other guard: a pipelined request without credentials, on a busy connection', async () => {
    const socket = connect(gateway.port, '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('latin1')));
    const done = once(socket, 'close');
    socket.write(`GET /hold HTTP/1.1\r\nHost: h\r\n${proxy}X-Api-Key: carol-key-1\r\n\r\n`);
    while (held.length === 0) await new Promise((r) => setTimeout(r, 5));
    const draining = gateway.gw.shutdown(5_000);
    socket.write('GET /x HTTP/1.1\r\nHost: h\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    held.shift()!.end('held');
    await done;
    const end = text.indexOf('held') + 'held'.length;
    assert.equal(parseRaw(text.slice(0, end), false).status, 200);
    await check(parseRaw(text.slice(end), true), 'drain', 503);
    await draining;
    closed = true;
  });
});
