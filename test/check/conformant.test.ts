import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import { startConformant, TARGET } from './support/conformant.ts';

describe('a server that follows the contract', () => {
  let url: string;
  let server: Server;
  before(async () => ({ url, server } = await startConformant()));
  after(() => server.closeAllConnections() ?? server.close());

  it('passes every probe, the slow and load ones included', async () => {
    const result = await runCheck(url, { target: TARGET, slow: true, slowWait: 5000, load: 10 });
    const failed = result.probes.filter((p) => p.verdict !== 'pass').map((p) => `${p.id}: ${p.reason}`);
    assert.deepEqual(failed, []);
    assert.equal(result.summary.passed, result.probes.length);
    assert.equal(result.targetSource, 'file');
  });

  it('reads the result line by line of the contract', async () => {
    const result = await runCheck(url, { target: TARGET, only: ['405', '505', '206'] });
    const line = (code: number) => result.contract.find((c) => c.code === code);
    assert.deepEqual(line(505), {
      code: 505,
      name: 'HTTP Version not supported',
      verdict: 'pass',
      probes: ['505-http2', '505-http3'],
    });
    assert.equal(line(405)?.verdict, 'pass');
    assert.equal(line(416)?.verdict, 'not probed');
    assert.equal(line(441), undefined, '441 is a code of the dis profile only');
  });

  it('records the exact request and the status line and headers observed', async () => {
    const result = await runCheck(url, { target: TARGET, only: ['405-allow'] });
    const [probe] = result.probes;
    assert.equal(probe?.id, '405-allow');
    const exchange = probe?.exchanges[0];
    assert.match(exchange?.request ?? '', /^DELETE \/g HTTP\/1\.1\r\nHost: 127\.0\.0\.1:\d+\r\n/);
    assert.equal(exchange?.response?.statusLine, 'HTTP/1.1 405 Method Not Allowed');
    assert.ok(exchange?.response?.headers.some(([n, v]) => n === 'Allow' && v.includes('GET')));
  });
});
