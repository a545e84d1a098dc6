/**
 * `listen.tls` from a configuration file: its errors placed at file:line:col,
 * and a real `statuskit serve` child process with TLS in front of the lab,
 * spoken to by curl over HTTP/2, HTTP/1.1 and h2c prior knowledge.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseConfigText } from '../../src/gateway/config/file.ts';
import { ConfigError } from '../../src/gateway/config/reader.ts';
import { type ServeProcess, startServe } from './process.ts';
import { type Cert, curlWithHttp2, makeCert } from './tls-support.ts';

const run = promisify(execFile);

function issuesOf(text: string): { line?: number; col?: number; field: string; message: string }[] {
  try {
    parseConfigText(text, 'gateway.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return [...error.issues];
  }
  assert.fail('expected a ConfigError');
}

/** curl's status line and headers, `-sk` style but trusting only `ca`; returns status, http version, headers, body. */
async function curl(args: string[]): Promise<{ version: string; status: number; head: string; body: string }> {
  const { stdout } = await run('curl', ['-s', '-D', '-', ...args], { encoding: 'latin1' });
  const end = stdout.indexOf('\r\n\r\n');
  const head = stdout.slice(0, end);
  const m = /^HTTP\/([\d.]+) (\d{3})/.exec(head);
  return { version: m?.[1] ?? '', status: Number(m?.[2]), head, body: stdout.slice(end + 4) };
}

describe('listen.tls in a configuration file', () => {
  let cert: Cert;
  before(() => {
    cert = makeCert();
  });
  after(() => rmSync(cert.dir, { recursive: true, force: true }));

  it('a missing file, a file holding no key, an unknown TLS version: each at its line and field', () => {
    const issues = issuesOf(
      [
        'listen:',
        '  port: 0',
        '  tls:',
        `    cert: ${join(cert.dir, 'nope.pem')}`,
        `    key: ${cert.cert}`,
        '    minVersion: TLSv1.1',
      ].join('\n'),
    );
    const by = (field: string) => issues.find((i) => i.field === field);
    assert.equal(by('listen.tls.cert')?.line, 4);
    assert.match(by('listen.tls.cert')?.message ?? '', /cannot read .*ENOENT/);
    assert.equal(by('listen.tls.key')?.line, 5);
    assert.match(by('listen.tls.key')?.message ?? '', /holds no PEM PRIVATE KEY/);
    assert.equal(by('listen.tls.minVersion')?.line, 6);
    assert.match(by('listen.tls.minVersion')?.message ?? '', /TLSv1\.2, TLSv1\.3/);
  });

  it('a key that is not the certificate’s, a tls block without a key, and a non-boolean http2', () => {
    const other = makeCert();
    try {
      const mismatch = issuesOf(`listen:\n  tls: { cert: ${cert.cert}, key: ${other.key} }\n`);
      assert.equal(mismatch[0]?.field, 'listen.tls.key');
      assert.match(mismatch[0]?.message ?? '', /does not go with the certificate/);
    } finally {
      rmSync(other.dir, { recursive: true, force: true });
    }
    const missing = issuesOf(`listen:\n  http2: yes please\n  tls: { cert: ${cert.cert} }\n`);
    assert.deepEqual(missing.map((i) => i.field).sort(), ['listen.http2', 'listen.tls.key']);
  });
});

describe('statuskit serve with TLS in front of the lab, through curl', () => {
  const noCurl = curlWithHttp2();
  let cert: Cert;
  let serve: ServeProcess;
  let h2c: ServeProcess;

  before(async () => {
    cert = makeCert();
    const file = join(cert.dir, 'gateway.yaml');
    writeFileSync(file, `listen: { host: 127.0.0.1, port: 0, tls: { cert: ${cert.cert}, key: ${cert.key} } }\n`);
    const cleartext = join(cert.dir, 'h2c.yaml');
    writeFileSync(cleartext, 'listen: { host: 127.0.0.1, port: 0, http2: true }\n');
    serve = await startServe(['--config', file, '--admin-port', '0']);
    h2c = await startServe(['--config', cleartext, '--admin-port', '0']);
  });
  after(async () => {
    await serve?.stop();
    await h2c?.stop();
    rmSync(cert.dir, { recursive: true, force: true });
  });

  it('the banner says https; the admin port stays plain HTTP', () => {
    assert.match(serve.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.match(serve.adminUrl ?? '', /^http:\/\//);
  });

  it('curl --http2: 200 over HTTP/2, and the contract error body for 404', { skip: noCurl }, async () => {
    const ok = await curl(['--http2', '--cacert', cert.cert, `${serve.url}/status/200`]);
    assert.equal(ok.version, '2');
    assert.equal(ok.status, 200, ok.head);
    const missing = await curl(['--http2', '--cacert', cert.cert, `${serve.url}/no/such/route/here`]);
    assert.equal(missing.version, '2');
    assert.equal(missing.status, 404);
    assert.match(missing.head, /x-request-id: /i);
    assert.doesNotMatch(missing.head, /^(connection|keep-alive|transfer-encoding):/im);
  });

  it('curl --http1.1 over TLS on the same port', { skip: noCurl }, async () => {
    const ok = await curl(['--http1.1', '--cacert', cert.cert, `${serve.url}/status/200`]);
    assert.equal(ok.version, '1.1');
    assert.equal(ok.status, 200, ok.head);
  });

  it('curl --http2-prior-knowledge on the h2c port', { skip: noCurl }, async () => {
    const ok = await curl(['--http2-prior-knowledge', `${h2c.url}/status/200`]);
    assert.equal(ok.version, '2');
    assert.equal(ok.status, 200, ok.head);
    // An h2c-only port (docs/gateway.md): HTTP/1.1 there gets no HTTP/1.1 answer, and the port serves on.
    const h1 = await curl(['--http1.1', '--max-time', '3', `${h2c.url}/status/200`]).catch(() => undefined);
    assert.notEqual(h1?.version, '1.1');
    assert.equal((await curl(['--http2-prior-knowledge', `${h2c.url}/status/200`])).status, 200);
  });
});
