/**
 * `statuskit check --http2` against `statuskit serve` with TLS in front of
 * the lab: every probe HTTP/2 can carry passes, the HTTP/1-only ones are
 * reported not applicable with the reason; HTTPS HTTP/1.1 passes too.
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCheck } from '../../src/check/run.ts';
import { type ServeProcess, startServe } from '../gateway/process.ts';
import { type Cert, makeCert } from '../gateway/tls-support.ts';

describe('statuskit check --http2 against statuskit serve with TLS', () => {
  let cert: Cert;
  let serve: ServeProcess;
  before(async () => {
    cert = makeCert();
    const file = join(cert.dir, 'gateway.yaml');
    writeFileSync(file, `listen: { host: 127.0.0.1, port: 0, tls: { cert: ${cert.cert}, key: ${cert.key} } }\n`);
    serve = await startServe(['--config', file, '--admin-port', '0']);
  });
  after(async () => {
    await serve?.stop();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it('passes every probe HTTP/2 carries; the HTTP/1-only ones are n/a with the reason', async () => {
    const result = await runCheck(serve.url, { http2: true, ca: cert.pem, load: 20 });
    assert.equal(result.targetSource, 'well-known');
    const failed = result.probes.filter((p) => p.verdict === 'fail').map((p) => `${p.id}: ${p.reason}`);
    assert.deepEqual(failed, []);
    const http1Only = result.probes.filter((p) => p.verdict === 'n/a' && p.reason.startsWith('HTTP/1-only'));
    assert.ok(
      http1Only.some((p) => p.id.startsWith('505')),
      'the version probes are HTTP/1-only',
    );
    assert.ok(result.summary.passed > 10, `passed ${result.summary.passed}`);
    // A body without Content-Length over HTTP/2 is the DATA frames (RFC 9113 §8.1): 411 where a length is required.
    assert.equal(result.probes.find((p) => p.id === '411-length')?.verdict, 'pass');
  });

  it('HTTPS HTTP/1.1 with --insecure passes too', async () => {
    const result = await runCheck(serve.url, { insecure: true, only: ['405', '413', '404'] });
    assert.ok(result.probes.length > 0);
    for (const p of result.probes) assert.equal(p.verdict, 'pass', `${p.id}: ${p.reason}`);
  });
});
