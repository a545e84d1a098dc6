import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { raw } from './support/http.ts';
import { assertContract, type TestLab, testLab } from './support/lab.ts';

/** Codes the lab answers through its statuskit front, each from a request that earns it. */
describe('lab: codes its front answers', () => {
  let lab: TestLab;
  before(async () => {
    lab = await testLab({ server: { limits: { bodyTimeout: 50 } } }); // 50 ms
  });
  after(() => lab.close());

  it('400 for Content-Length together with Transfer-Encoding', async () => {
    const r = await raw(
      lab.port,
      'POST /streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    assertContract(r, 400);
  });

  it('408 + Connection: close when the body stops arriving', async () => {
    const r = await raw(
      lab.port,
      'POST /streams HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{"partitions"',
    );
    assertContract(r, 408);
  });

  it('414 for a request target over the limit', async () => {
    assertContract(await lab.send('GET', `/streams/${'a'.repeat(20_000)}`), 414);
  });

  it('417 for an expectation other than 100-continue', async () => {
    assertContract(await lab.send('GET', '/streams', { Expect: 'tea' }), 417);
  });

  it('505 for an HTTP/2.0 request line', async () => {
    const r = await raw(lab.port, 'GET /streams HTTP/2.0\r\nHost: x\r\n\r\n');
    assertContract(r, 505);
  });

  it('HEAD answers like GET without content', async () => {
    const r = await lab.send('HEAD', '/streams/example');
    assert.equal(r.status, 200);
    assert.ok(r.headers.etag);
    assert.equal(r.body.length, 0);
  });
});
